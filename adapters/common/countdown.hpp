#pragma once
// A one-shot countdown one thread waits on while others count it down: the write path's single
// wait for "committed, and shown by the read model". Shared by pointer between the waiting
// thread and whoever counts down, so a count that arrives after the waiter gave up touches
// nothing freed, and counting down never holds a lock the waiter needs to wake up.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace lf::adapters {

class Countdown {
 public:
  explicit Countdown(int count) : count_(count) {}

  // More to wait for (only while the count is above zero).
  void add(int n);
  // One of them happened; at zero the waiter wakes.
  void count_down();
  // True once the count reached zero, false when `timeout` passed first.
  bool wait_for(std::chrono::steady_clock::duration timeout);
  bool done();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_;
};

}  // namespace lf::adapters
