#pragma once
// Runs projections from Kafka (guarantee 6: exactly-once effect on the read model).
//
// Kafka delivers at least once and the relay may publish twice, so the truth about what a
// projection has applied is its row per partition in projection_checkpoints, written in the
// same Postgres transaction as the read-model change. Each batch of messages becomes one
// transaction that takes the projection's advisory lock (so `replay` and other projector
// instances never interleave with it), locks the checkpoints, applies every message whose
// global position is above its partition's checkpoint and skips the rest, moves the
// checkpoints and commits. Kafka offsets are committed afterwards, only as a hint of where
// to resume.
//
// One runtime serves any number of projections with one consumer, one thread and one Postgres
// connection (`serve` and `projector` run them all in one, ADR 0012): a batch of messages from
// all their topics becomes one transaction over every projection it concerns. Each message
// goes to every projection that reads its topic; checkpoints stay per projection.
//
// In `serve` a runtime also has a local feed (local_feed.hpp, ADR 0015): a second thread applies
// what the relay of the same process is about to publish, under the same locks and checkpoints,
// each event only once the projection has applied its predecessor in the partition; Kafka's
// copies are then skipped (without a transaction when the board already shows them applied).
//
// A projection reads exactly one stream type: checkpoints are keyed by (projection,
// partition) without the topic, and partition p of two topics would otherwise share one
// high-water mark although their messages interleave in any order.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "adapters/kafka/local_feed.hpp"
#include "adapters/projection/progress_board.hpp"
#include "projections/projection.hpp"

namespace lf::adapters::kafka {

struct ProjectorConfig {
  std::string database_url;
  std::string brokers;
  std::size_t max_batch = 500;                   // messages per transaction, at most
  std::chrono::milliseconds max_batch_wait{20};  // longest a batch keeps collecting fetched messages
  std::string group_id;  // empty: "labelfleet-projection-<name>" for one projection, else kSharedProjectorGroup
  // How long a projector that died keeps its partitions before the group moves them (the
  // Kafka < 3.0 default; librdkafka 2.0's is 45 s, a long read-your-writes stall). Brokers
  // accept 6 s and more by default. The embedded mock cluster also waits this long before
  // it lets a new member into a group that an old one has left.
  std::chrono::milliseconds session_timeout{10000};
  // True where this runtime is the only projector of its topics, which `serve` on its embedded
  // cluster is (that cluster lives and dies with the process): the consumer assigns itself
  // every partition (kPartitions per topic) instead of joining `group_id`, whose first
  // rebalance librdkafka's mock broker holds for 3 s, i.e. the first write of every start
  // waited 3 s for its read model. `group_id` still keeps the committed offsets. A second
  // projector of the same projections would apply nothing twice (the checkpoints decide), it
  // would only read everything again.
  bool every_partition = false;
  // In `serve`: what the relay of this process is about to publish. A second thread applies
  // it as soon as it is offered, where the projection has applied the event's predecessor in
  // its partition, so writes need not wait for Kafka's round trip (ADR 0012, second
  // amendment). Kafka's deliveries of those events are then skipped without a transaction.
  std::shared_ptr<LocalFeed> local_feed;
};

// The consumer group of a projection's projectors when a runtime serves only that one.
std::string projector_group_id(const std::string& projection);
// The consumer group of runtimes serving several projections.
inline constexpr const char* kSharedProjectorGroup = "labelfleet-projections";

class ProjectorRuntime {
 public:
  // Throws std::invalid_argument unless every projection reads exactly one stream type.
  // `board` must outlive the runtime.
  ProjectorRuntime(std::vector<std::shared_ptr<const projections::Projection>> projections, ProjectorConfig config,
                   projection::ProgressBoard& board);
  ProjectorRuntime(std::shared_ptr<const projections::Projection> projection, ProjectorConfig config,
                   projection::ProgressBoard& board);
  ~ProjectorRuntime();  // stops
  ProjectorRuntime(const ProjectorRuntime&) = delete;
  ProjectorRuntime& operator=(const ProjectorRuntime&) = delete;

  // Starts the runtime's thread: it creates the projections' tables, seeds the board from
  // the checkpoints, joins the consumer group (or takes every partition) and applies batches
  // until stopped. Errors are logged and retried there. With a local feed, a second thread
  // applies what the feed offers once the first is ready (a failed batch of it is logged and
  // left to Kafka). Calling start() twice has no effect.
  void start();
  // Stops promptly (well under a second); a batch not committed is simply read again later.
  void stop();
  // True once the tables exist, the board is seeded and the consumer is subscribed.
  bool wait_ready(std::chrono::milliseconds timeout);

  const std::string& name() const noexcept { return name_; }  // the projections' names, comma-separated
  // Counters for metrics.
  // (event, projection) pairs applied, each once: from Kafka, and from the local feed.
  std::uint64_t applied() const noexcept { return applied_from_kafka() + applied_locally(); }
  std::uint64_t applied_from_kafka() const noexcept { return applied_from_kafka_.load(); }
  std::uint64_t skipped() const noexcept { return skipped_.load(); }    // duplicates dropped by the checkpoint
  std::uint64_t rejected() const noexcept { return rejected_.load(); }  // messages without a valid envelope
  // Of applied(): those applied from the local feed, before Kafka delivered them.
  std::uint64_t applied_locally() const noexcept { return applied_locally_.load(); }
  // Events from the local feed left to Kafka: their predecessor was not applied yet.
  std::uint64_t deferred_locally() const noexcept { return deferred_locally_.load(); }

 private:
  void run(const std::stop_token& stop);
  void run_local(const std::stop_token& stop);
  void set_ready();

  std::vector<std::shared_ptr<const projections::Projection>> projections_;
  ProjectorConfig config_;
  projection::ProgressBoard& board_;
  std::string name_;
  std::atomic<std::uint64_t> applied_from_kafka_{0};
  std::atomic<std::uint64_t> skipped_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> applied_locally_{0};
  std::atomic<std::uint64_t> deferred_locally_{0};
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  bool ready_ = false;
  std::mutex lifecycle_mu_;
  std::jthread thread_;
  std::jthread local_thread_;  // only with a local feed
};

}  // namespace lf::adapters::kafka
