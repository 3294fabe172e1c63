// The read-your-writes board: a writer returns once its position is applied on its partition,
// not before, and not for another projection or partition.
#include "adapters/projection/progress_board.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace lf::adapters::projection {
namespace {

using namespace std::chrono_literals;

TEST(ProgressBoard, AnAppliedPositionAnswersAtOnce) {
  ProgressBoard board;
  board.advance("roles", 1, 7);
  EXPECT_TRUE(board.wait_for("roles", 1, 7, 0ms));
  EXPECT_TRUE(board.wait_for("roles", 1, 3, 0ms));
  EXPECT_EQ(board.applied("roles", 1), 7);
  board.advance("roles", 1, 4);  // never backwards
  EXPECT_EQ(board.applied("roles", 1), 7);
}

TEST(ProgressBoard, OtherPartitionsAndProjectionsDoNotCount) {
  ProgressBoard board;
  board.advance("roles", 0, 100);
  board.advance("settings", 1, 100);
  EXPECT_FALSE(board.wait_for("roles", 1, 5, 20ms));
}

TEST(ProgressBoard, EachWriterWakesWhenItsOwnPositionIsApplied) {
  ProgressBoard board;
  constexpr int kWriters = 16;
  std::vector<std::future<bool>> writers;
  std::atomic<int> returned{0};
  for (int i = 1; i <= kWriters; ++i) {
    writers.push_back(std::async(std::launch::async, [&, i] {
      const bool ok = board.wait_for("roles", 2, std::int64_t{i} * 10, 10s);
      ++returned;
      return ok;
    }));
  }
  std::this_thread::sleep_for(50ms);  // let them register (a late one answers at once anyway)
  board.advance("roles", 2, 80);      // satisfies writers 1..8 only
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(writers[i].get());
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(returned.load(), 8) << "a writer past the applied position returned early";
  board.advance("roles", 2, 160);
  for (int i = 8; i < kWriters; ++i) {
    EXPECT_TRUE(writers[i].get());
  }
}

TEST(ProgressBoard, AWriterGivesUpAfterItsTimeout) {
  ProgressBoard board;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(board.wait_for("roles", 3, 1, 30ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 30ms);
  board.advance("roles", 3, 1);  // nobody is registered any more: must not touch a gone waiter
  EXPECT_TRUE(board.wait_for("roles", 3, 1, 0ms));
}

TEST(ProgressBoard, ACountdownEndsOnlyWhenEveryPartitionItWaitsOnGotThere) {
  ProgressBoard board;
  board.advance("roles", 0, 5);
  const auto done = std::make_shared<Countdown>(3);
  board.count_down_when_applied("roles", 0, 5, done);  // already applied: counts at once
  board.count_down_when_applied("roles", 1, 9, done);
  board.count_down_when_applied("roles", 2, 4, done);
  board.advance("roles", 1, 9);
  EXPECT_FALSE(done->done());
  board.advance("settings", 2, 4);  // another projection
  EXPECT_FALSE(done->done());
  board.advance("roles", 2, 3);  // not there yet
  EXPECT_FALSE(done->done());
  EXPECT_TRUE(board.forget(done)) << "partition 2 still waited for";
  board.advance("roles", 2, 4);  // forgotten: nothing counts any more
  EXPECT_FALSE(done->done());
  EXPECT_FALSE(board.forget(done));
}

TEST(ProgressBoard, ForgettingAfterItGotThereSaysNothingWasLeft) {
  ProgressBoard board;
  const auto done = std::make_shared<Countdown>(1);
  board.count_down_when_applied("roles", 4, 2, done);
  board.advance("roles", 4, 2);
  EXPECT_TRUE(done->done());
  EXPECT_FALSE(board.forget(done));
}

// Many writers and one projector advancing position by position: every writer returns true
// exactly when its position is applied, whatever the interleaving of registering and advancing.
TEST(ProgressBoard, ConcurrentWritersAllSeeTheirPosition) {
  ProgressBoard board;
  constexpr int kWriters = 64;
  std::vector<std::future<bool>> writers;
  writers.reserve(kWriters);
  for (int i = 1; i <= kWriters; ++i) {
    writers.push_back(std::async(std::launch::async, [&board, i] {
      const bool ok = board.wait_for("roles", 5, i, 30s);
      return ok && board.applied("roles", 5) >= i;
    }));
  }
  for (int p = 1; p <= kWriters; ++p) {
    board.advance("roles", 5, p);
    std::this_thread::yield();
  }
  for (auto& w : writers) {
    EXPECT_TRUE(w.get());
  }
}

}  // namespace
}  // namespace lf::adapters::projection
