#include "adapters/common/countdown.hpp"

namespace lf::adapters {

void Countdown::add(int n) {
  const std::lock_guard lock(mu_);
  count_ += n;
}

void Countdown::count_down() {
  bool reached_zero = false;
  {
    const std::lock_guard lock(mu_);
    if (count_ > 0) {
      reached_zero = --count_ == 0;
    }
  }
  // Notified after unlocking: the woken waiter takes the mutex without blocking on it again.
  if (reached_zero) {
    cv_.notify_all();
  }
}

bool Countdown::wait_for(std::chrono::steady_clock::duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return count_ == 0; });
}

bool Countdown::done() {
  const std::lock_guard lock(mu_);
  return count_ == 0;
}

}  // namespace lf::adapters
