#include "adapters/kafka/relay.hpp"

#include <cerrno>
#include <cstring>
#include <expected>
#include <memory>
#include <span>
#include <stdexcept>
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
class Publisher {
 public:
  static std::expected<std::unique_ptr<Publisher>, std::string> create(const RelayConfig& config) {
    auto publisher = std::unique_ptr<Publisher>(new Publisher(config.client_id));
    try {
      auto conf = make_conf({
          {"bootstrap.servers", config.brokers},
          {"client.id", config.client_id},
          // Retries without duplicates or reordering within a partition, and acknowledged
          // only once every in-sync replica has the message.
          {"enable.idempotence", "true"},
          {"acks", "all"},
          {"linger.ms", "1"},  // every write waits for its event to travel: keep batching short
          // librdkafka batches by itself; Nagle would only add a delayed-ACK wait per batch.
          {"socket.nagle.disable", "true"},
          {"message.timeout.ms", std::to_string(config.delivery_timeout.count())},
      });
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
      // Whatever is still queued belongs to an abandoned batch: drop it instead of letting
      // destruction wait for it. Serving the purged reports lets the handle go quickly.
      producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
      producer_->poll(0);
    }
  }

  // Produces every event and waits until Kafka acknowledged all of them. Any error means
  // that some of them may or may not be in Kafka: the caller must not move its checkpoint.
  std::expected<void, std::string> publish(std::span<const domain::RecordedEvent> events, const std::stop_token& stop) {
    tracker_.reset();
    std::size_t produced = 0;
    for (const auto& event : events) {
      if (auto sent = produce(event, stop); !sent) {
        return sent;
      }
      // Serve delivery reports and logs now and then, so their queue does not pile up.
      if (++produced % 512 == 0) {
        producer_->poll(0);
      }
    }
    // Wait for every acknowledgement; in slices, so that a stop request is honoured. Each
    // message resolves within message.timeout.ms at the latest, so this ends.
    while (producer_->flush(100) != RdKafka::ERR_NO_ERROR) {
      if (stop.stop_requested()) {
        return std::unexpected("stopped before Kafka acknowledged the batch");
      }
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

 private:
  explicit Publisher(const std::string& client_id) : logs_(client_id) {}

  std::expected<void, std::string> produce(const domain::RecordedEvent& event, const std::stop_token& stop) {
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
        return std::unexpected("cannot produce position " + std::to_string(event.position) + " to " + topic + "/" +
                               std::to_string(partition) + ": " + describe(err));
      }
      // The local queue is full: let deliveries drain it, then try again.
      if (stop.stop_requested()) {
        return std::unexpected("stopped while the producer queue was full");
      }
      producer_->poll(100);
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

  LogBridge logs_;
  DeliveryTracker tracker_;
  std::unique_ptr<RdKafka::Producer> producer_;          // destroyed before the callbacks it uses
  std::vector<std::unique_ptr<RdKafka::Topic>> topics_;  // declared last: released before the producer
};

// Notifications only need to be consumed; the wait loop reads everything after its cursor.
class WakeReceiver final : public pqxx::notification_receiver {
 public:
  explicit WakeReceiver(pqxx::connection_base& c) : pqxx::notification_receiver(c, kChannel) {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override {}
};

// A connection that LISTENs on the event store's channel, on its own so that the reading
// connection's transactions never delay a notification.
struct Listener {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<WakeReceiver> receiver;  // declared after conn: destroyed before it

  explicit Listener(const std::string& url) : conn(pg::connect(url)), receiver(std::make_unique<WakeReceiver>(*conn)) {}
};

std::vector<domain::RecordedEvent> read_batch(pqxx::connection& conn, std::int64_t after, std::size_t limit) {
  pqxx::read_transaction tx(conn);
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
  pqxx::read_transaction tx(conn);
  return tx.exec("SELECT position FROM relay_checkpoint WHERE singleton")[0][0].as<std::int64_t>();
}

void write_checkpoint(pqxx::connection& conn, std::int64_t position) {
  pqxx::work tx(conn);
  // No fsync wait: a checkpoint lost in a crash only makes the relay publish again from an
  // earlier position, which consumers skip (guarantee 6). It is off the write path's latency.
  tx.exec("SET LOCAL synchronous_commit = off");
  tx.exec_params("UPDATE relay_checkpoint SET position = $1, updated_at = now() WHERE singleton", position);
  tx.commit();
}

}  // namespace

Relay::Relay(RelayConfig config) : config_(std::move(config)) {
  if (config_.batch_size == 0) {
    config_.batch_size = 1;
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
  thread_ = std::jthread([this](const std::stop_token& stop) {
    // run() retries every expected failure itself; this only keeps a surprise (a non-std
    // exception, an allocation failure) from terminating the process.
    try {
      run(stop);
    } catch (const std::exception& e) {
      log::error("relay thread ended by an unexpected error", {{"error", e.what()}});
    } catch (...) {
      log::error("relay thread ended by an unknown exception");
    }
  });
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

void Relay::wake() noexcept {
  const std::uint64_t one = 1;
  // Only fails when the counter would overflow, i.e. a wake-up is already pending.
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
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

  // Waits for a notification, a wake(), stop, or the poll interval.
  const auto wait_for_events = [&] {
    const int sock = listener->conn->sock();
    if (sock < 0) {
      throw pqxx::broken_connection("the notification connection has no socket");
    }
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {sock, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(config_.poll_interval.count())) < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    if ((fds[0].revents & POLLIN) != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto drained = ::read(wake_fd_, &count, sizeof count);
    }
    if (fds[1].revents != 0) {
      listener->conn->get_notifs();  // consumes them; throws if the server went away
    }
  };

  while (!stop.stop_requested()) {
    try {
      if (!db) {
        db = pg::connect(config_.database_url);
      }
      if (!listener) {
        listener = std::make_unique<Listener>(config_.database_url);
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

      const auto events = read_batch(*db, cursor, config_.batch_size);
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
        if (auto sent = publisher->publish(events, stop); !sent) {
          if (stop.stop_requested()) {
            break;  // the batch is abandoned; the checkpoint still marks where to resume
          }
          log::error("relay batch not acknowledged by Kafka; republishing it with a new producer",
                     {{"error", sent.error()},
                      log::num("from_position", events.front().position),
                      log::num("to_position", events.back().position)});
          publisher.reset();
          sleep_unless_stopped(stop, kafka_backoff.next());
          continue;
        }
        kafka_backoff.reset();
        // Only now, with every message of the batch acknowledged. If this write fails the
        // batch is published again: duplicates on the wire, never a hole.
        write_checkpoint(*db, events.back().position);
        cursor = events.back().position;
        set_published(cursor);
      }
      if (events.size() < config_.batch_size) {
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
