// The write path's one wait: it ends when every count is down, from whichever thread counts.
#include "adapters/common/countdown.hpp"

#include <memory>
#include <thread>

#include <gtest/gtest.h>

namespace lf::adapters {
namespace {

using namespace std::chrono_literals;

TEST(Countdown, EndsWhenEveryCountIsDown) {
  Countdown done(1);
  done.add(2);
  done.count_down();
  done.count_down();
  EXPECT_FALSE(done.done());
  EXPECT_FALSE(done.wait_for(10ms));
  done.count_down();
  EXPECT_TRUE(done.done());
  EXPECT_TRUE(done.wait_for(0ms));
  done.count_down();  // past zero: stays done
  EXPECT_TRUE(done.done());
}

TEST(Countdown, AnotherThreadsCountWakesTheWaiter) {
  const auto done = std::make_shared<Countdown>(2);
  std::thread counter([done] {
    done->count_down();
    std::this_thread::sleep_for(20ms);
    done->count_down();
  });
  EXPECT_TRUE(done->wait_for(30s));
  counter.join();
}

}  // namespace
}  // namespace lf::adapters
