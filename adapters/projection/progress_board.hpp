#pragma once
// Where the write path learns that a projection has caught up with a position it appended,
// so a GET right after a successful write sees its effect (read-your-writes).
// The projector runtime calls advance() after committing; in a process without a projector
// (`labelfleet api`), a poller feeds it from the projection_checkpoints table.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/common/countdown.hpp"

namespace lf::adapters::projection {

class ProgressBoard {
 public:
  // The projection has applied every event of `partition` up to `position`.
  void advance(const std::string& projection, int partition, std::int64_t position);
  // Counts `done` down once the projection has applied `position` on `partition`: at once
  // when it already has, else from the advance() that gets there.
  void count_down_when_applied(const std::string& projection, int partition, std::int64_t position,
                               const std::shared_ptr<Countdown>& done);
  // Drops what `done` still waits for here (its waiter gave up); false when nothing was left,
  // i.e. every position it waited for has been applied.
  bool forget(const std::shared_ptr<Countdown>& done);
  // Waits until the projection has applied `position` on `partition`; false on timeout.
  bool wait_for(const std::string& projection, int partition, std::int64_t position, std::chrono::milliseconds timeout);
  std::int64_t applied(const std::string& projection, int partition);

 private:
  // A position someone waits for. advance() takes the satisfied ones out under the lock and
  // counts them down after releasing it, so each woken writer wakes exactly once: notified
  // under the lock, it would wake only to block on the lock advance() still holds.
  struct Waiter {
    std::int64_t position = 0;
    std::shared_ptr<Countdown> done;
  };
  struct Slot {
    std::int64_t applied = 0;
    std::vector<Waiter> waiters;
  };
  std::mutex mu_;
  std::map<std::pair<std::string, int>, Slot> slots_;
};

}  // namespace lf::adapters::projection
