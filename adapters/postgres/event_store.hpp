#pragma once
// PostgreSQL implementation of the EventStore port.
//
// Appends from concurrent callers go through one appender thread that drains its queue into
// a single transaction (group commit): one fsync for the whole batch. Inside that
// transaction it first locks the log_head row, which serialises appenders across processes
// and makes positions dense and assigned in commit order (guarantee 9).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/postgres/connection_pool.hpp"
#include "domain/ports/event_store.hpp"

namespace lf::adapters::pg {

struct EventStoreOptions {
  std::size_t max_batch = 512;  // requests per transaction
  std::size_t read_pool_size = 8;
  std::string origin;  // the payload of its commit notifications (see origin()); empty: a fresh uuid
};

class PgEventStore final : public ports::EventStore {
 public:
  PgEventStore(std::string url, EventStoreOptions options = {});
  ~PgEventStore() override;
  PgEventStore(const PgEventStore&) = delete;
  PgEventStore& operator=(const PgEventStore&) = delete;

  std::future<ports::AppendResult> append(ports::AppendRequest request) override;
  std::vector<domain::RecordedEvent> read_stream(const std::string& stream_id) override;
  std::vector<domain::RecordedEvent> read_all(std::int64_t after, std::size_t limit) override;
  std::optional<ports::IdempotencyRecord> find_command(const std::string& key) override;
  ports::StreamInfo stream_info(const std::string& stream_id) override;
  std::optional<std::string> claim_holder(const std::string& scope, const std::string& value) override;
  std::int64_t head_position() override;

  // Called after every committed batch with the events it appended, in position order and as
  // read_stream would return them (recorded_at empty when it was not given in that form),
  // before any of its callers is answered: keeps in-process caches of stream state exact.
  void on_events_committed(std::function<void(const std::vector<domain::RecordedEvent>&)> listener);
  // Test seam: runs inside the append transaction just before COMMIT.
  void before_commit_for_test(std::function<void()> hook);

  ConnectionPool& pool() { return pool_; }
  // This store's payload on the labelfleet_events notification of each commit: a listener in
  // the same process that gets the commit report can tell its own commits from others'.
  const std::string& origin() const { return origin_; }
  // Transactions committed by the appender so far (group commit: fewer than requests).
  std::uint64_t batches_committed() const { return batches_committed_.load(); }

 private:
  struct Pending {
    ports::AppendRequest request;
    std::promise<ports::AppendResult> promise;
  };
  void run();
  void process(std::vector<Pending>& batch);
  // Tells the request's on_outcome, then its future.
  static void settle(Pending& pending, ports::AppendResult result);

  std::string url_;
  EventStoreOptions options_;
  std::string origin_;
  ConnectionPool pool_;
  std::unique_ptr<pqxx::connection> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::function<void(const std::vector<domain::RecordedEvent>&)> on_events_committed_;
  std::function<void()> before_commit_;
  std::atomic<std::uint64_t> batches_committed_{0};
  std::thread appender_;
};

// Maps one row of the events table (selected with kEventColumns) to a RecordedEvent.
domain::RecordedEvent to_recorded_event(const pqxx::row& row);
extern const char* const kEventColumns;

}  // namespace lf::adapters::pg
