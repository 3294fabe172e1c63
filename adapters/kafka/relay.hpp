#pragma once
// The relay: publishes every committed event of the Postgres log to Kafka, in log order
// (guarantee 4: nothing lost between store and Kafka; duplicates on the wire are possible).
//
// It reads batches of events after its cursor, produces them with an idempotent producer
// (key = stream id, partition = partition_for(stream id), CloudEvents headers from
// envelope.hpp), waits until Kafka has acknowledged every message of the batch, and only
// then moves relay_checkpoint. A crash anywhere republishes at most the batch in flight.
//
// Consumers skip every position at or below the highest one they have seen in a partition,
// so a republished batch only repairs a failure if whatever Kafka kept of the failed attempt
// is, per partition, a prefix of the batch in order: a later message that got through ahead of
// a failed one would hide the failed one for good. Why that holds is explained in relay.cpp
// (Publisher).
//
// Wake-ups: LISTEN labelfleet_events (the event store NOTIFYs on every commit, from any
// process), wake() for in-process callers, and a poll interval as a safety net.
//
// What it publishes comes from the log, or — for events this process committed itself — from
// the store's commit report (committed()), which carries them exactly as the log holds them:
// a run of reported events that directly follows the cursor is published without reading it
// back. Anything else (another process's commits, a report the relay fell behind on, a restart)
// is read from the log, so the report is only a shortcut, never a source of truth.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "domain/common/event.hpp"

namespace lf::adapters::kafka {

// How the relay makes sure its topics exist before it produces.
enum class TopicSetup {
  admin_api,  // a real cluster: ensure_topics(brokers) through the Admin API
  none,       // done by the caller; the embedded mode calls ensure_topics(EmbeddedCluster&)
              // (the mock broker does not answer CreateTopics)
};

struct RelayConfig {
  std::string database_url;
  std::string brokers;
  // The embedded cluster is empty after every start: publish the whole log again from
  // position 0 instead of resuming from relay_checkpoint.
  bool republish_from_start = false;
  TopicSetup topic_setup = TopicSetup::admin_api;
  std::size_t batch_size = 1000;
  // Longest wait for new events when no notification arrives.
  std::chrono::milliseconds poll_interval{200};
  // How long Kafka may take to acknowledge a whole batch before it counts as failed. The
  // relay enforces it itself; librdkafka's message.timeout.ms is set longer, so that it never
  // expires first (enable.gapless.guarantee does not cover timed-out messages).
  std::chrono::milliseconds delivery_timeout{30000};
  std::string client_id = "labelfleet-relay";
  // The origin (PgEventStore::origin) of the store whose commits committed() reports: its
  // notifications do not send the relay to the log, the report (and its wake-up) will come.
  // Empty: every notification does.
  std::string reported_origin;
  // Further librdkafka producer properties, applied after the relay's own: for operators
  // (security.protocol, sasl.*, …) and for tests that shape produce requests
  // (batch.num.messages, max.in.flight.requests.per.connection). The properties the delivery
  // guarantees rest on (enable.idempotence, acks, enable.gapless.guarantee, the message
  // timeout) cannot be overridden: the constructor throws std::invalid_argument.
  std::map<std::string, std::string> producer_overrides;
  // Told each run of the log just before it is published, in log order, on the relay's
  // thread (`serve` hands it to its projector: local_feed.hpp). A run can come again after a
  // failed delivery.
  std::function<void(std::span<const domain::RecordedEvent>)> on_publishing;
};

class Relay {
 public:
  // Throws std::invalid_argument when producer_overrides names a property the relay owns.
  explicit Relay(RelayConfig config);
  ~Relay();  // stops
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Starts the relay thread. Errors (Postgres or Kafka unreachable) are logged and retried
  // there; they never end the thread. Calling start() twice has no effect.
  void start();
  // Stops promptly (well under a second): a batch not yet acknowledged is abandoned and
  // republished by the next relay. Idempotent.
  void stop();
  // New events were committed in this process: look now rather than at the next poll.
  // Thread-safe, never blocks, async-signal-safe.
  void wake() noexcept;
  // Events this process committed, in position order (PgEventStore::on_events_committed).
  // Thread-safe; keeps at most kMaxReported of them (past that, the relay reads the log).
  void committed(const std::vector<domain::RecordedEvent>& events);
  static constexpr std::size_t kMaxReported = 20000;

  // Events published so far, by where the relay found them (for tests and diagnostics).
  std::uint64_t published_from_report() const noexcept { return from_report_.load(); }
  std::uint64_t published_from_log() const noexcept { return from_log_.load(); }

  // The last position acknowledged by Kafka and recorded in relay_checkpoint (for metrics;
  // the republish mode starts again from 0).
  std::int64_t published_position() const noexcept { return published_.load(); }
  // Waits until published_position() >= position; false on timeout.
  bool wait_for_published(std::int64_t position, std::chrono::milliseconds timeout);

 private:
  void run(const std::stop_token& stop);
  void set_published(std::int64_t position);
  // The reported events that directly follow `after` (at most `limit`), and whether reported
  // events remain behind a gap (then the log has what lies between: read it without waiting).
  std::vector<domain::RecordedEvent> take_reported(std::int64_t after, std::size_t limit, bool& gap_after);

  RelayConfig config_;
  int wake_fd_ = -1;  // eventfd: wake() and stop() break the relay's wait
  std::atomic<std::int64_t> published_{0};
  std::mutex reported_mu_;
  std::deque<domain::RecordedEvent> reported_;
  std::atomic<std::uint64_t> from_report_{0};
  std::atomic<std::uint64_t> from_log_{0};
  std::mutex published_mu_;
  std::condition_variable published_cv_;
  std::mutex lifecycle_mu_;
  std::jthread thread_;
};

}  // namespace lf::adapters::kafka
