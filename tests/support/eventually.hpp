#pragma once
// Waiting for asynchronous things in tests: poll with a deadline, never a bare sleep.
#include <chrono>
#include <functional>
#include <thread>

namespace lf::testing {

// True as soon as `condition` holds; false when `timeout` passed without it.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace lf::testing
