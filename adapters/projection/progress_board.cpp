#include "adapters/projection/progress_board.hpp"

#include <algorithm>

namespace lf::adapters::projection {

void ProgressBoard::advance(const std::string& projection, int partition, std::int64_t position) {
  std::vector<Waiter> satisfied;
  {
    const std::lock_guard lock(mu_);
    auto& slot = slots_[{projection, partition}];
    if (position <= slot.applied) {
      return;
    }
    slot.applied = position;
    // Only the writers whose position is now applied: with many writers waiting, a broadcast
    // would wake them all on every projector batch to find most still waiting.
    const auto still_waiting = std::partition(slot.waiters.begin(), slot.waiters.end(),
                                              [&](const Waiter& w) { return w.position > position; });
    satisfied.assign(std::make_move_iterator(still_waiting), std::make_move_iterator(slot.waiters.end()));
    slot.waiters.erase(still_waiting, slot.waiters.end());
  }
  for (const auto& w : satisfied) {
    w.done->count_down();
  }
}

void ProgressBoard::count_down_when_applied(const std::string& projection, int partition, std::int64_t position,
                                            const std::shared_ptr<Countdown>& done) {
  {
    const std::lock_guard lock(mu_);
    auto& slot = slots_[{projection, partition}];
    if (slot.applied < position) {
      slot.waiters.push_back({position, done});
      return;
    }
  }
  done->count_down();
}

bool ProgressBoard::forget(const std::shared_ptr<Countdown>& done) {
  const std::lock_guard lock(mu_);
  std::size_t removed = 0;
  for (auto& [key, slot] : slots_) {
    removed += std::erase_if(slot.waiters, [&](const Waiter& w) { return w.done == done; });
  }
  return removed > 0;
}

bool ProgressBoard::wait_for(const std::string& projection, int partition, std::int64_t position,
                             std::chrono::milliseconds timeout) {
  const auto done = std::make_shared<Countdown>(1);
  count_down_when_applied(projection, partition, position, done);
  if (done->wait_for(timeout)) {
    return true;
  }
  // An advance() may have taken it out between the timeout and forget(): then it is applied.
  return !forget(done);
}

std::int64_t ProgressBoard::applied(const std::string& projection, int partition) {
  const std::lock_guard lock(mu_);
  return slots_[{projection, partition}].applied;
}

}  // namespace lf::adapters::projection
