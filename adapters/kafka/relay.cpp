#include "adapters/kafka/relay.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <poll.h>
#include <pqxx/pqxx>
#include <sys/eventfd.h>
#include <unistd.h>

#include "adapters/common/log.hpp"
#include "adapters/json/schema_registry.hpp"
#include "adapters/kafka/client_support.hpp"
#include "adapters/kafka/envelope.hpp"
#include "adapters/kafka/topics.hpp"
#include "adapters/kafka/topology.hpp"
#include "adapters/kafka/worker_support.hpp"
#include "adapters/postgres/connection_pool.hpp"
#include "adapters/postgres/event_store.hpp"

namespace lf::adapters::kafka {
namespace {

using namespace std::chrono_literals;

constexpr const char* kChannel = "labelfleet_events";

// librdkafka's message.timeout.ms exceeds the relay's own deadline for a batch by this much, so
// that the relay always gives up on a batch (and purges what is left of it) before librdkafka
// could time out one of its messages: enable.gapless.guarantee does not cover timeouts, and
// librdkafka lets the partition's later messages through after messages that timed out in its
// queue (INTRODUCTION.md, "Message timeout considerations").
constexpr auto kMessageTimeoutMargin = 10s;
// Longest sleep between two looks at stop requests, fatal errors and the deadline while waiting
// for Kafka.
constexpr int kWaitSliceMs = 50;

// Producer properties the delivery guarantees rest on: producer_overrides may not set them.
constexpr std::array<std::string_view, 7> kOwnedProperties = {
    "enable.idempotence",  "enable.gapless.guarantee", "acks", "request.required.acks", "message.timeout.ms",
    "delivery.timeout.ms", "transactional.id",
};

Settings producer_settings(const RelayConfig& config) {
  Settings settings{
      {"bootstrap.servers", config.brokers},
      {"client.id", config.client_id},
      // Retries without duplicates or reordering within a partition, and acknowledged only
      // once every in-sync replica has the message.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // Without it, when a produce request fails for good (an authorization error, a
      // message too large, …), librdkafka bumps the epoch and goes on with the partition's
      // later messages: they land in Kafka ahead of the failed ones, which the republished
      // batch then brings too late (consumers skip positions at or below what they have
      // seen). With it, such a failure is a fatal error that stops the producer instead.
      {"enable.gapless.guarantee", "true"},
      {"linger.ms", "1"},  // every write waits for its event to travel: keep batching short
      {"message.max.bytes", std::to_string(kMaxMessageBytes)},
      // librdkafka batches by itself; Nagle would only add a delayed-ACK wait per batch.
      {"socket.nagle.disable", "true"},
      {"message.timeout.ms",
       std::to_string(std::chrono::milliseconds(config.delivery_timeout + kMessageTimeoutMargin).count())},
  };
  settings.insert(settings.end(), config.producer_overrides.begin(), config.producer_overrides.end());
  return settings;
}

// Counts the delivery reports of one batch. Reports are served on the relay thread (from
// poll()/flush()), so no synchronisation is needed.
class DeliveryTracker final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered_;
      return;
    }
    if (failed_++ == 0) {
      first_failure_ =
          describe(message.err()) + " on " + message.topic_name() + "/" + std::to_string(message.partition());
    }
  }
  void reset() {
    delivered_ = 0;
    failed_ = 0;
    first_failure_.clear();
  }
  std::size_t delivered() const { return delivered_; }
  std::size_t failed() const { return failed_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  std::size_t delivered_ = 0;
  std::size_t failed_ = 0;
  std::string first_failure_;
};

// One idempotent producer and the accounting of its batches. After any failure it is thrown
// away: a fresh producer (new producer id) is the simple way out of every failure mode,
// including the idempotent producer's fatal errors.
//
// Why a failed batch leaves no hole. The relay republishes a failed batch from its
// checkpoint, and consumers skip positions at or below the highest they have seen in a
// partition; so what Kafka keeps of a failed attempt must be, per partition, a prefix of the
// batch in log order. Three things could break that:
//  - A produce request failing for good while the partition's later messages go through.
//    enable.gapless.guarantee turns that failure into a fatal error: librdkafka sends nothing
//    more (it resets the producer id and purges its queue), and publish() gives up on the
//    batch as soon as it sees the fatal error. Requests already in flight behind the failed
//    one carry sequence numbers after a gap, which a Kafka broker refuses
//    (OUT_OF_ORDER_SEQUENCE_NUMBER). (librdkafka's mock broker checks sequences only for
//    transactional producers; the test reproducing this failure keeps one request in flight
//    so as not to depend on it.) librdkafka logs a CONFWARN for this experimental property
//    each time a producer is created; the log bridge writes it as info (client_support.cpp).
//  - A message timing out in librdkafka's queue: gapless does not cover it, and librdkafka
//    then sends the later ones. The relay's own deadline (delivery_timeout) comes first, see
//    kMessageTimeoutMargin, and abandon() purges the queue.
//  - A request of this producer reaching the partition after the messages of the producer
//    that republishes the batch. abandon() purges what was never sent and waits for every
//    request in flight to be answered before the producer is destroyed: a request the broker
//    has answered can no longer be appended. Destroying the producer closes its connections,
//    so nothing more leaves it; the next producer is only created after that (and a
//    backoff), gets a new producer id, and opens new connections. What remains is a request
//    still unanswered when abandon() runs out of time, or when the relay stops or dies
//    mid-batch; like a crash, that relies on the broker having handled the old connection's
//    requests before the successor (a new process, or this relay after its backoff, a new
//    connection and an InitProducerId round trip) produces again.
class Publisher {
 public:
  static std::expected<std::unique_ptr<Publisher>, std::string> create(const RelayConfig& config) {
    auto publisher = std::unique_ptr<Publisher>(new Publisher(config));
    try {
      auto conf = make_conf(producer_settings(config));
      set_callback(*conf, "dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&publisher->tracker_));
      set_callback(*conf, "event_cb", static_cast<RdKafka::EventCb*>(&publisher->logs_));
      std::string errstr;
      publisher->producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
      if (!publisher->producer_) {
        return std::unexpected("cannot create the Kafka producer: " + errstr);
      }
      publisher->warm_up_metadata();
    } catch (const std::exception& e) {
      return std::unexpected(std::string("cannot configure the Kafka producer: ") + e.what());
    }
    return publisher;
  }

  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  ~Publisher() {
    if (producer_) {
      // Whatever is still queued or in flight belongs to an abandoned batch (after a failure,
      // abandon() has already let the requests in flight settle; on stop there is no time
      // for that): drop it instead of letting destruction wait for it. Serving the purged
      // reports lets the handle go quickly.
      producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
      producer_->poll(0);
    }
  }

  // Produces every event and waits until Kafka acknowledged all of them. Any error means
  // that some of them may or may not be in Kafka: the caller must not move its checkpoint,
  // and must abandon() this publisher.
  std::expected<void, std::string> publish(std::span<const domain::RecordedEvent> events, const std::stop_token& stop) {
    tracker_.reset();
    const auto deadline = std::chrono::steady_clock::now() + delivery_timeout_;
    std::size_t produced = 0;
    for (const auto& event : events) {
      if (auto sent = produce(event, stop, deadline); !sent) {
        return sent;
      }
      // Serve delivery reports and logs now and then, so their queue does not pile up.
      if (++produced % 512 == 0) {
        producer_->poll(0);
      }
    }
    // Wait for every acknowledgement, in slices: a stop request, a fatal error (the producer
    // will not deliver the rest) or the deadline ends the wait at once.
    while (producer_->flush(kWaitSliceMs) != RdKafka::ERR_NO_ERROR) {
      if (auto reason = hopeless(stop, deadline)) {
        return std::unexpected(*reason);
      }
    }
    if (auto fatal = fatal_error()) {
      return std::unexpected(*fatal);
    }
    if (tracker_.failed() > 0) {
      return std::unexpected(std::to_string(tracker_.failed()) + " of " + std::to_string(events.size()) +
                             " messages not delivered, first: " + tracker_.first_failure());
    }
    if (tracker_.delivered() != events.size()) {
      return std::unexpected("only " + std::to_string(tracker_.delivered()) + " of " + std::to_string(events.size()) +
                             " messages acknowledged");
    }
    return {};
  }

  // After a failed publish(), before destruction: drops every message not yet sent and waits
  // (at most delivery_timeout, or until stop) until each request in flight has been
  // answered, so that none of them can reach a partition after the messages of the next
  // producer (see the class comment).
  void abandon(const std::stop_token& stop) {
    const auto deadline = std::chrono::steady_clock::now() + delivery_timeout_;
    producer_->purge(RdKafka::Producer::PURGE_QUEUE);
    while (producer_->outq_len() > 0) {
      if (stop.stop_requested() || std::chrono::steady_clock::now() >= deadline) {
        log::warn("relay abandons a producer with requests still in flight",
                  {log::num("outstanding", producer_->outq_len())});
        return;
      }
      producer_->poll(kWaitSliceMs);
      // A retriable error puts a request's messages back in the queue: they stay unsent.
      producer_->purge(RdKafka::Producer::PURGE_QUEUE);
    }
  }

 private:
  explicit Publisher(const RelayConfig& config) : delivery_timeout_(config.delivery_timeout), logs_(config.client_id) {}

  // The producer's fatal error, described, if it has one.
  std::optional<std::string> fatal_error() const {
    std::string reason;
    const RdKafka::ErrorCode code = producer_->fatal_error(reason);
    if (code == RdKafka::ERR_NO_ERROR) {
      return std::nullopt;
    }
    return "fatal producer error " + describe(code) + ": " + reason;
  }

  // Why the batch cannot be acknowledged any more, if it cannot.
  std::optional<std::string> hopeless(const std::stop_token& stop,
                                      std::chrono::steady_clock::time_point deadline) const {
    if (stop.stop_requested()) {
      return "stopped before Kafka acknowledged the batch";
    }
    if (auto fatal = fatal_error()) {
      return fatal;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return "Kafka did not acknowledge the batch within " + std::to_string(delivery_timeout_.count()) + " ms";
    }
    return std::nullopt;
  }

  std::expected<void, std::string> produce(const domain::RecordedEvent& event, const std::stop_token& stop,
                                           std::chrono::steady_clock::time_point deadline) {
    const std::string topic = topic_for(event.stream_type);
    const int partition = partition_for(event.stream_id);
    // 0 asks librdkafka for "now"; recorded_at always parses, it comes from to_char().
    const std::int64_t timestamp = epoch_millis(event.recorded_at).value_or(0);
    // Secrets (writeOnly in the event's schema: password and token hashes) stay in the log.
    std::string value =
        json::SchemaRegistry::instance().public_payload(event.type, event.schema_version, event.data_json);
    for (;;) {
      // produce() takes ownership of the headers only when it succeeds.
      std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
      for (const auto& h : encode_headers(event)) {
        headers->add(h.key, h.value);
      }
      const RdKafka::ErrorCode err =
          producer_->produce(topic, partition, RdKafka::Producer::RK_MSG_COPY, value.data(), value.size(),
                             event.stream_id.data(), event.stream_id.size(), timestamp, headers.get(), nullptr);
      if (err == RdKafka::ERR_NO_ERROR) {
        static_cast<void>(headers.release());
        return {};
      }
      if (err != RdKafka::ERR__QUEUE_FULL) {
        std::string error = "cannot produce position " + std::to_string(event.position) + " to " + topic + "/" +
                            std::to_string(partition) + ": " + describe(err);
        if (auto fatal = fatal_error()) {
          error += " (" + *fatal + ")";
        }
        return std::unexpected(error);
      }
      // The local queue is full: let deliveries drain it, then try again.
      if (auto reason = hopeless(stop, deadline)) {
        return std::unexpected(*reason);
      }
      producer_->poll(kWaitSliceMs);
    }
  }

  // Learns the partitions of every topic before the first produce. Otherwise librdkafka
  // sometimes holds the first messages of a new producer until its next one-second metadata
  // scan (the topic becomes known locally just after the bootstrap metadata request). A
  // failure here is not fatal: produce() asks again on its own.
  void warm_up_metadata() {
    for (const auto& name : all_topics()) {
      std::string errstr;
      std::unique_ptr<RdKafka::Topic> topic(RdKafka::Topic::create(producer_.get(), name, nullptr, errstr));
      if (!topic) {
        log::warn("relay cannot create a topic handle", {{"topic", name}, {"error", errstr}});
        continue;
      }
      RdKafka::Metadata* raw = nullptr;
      const auto err = producer_->metadata(false, topic.get(), &raw, 5000);
      const std::unique_ptr<RdKafka::Metadata> metadata(raw);
      if (err != RdKafka::ERR_NO_ERROR) {
        log::warn("relay cannot read topic metadata", {{"topic", name}, {"error", describe(err)}});
      }
      topics_.push_back(std::move(topic));
    }
  }

  std::chrono::milliseconds delivery_timeout_;
  LogBridge logs_;
  DeliveryTracker tracker_;
  std::unique_ptr<RdKafka::Producer> producer_;          // destroyed before the callbacks it uses
  std::vector<std::unique_ptr<RdKafka::Topic>> topics_;  // declared last: released before the producer
};

// Consumes the notifications, noting whether one came from a store other than the one that
// reports its commits to the relay (the payload is the committing store's origin).
class WakeReceiver final : public pqxx::notification_receiver {
 public:
  WakeReceiver(pqxx::connection_base& c, std::string reported_origin)
      : pqxx::notification_receiver(c, kChannel), reported_origin_(std::move(reported_origin)) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override {
    foreign = foreign || reported_origin_.empty() || payload != reported_origin_;
  }
  bool foreign = false;

 private:
  std::string reported_origin_;
};

// A connection that LISTENs on the event store's channel, on its own so that the reading
// connection's transactions never delay a notification.
struct Listener {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<WakeReceiver> receiver;  // declared after conn: destroyed before it

  Listener(const std::string& url, const std::string& reported_origin)
      : conn(pg::connect(url)), receiver(std::make_unique<WakeReceiver>(*conn, reported_origin)) {}
};

// The relay's own connection: it reads the log and writes the checkpoint, and nothing else,
// so the checkpoint can go without an fsync wait for the whole session. A checkpoint lost in
// a crash only makes the relay publish again from an earlier position, which consumers skip
// (guarantee 6); the wait would only add to the latency of every write, which waits for the
// relay. set_variable rather than a SET statement: libpqxx restores it if it reconnects.
std::unique_ptr<pqxx::connection> connect_db(const std::string& url) {
  auto conn = pg::connect(url);
  conn->set_variable("synchronous_commit", "off");
  return conn;
}

// The relay is on the path of every write, so each of these is one round trip: a single
// statement is atomic on its own and needs no BEGIN/COMMIT around it (pqxx::nontransaction
// sends nothing but the statement; the UPDATE commits by itself).
std::vector<domain::RecordedEvent> read_batch(pqxx::connection& conn, std::int64_t after, std::size_t limit) {
  pqxx::nontransaction tx(conn);
  std::vector<domain::RecordedEvent> out;
  out.reserve(limit);
  for (const auto& row : tx.exec_params(
           std::string("SELECT ") + pg::kEventColumns + " FROM events WHERE position > $1 ORDER BY position LIMIT $2",
           after, static_cast<std::int64_t>(limit))) {
    out.push_back(pg::to_recorded_event(row));
  }
  return out;
}

std::int64_t read_checkpoint(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return tx.exec("SELECT position FROM relay_checkpoint WHERE singleton")[0][0].as<std::int64_t>();
}

// Not synced to disk before it returns: see connect_db().
void write_checkpoint(pqxx::connection& conn, std::int64_t position) {
  pqxx::nontransaction tx(conn);
  tx.exec_params("UPDATE relay_checkpoint SET position = $1, updated_at = now() WHERE singleton", position);
}

}  // namespace

Relay::Relay(RelayConfig config) : config_(std::move(config)) {
  if (config_.batch_size == 0) {
    config_.batch_size = 1;
  }
  for (const auto& [name, value] : config_.producer_overrides) {
    if (std::ranges::find(kOwnedProperties, name) != kOwnedProperties.end()) {
      throw std::invalid_argument("relay: producer_overrides may not set " + name +
                                  ": the relay's delivery guarantees rest on it");
    }
  }
  try {
    static_cast<void>(make_conf(producer_settings(config_)));  // a misspelt override fails here, not later
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("relay: ") + e.what());
  }
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    throw std::runtime_error(std::string("relay: eventfd: ") + std::strerror(errno));
  }
}

Relay::~Relay() {
  stop();
  ::close(wake_fd_);
}

void Relay::start() {
  const std::lock_guard lock(lifecycle_mu_);
  if (thread_.joinable()) {
    return;
  }
  thread_ = start_worker("lf-relay", "relay", [this](const std::stop_token& stop) { run(stop); });
}

void Relay::stop() {
  const std::lock_guard lock(lifecycle_mu_);
  if (!thread_.joinable()) {
    return;
  }
  thread_.request_stop();
  wake();
  thread_.join();
}

// Not const although it touches no member: waking the relay is a change of its state, done
// through the eventfd it owns.
void Relay::wake() noexcept {  // NOLINT(readability-make-member-function-const)
  const std::uint64_t one = 1;
  // Only fails when the counter would overflow, i.e. a wake-up is already pending.
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

void Relay::committed(const std::vector<domain::RecordedEvent>& events) {
  {
    const std::lock_guard lock(reported_mu_);
    if (reported_.size() + events.size() > kMaxReported) {
      reported_.clear();  // far behind: the log has all of it, and the gap sends the relay there
    } else {
      reported_.insert(reported_.end(), events.begin(), events.end());
    }
  }
  wake();
}

std::vector<domain::RecordedEvent> Relay::take_reported(std::int64_t after, std::size_t limit, bool& gap_after) {
  std::vector<domain::RecordedEvent> out;
  const std::lock_guard lock(reported_mu_);
  while (!reported_.empty() && reported_.front().position <= after) {
    reported_.pop_front();  // published already (read from the log, or before a restart)
  }
  // An event reported without its time is not in the log's form (see on_events_committed):
  // it and what follows are read from the log.
  while (!reported_.empty() && out.size() < limit && reported_.front().position == after + 1 &&
         !reported_.front().recorded_at.empty()) {
    out.push_back(std::move(reported_.front()));
    reported_.pop_front();
    ++after;
  }
  gap_after = !reported_.empty() && out.size() < limit;
  return out;
}

bool Relay::wait_for_published(std::int64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(published_mu_);
  return published_cv_.wait_for(lock, timeout, [&] { return published_.load() >= position; });
}

void Relay::set_published(std::int64_t position) {
  {
    const std::lock_guard lock(published_mu_);
    published_.store(position);
  }
  published_cv_.notify_all();
}

void Relay::run(const std::stop_token& stop) {
  if (config_.topic_setup == TopicSetup::admin_api) {
    // Not fatal: the topics may have been provisioned by an operator who did not grant us
    // CreateTopics. If they are really missing, deliveries fail and are retried below.
    if (auto ready = ensure_topics(config_.brokers, 10s, stop); !ready) {
      log::warn("relay could not ensure its Kafka topics", {{"error", ready.error()}});
    }
  }

  std::unique_ptr<pqxx::connection> db;  // reads the log, writes the checkpoint
  std::unique_ptr<Listener> listener;
  std::unique_ptr<Publisher> publisher;
  std::int64_t cursor = -1;  // last position acknowledged by Kafka; -1 until known
  Backoff pg_backoff(100ms, 5s);
  Backoff kafka_backoff(100ms, 5s);
  bool pg_down = false;

  // Waits for a wake(), stop, a notification of another store's commit, or the poll interval.
  // A notification of the reporting store's own commit does not end the wait: the report of
  // that commit follows it and wakes the relay, which then need not read the log.
  const auto wait_for_events = [&] {
    const int sock = listener->conn->sock();
    if (sock < 0) {
      throw pqxx::broken_connection("the notification connection has no socket");
    }
    const auto deadline = std::chrono::steady_clock::now() + config_.poll_interval;
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {sock, POLLIN, 0}};
      const int ready = ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      if (ready < 0 && errno != EINTR) {
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      bool woken = ready == 0;  // the poll interval ran out
      if ((fds[0].revents & POLLIN) != 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto drained = ::read(wake_fd_, &count, sizeof count);
        woken = true;
      }
      if (fds[1].revents != 0) {
        listener->receiver->foreign = false;
        listener->conn->get_notifs();  // consumes them; throws if the server went away
        woken = woken || listener->receiver->foreign;
      }
      if (woken || stop.stop_requested() || std::chrono::steady_clock::now() >= deadline) {
        return;
      }
    }
  };

  while (!stop.stop_requested()) {
    try {
      if (!db) {
        db = connect_db(config_.database_url);
      }
      if (!listener) {
        listener = std::make_unique<Listener>(config_.database_url, config_.reported_origin);
      }
      if (cursor < 0) {
        cursor = config_.republish_from_start ? 0 : read_checkpoint(*db);
        set_published(cursor);
        log::info("relay started", {log::num("from_position", cursor),
                                    {"republish", config_.republish_from_start ? "true" : "false", true}});
      }
      if (pg_down) {
        log::info("relay reconnected to postgres");
        pg_down = false;
      }
      pg_backoff.reset();

      bool gap_after = false;
      auto events = take_reported(cursor, config_.batch_size, gap_after);
      const bool reported = !events.empty();
      if (!reported) {
        events = read_batch(*db, cursor, config_.batch_size);
      }
      if (!events.empty()) {
        if (!publisher) {
          auto created = Publisher::create(config_);
          if (!created) {
            log::error("relay cannot create its Kafka producer", {{"error", created.error()}});
            sleep_unless_stopped(stop, kafka_backoff.next());
            continue;
          }
          publisher = std::move(*created);
        }
        if (config_.on_publishing) {
          config_.on_publishing(events);
        }
        if (auto sent = publisher->publish(events, stop); !sent) {
          if (stop.stop_requested()) {
            break;  // the batch is abandoned; the checkpoint still marks where to resume
          }
          log::error("relay batch not acknowledged by Kafka; republishing it with a new producer",
                     {{"error", sent.error()},
                      log::num("from_position", events.front().position),
                      log::num("to_position", events.back().position)});
          // The old producer is settled and destroyed before the next one is created: nothing
          // of it can land after what the new one republishes (see Publisher).
          publisher->abandon(stop);
          publisher.reset();
          sleep_unless_stopped(stop, kafka_backoff.next());
          continue;
        }
        kafka_backoff.reset();
        // Only now, with every message of the batch acknowledged. If this write fails the
        // batch is published again: duplicates on the wire, never a hole.
        write_checkpoint(*db, events.back().position);
        cursor = events.back().position;
        (reported ? from_report_ : from_log_) += events.size();
        set_published(cursor);
      }
      // After a reported run that stopped at a gap, the log holds the rest now: no waiting.
      if (events.size() < config_.batch_size && !(reported && gap_after)) {
        wait_for_events();  // caught up: sleep until something is committed
      }
    } catch (const std::exception& e) {
      if (is_connection_loss(e)) {
        if (!pg_down) {
          log::warn("relay lost postgres; reconnecting", {{"error", e.what()}});
          pg_down = true;
        }
        listener.reset();
        db.reset();
        sleep_unless_stopped(stop, pg_backoff.next());
        continue;
      }
      // An SQL error or anything else unexpected: start over with fresh connections.
      log::error("relay iteration failed; retrying", {{"error", e.what()}, log::num("cursor", cursor)});
      listener.reset();
      db.reset();
      sleep_unless_stopped(stop, pg_backoff.next());
    }
  }
  log::info("relay stopped", {log::num("published_position", published_.load())});
}

}  // namespace lf::adapters::kafka
