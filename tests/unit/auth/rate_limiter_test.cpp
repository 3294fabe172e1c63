// The sliding-window rate limiter of adapters/auth/rate_limiter, on a clock the tests move.
#include "adapters/auth/rate_limiter.hpp"

#include <atomic>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace lf::adapters::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const RateLimiter::Clock::time_point kT0 = RateLimiter::Clock::now();

TEST(RateLimiter, TenPerMinuteRefusesTheEleventhUntilASlotFrees) {
  RateLimiter limiter(10, seconds{60});
  for (std::size_t i = 1; i <= 10; ++i) {
    const auto d = limiter.hit("203.0.113.7", kT0);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 10U);
    EXPECT_EQ(d.remaining, 10U - i);  // counts down 9 … 0
    EXPECT_EQ(d.retry_after, seconds{0});
  }
  const auto refused = limiter.hit("203.0.113.7", kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0U);
  EXPECT_EQ(refused.retry_after, seconds{60});

  const auto later = limiter.hit("203.0.113.7", kT0 + seconds{30});
  EXPECT_FALSE(later.allowed);
  EXPECT_EQ(later.retry_after, seconds{30});

  const auto freed = limiter.hit("203.0.113.7", kT0 + seconds{60});
  EXPECT_TRUE(freed.allowed);
  EXPECT_EQ(freed.remaining, 9U);
}

TEST(RateLimiter, WindowSlidesWithEachHit) {
  RateLimiter limiter(2, seconds{60});
  EXPECT_TRUE(limiter.hit("k", kT0).allowed);
  EXPECT_TRUE(limiter.hit("k", kT0 + seconds{30}).allowed);
  const auto refused = limiter.hit("k", kT0 + seconds{45});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds{15});  // the hit at t0 leaves at t0 + 60
  EXPECT_TRUE(limiter.hit("k", kT0 + seconds{60}).allowed);
  const auto again = limiter.hit("k", kT0 + seconds{61});
  EXPECT_FALSE(again.allowed);
  EXPECT_EQ(again.retry_after, seconds{29});  // now the hit at t0 + 30 is the oldest
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSecondsAndIsAtLeastOne) {
  RateLimiter limiter(1, seconds{60});
  ASSERT_TRUE(limiter.hit("k", kT0).allowed);
  EXPECT_EQ(limiter.hit("k", kT0 + milliseconds{500}).retry_after, seconds{60});  // 59.5 s
  EXPECT_EQ(limiter.hit("k", kT0 + milliseconds{59'001}).retry_after, seconds{1});
  EXPECT_EQ(limiter.hit("k", kT0 + milliseconds{59'999}).retry_after, seconds{1});
}

TEST(RateLimiter, RefusedHitsDoNotExtendTheLockout) {
  RateLimiter limiter(1, seconds{60});
  ASSERT_TRUE(limiter.hit("k", kT0).allowed);
  for (int s = 1; s < 60; ++s) {
    EXPECT_FALSE(limiter.hit("k", kT0 + seconds{s}).allowed);
  }
  EXPECT_TRUE(limiter.hit("k", kT0 + seconds{60}).allowed);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1, seconds{60});
  EXPECT_TRUE(limiter.hit("ip:203.0.113.7", kT0).allowed);
  EXPECT_FALSE(limiter.hit("ip:203.0.113.7", kT0).allowed);
  EXPECT_TRUE(limiter.hit("ip:203.0.113.8", kT0).allowed);
  EXPECT_TRUE(limiter.hit("email:ada@example.com", kT0).allowed);
}

TEST(RateLimiter, PeekDecidesWithoutRecording) {
  RateLimiter limiter(2, seconds{60});
  auto d = limiter.peek("k", kT0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 2U);
  EXPECT_EQ(limiter.tracked_keys(), 0U);

  ASSERT_TRUE(limiter.hit("k", kT0).allowed);
  EXPECT_EQ(limiter.peek("k", kT0).remaining, 1U);
  EXPECT_EQ(limiter.peek("k", kT0).remaining, 1U);
  ASSERT_TRUE(limiter.hit("k", kT0 + seconds{10}).allowed);

  d = limiter.peek("k", kT0 + seconds{20});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0U);
  EXPECT_EQ(d.retry_after, seconds{40});
  d = limiter.peek("k", kT0 + seconds{60});  // the first hit has left the window
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1U);
}

TEST(RateLimiter, ResetForgetsAKey) {
  RateLimiter limiter(1, seconds{60});
  ASSERT_TRUE(limiter.hit("k", kT0).allowed);
  ASSERT_FALSE(limiter.hit("k", kT0).allowed);
  limiter.reset("k");
  EXPECT_TRUE(limiter.hit("k", kT0).allowed);
}

TEST(RateLimiter, ClockReadingsOutOfOrderStillCount) {
  // Two threads may read the clock in one order and take the lock in the other.
  RateLimiter limiter(2, seconds{60});
  ASSERT_TRUE(limiter.hit("k", kT0 + seconds{10}).allowed);
  ASSERT_TRUE(limiter.hit("k", kT0 + seconds{9}).allowed);  // recorded as t0 + 10
  EXPECT_FALSE(limiter.hit("k", kT0 + seconds{10}).allowed);
  EXPECT_TRUE(limiter.hit("k", kT0 + seconds{70}).allowed);
}

TEST(RateLimiter, EvictIdleRemovesKeysWhoseHitsHaveAllExpired) {
  RateLimiter limiter(5, seconds{60});
  for (int i = 0; i < 100; ++i) {
    limiter.hit("k" + std::to_string(i), kT0);
  }
  limiter.hit("recent", kT0 + seconds{30});
  EXPECT_EQ(limiter.tracked_keys(), 101U);
  EXPECT_EQ(limiter.evict_idle(kT0 + seconds{59}), 0U);
  EXPECT_EQ(limiter.evict_idle(kT0 + seconds{60}), 100U);
  EXPECT_EQ(limiter.tracked_keys(), 1U);
  EXPECT_EQ(limiter.peek("recent", kT0 + seconds{60}).remaining, 4U);
}

TEST(RateLimiter, IdleKeysAreSweptWithoutBeingAskedTo) {
  RateLimiter limiter(1, seconds{1});  // the default max_keys (100,000) is never reached here
  for (int i = 0; i < 40'000; ++i) {
    limiter.hit("k" + std::to_string(i), kT0 + milliseconds{i * 10});
  }
  // At 10 ms apart and a 1 s window only the last 100 keys are live. Each of the 16 shards sweeps
  // at least every 1,024 of its hits, so fewer than 16 x (1,024 + 100) keys remain of the 40,000.
  EXPECT_LT(limiter.tracked_keys(), 16U * 1124U);
  limiter.evict_idle(kT0 + milliseconds{399'990});
  EXPECT_EQ(limiter.tracked_keys(), 100U);  // k39900 … k39999, hit after 398.99 s
}

TEST(RateLimiter, FullTableEvictsIdleKeysFirst) {
  RateLimiter limiter(1, seconds{60}, /*max_keys=*/8);
  limiter.hit("old", kT0);
  for (int i = 1; i < 8; ++i) {
    limiter.hit("k" + std::to_string(i), kT0 + seconds{50});
  }
  ASSERT_EQ(limiter.tracked_keys(), 8U);
  EXPECT_TRUE(limiter.hit("new", kT0 + seconds{70}).allowed);  // "old" is idle by now
  EXPECT_EQ(limiter.tracked_keys(), 8U);
  for (int i = 1; i < 8; ++i) {
    EXPECT_FALSE(limiter.hit("k" + std::to_string(i), kT0 + seconds{70}).allowed) << i;
  }
}

TEST(RateLimiter, FullTableThenEvictsTheLeastRecentlyActive) {
  RateLimiter limiter(1, seconds{3600}, /*max_keys=*/8);
  for (int i = 0; i < 8; ++i) {
    limiter.hit("k" + std::to_string(i), kT0 + seconds{i});
  }
  EXPECT_TRUE(limiter.hit("new", kT0 + seconds{10}).allowed);
  EXPECT_EQ(limiter.tracked_keys(), 8U);
  EXPECT_FALSE(limiter.hit("k1", kT0 + seconds{11}).allowed);  // still counted
  EXPECT_TRUE(limiter.hit("k0", kT0 + seconds{11}).allowed);   // forgotten: the oldest
}

TEST(RateLimiter, NeverTracksMoreThanMaxKeys) {
  RateLimiter limiter(3, seconds{3600}, /*max_keys=*/1000);
  for (int i = 0; i < 20'000; ++i) {
    limiter.hit("k" + std::to_string(i), kT0 + milliseconds{i});
    ASSERT_LE(limiter.tracked_keys(), 1000U) << i;
  }
  // The most recent keys are still limited.
  for (int h = 0; h < 2; ++h) {
    limiter.hit("k19999", kT0 + seconds{30});
  }
  EXPECT_FALSE(limiter.hit("k19999", kT0 + seconds{30}).allowed);
}

TEST(RateLimiter, ConcurrentHitsOnOneKeyAllowExactlyTheLimit) {
  RateLimiter limiter(500, seconds{60});
  constexpr int kThreads = 8;
  constexpr int kHitsPerThread = 1000;
  std::atomic<int> allowed{0};
  std::latch start(kThreads);
  std::vector<std::jthread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kHitsPerThread; ++i) {
        if (limiter.hit("shared").allowed) {
          allowed.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  threads.clear();  // joins
  EXPECT_EQ(allowed.load(), 500);
}

TEST(RateLimiter, ConcurrentHitsOnManyKeysAreCountedPerKey) {
  RateLimiter limiter(10, seconds{60});
  constexpr int kThreads = 8;
  std::atomic<int> allowed{0};
  std::latch start(kThreads);
  std::vector<std::jthread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < 2000; ++i) {
        if (limiter.hit("k" + std::to_string(i % 100)).allowed) {
          allowed.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  threads.clear();
  EXPECT_EQ(allowed.load(), 100 * 10);
}

TEST(RateLimiter, RejectsNonsenseConfiguration) {
  EXPECT_THROW(RateLimiter(0, seconds{60}), std::invalid_argument);
  EXPECT_THROW(RateLimiter(10, seconds{0}), std::invalid_argument);
  EXPECT_THROW(RateLimiter(10, seconds{60}, 0), std::invalid_argument);
}

}  // namespace
}  // namespace lf::adapters::auth
