#include "adapters/projection/progress_board.hpp"

#include <algorithm>

namespace lf::adapters::projection {

void ProgressBoard::advance(const std::string& projection, int partition, std::int64_t position) {
  const std::lock_guard lock(mu_);
  auto& slot = slots_[{projection, partition}];
  if (position <= slot.applied) {
    return;
  }
  slot.applied = position;
  // Wake only the writers whose position is now applied: with many writers waiting, a
  // broadcast would wake them all on every projector batch to find most still waiting.
  for (auto* waiter : slot.waiters) {
    if (!waiter->done && waiter->position <= position) {
      waiter->done = true;
      waiter->cv.notify_one();
    }
  }
}

bool ProgressBoard::wait_for(const std::string& projection, int partition, std::int64_t position,
                             std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto& slot = slots_[{projection, partition}];
  if (slot.applied >= position) {
    return true;
  }
  Waiter me;
  me.position = position;
  slot.waiters.push_back(&me);
  const bool done = me.cv.wait_for(lock, timeout, [&] { return me.done; });
  std::erase(slot.waiters, &me);  // slots_ is a std::map: `slot` is still valid
  return done;
}

std::int64_t ProgressBoard::applied(const std::string& projection, int partition) {
  const std::lock_guard lock(mu_);
  return slots_[{projection, partition}].applied;
}

}  // namespace lf::adapters::projection
