#pragma once
// Where the write path learns that a projection has caught up with a position it appended,
// so a GET right after a successful write sees its effect (read-your-writes).
// The projector runtime calls advance() after committing; in a process without a projector
// (`labelfleet api`), a poller feeds it from the projection_checkpoints table.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lf::adapters::projection {

class ProgressBoard {
 public:
  // The projection has applied every event of `partition` up to `position`.
  void advance(const std::string& projection, int partition, std::int64_t position);
  // Waits until the projection has applied `position` on `partition`; false on timeout.
  bool wait_for(const std::string& projection, int partition, std::int64_t position, std::chrono::milliseconds timeout);
  std::int64_t applied(const std::string& projection, int partition);

 private:
  // One writer waiting for a position; it owns its condition variable, so advance() wakes
  // exactly the writers it satisfied.
  struct Waiter {
    std::int64_t position = 0;
    bool done = false;
    std::condition_variable cv;
  };
  struct Slot {
    std::int64_t applied = 0;
    std::vector<Waiter*> waiters;
  };
  std::mutex mu_;
  std::map<std::pair<std::string, int>, Slot> slots_;
};

}  // namespace lf::adapters::projection
