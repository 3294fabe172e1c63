// The read-your-writes board: a writer returns once its position is applied on its partition,
// not before, and not for another projection or partition.
#include "adapters/projection/progress_board.hpp"

#include <atomic>
#include <future>
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

}  // namespace
}  // namespace lf::adapters::projection
