// An api process without a projector learns that read models moved from the projectors'
// checkpoint news (NOTIFY at their commit), not from polling: the poller here reads the whole
// table only at start and when news is unusable (its interval is an hour).
#include "adapters/projection/checkpoint_poller.hpp"

#include <chrono>
#include <functional>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/postgres/connection_pool.hpp"
#include "adapters/projection/checkpoint_news.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using namespace std::chrono_literals;
using adapters::projection::CheckpointPoller;
using adapters::projection::ProgressBoard;

using testing::eventually;

class CheckpointPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    conn_ = adapters::pg::connect(db_->url());
  }
  // A checkpoint moved in PostgreSQL, with or without the news a projector sends with it.
  void move(const std::string& projection, int partition, std::int64_t position, const std::string* news) {
    pqxx::work tx(*conn_);
    tx.exec_params(
        "INSERT INTO projection_checkpoints (projection, partition, position) VALUES ($1, $2, $3) "
        "ON CONFLICT (projection, partition) DO UPDATE SET position = excluded.position",
        projection, partition, position);
    if (news != nullptr) {
      tx.exec_params("SELECT pg_notify($1, $2)", adapters::projection::kCheckpointChannel, *news);
    }
    tx.commit();
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(CheckpointPollerTest, NewsMovesTheBoardWithoutReadingTheTableAndUnusableNewsMakesItRead) {
  move("roles", 1, 10, nullptr);
  ProgressBoard board;
  CheckpointPoller poller(db_->url(), board, 1h);
  ASSERT_TRUE(eventually([&] { return board.applied("roles", 1) == 10; }, 10s)) << "the start reads the table";
  ASSERT_TRUE(eventually([&] { return poller.full_reads() == 1; }, 10s));

  // A projector's commit: the news names the checkpoint.
  const std::string news = "roles:1:25;settings:3:7";
  move("roles", 1, 25, nullptr);
  move("settings", 3, 7, &news);
  ASSERT_TRUE(eventually([&] { return board.applied("settings", 3) == 7; }, 10s));
  EXPECT_EQ(board.applied("roles", 1), 25);
  EXPECT_EQ(poller.full_reads(), 1U) << "news needs no query";

  // A checkpoint moved without news is not seen (the next full read is an hour away)...
  move("users", 0, 3, nullptr);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(board.applied("users", 0), 0);
  // ...until news arrives that the poller cannot use: then it reads the table.
  const std::string unusable;
  move("users", 2, 4, &unusable);
  ASSERT_TRUE(eventually([&] { return board.applied("users", 0) == 3 && board.applied("users", 2) == 4; }, 10s));
  // The poller counts a full read after it has moved the board: wait for the count as well.
  EXPECT_TRUE(eventually([&] { return poller.full_reads() == 2U; }, 10s)) << poller.full_reads();
}

}  // namespace
}  // namespace lf
