#pragma once
// What the relay and the projector runtime share as long-running workers: a guarded thread,
// exponential backoff, a sleep that a stop request cuts short, and telling a lost database
// connection (retry quietly) from a real error.
#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <stop_token>
#include <string>
#include <thread>

namespace lf::adapters::kafka {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max) : initial_(initial), max_(max) {}
  // The delay to wait now; the next one is twice as long, up to max.
  std::chrono::milliseconds next() {
    const auto d = current_;
    current_ = std::min(current_ * 2, max_);
    return d;
  }
  void reset() { current_ = initial_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_ = initial_;
};

// Starts `body(stop)` on a thread named `thread_name`. The body retries every expected failure
// itself; an exception that still escapes it (a non-std one, an allocation failure) is logged as
// "<what> ended by an unexpected error" instead of terminating the process.
std::jthread start_worker(const char* thread_name, std::string what, std::function<void(const std::stop_token&)> body);

// Sleeps for `d` unless stop is requested first.
void sleep_unless_stopped(const std::stop_token& stop, std::chrono::milliseconds d);

// True when `e` says the Postgres server went away or is shutting down (a restart), as
// opposed to an error in what we asked it.
bool is_connection_loss(const std::exception& e);

}  // namespace lf::adapters::kafka
