// The command path after the decision, against a real PostgreSQL: an accepted command answers
// once it is committed *and* its read model shows it (read-your-writes), in one wait; a refused
// one answers at once; a read model that never catches up costs the consistency timeout, not
// the answer.
#include "adapters/app/command_executor.hpp"

#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/app/caching_event_store.hpp"
#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/event_store.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using namespace std::chrono_literals;
using adapters::app::CommandContext;
using adapters::app::Decision;

Decision create_setting(const std::string& key, std::int64_t id) {
  Decision d;
  d.stream_id = "setting-" + key;
  d.stream_type = "setting";
  d.expected_version = 0;
  d.events.push_back(
      {"setting.created", 1,
       R"({"id":)" + std::to_string(id) + R"(,"key":")" + key + R"(","value":true,"description":null})"});
  d.recorded_at = "2026-12-07T10:00:00.000Z";
  d.success = {201, R"({"key":")" + key + "\"}"};
  d.projection = "settings";
  return d;
}

class CommandExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    store_ = std::make_unique<adapters::pg::PgEventStore>(db_->url());
    cache_ = std::make_unique<adapters::app::StreamCache>(100);
    commands_ = std::make_unique<adapters::app::CachingEventStore>(*store_, *cache_);
  }

  std::future<std::expected<adapters::app::Outcome, ports::AppendError>> execute(
      adapters::app::CommandExecutor& executor, Decision decision) {
    return std::async(std::launch::async, [this, &executor, decision = std::move(decision)]() mutable {
      // As the routes run it: inside a command attempt, so the caching store is in the path.
      return commands_->run_command([&] {
        return executor.execute(decision, CommandContext{"req-1", "tester", {}, "fp"});
      });
    });
  }

  // Waits until the store's head reaches `position` (the command committed).
  void await_head(std::int64_t position) {
    for (int i = 0; i < 3000 && store_->head_position() < position; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_GE(store_->head_position(), position);
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<adapters::pg::PgEventStore> store_;
  std::unique_ptr<adapters::app::StreamCache> cache_;
  std::unique_ptr<adapters::app::CachingEventStore> commands_;
  adapters::projection::ProgressBoard board_;
  adapters::metrics::Metrics metrics_;
};

TEST_F(CommandExecutorTest, AnAcceptedCommandAnswersOnceItsReadModelShowsIt) {
  adapters::app::CommandExecutor executor(*commands_, board_, metrics_, 60s);
  auto answer = execute(executor, create_setting("theme", 1));
  await_head(1);
  EXPECT_EQ(answer.wait_for(300ms), std::future_status::timeout) << "answered before the read model showed it";
  const int partition = adapters::kafka::partition_for("setting-theme");
  board_.advance("settings", partition + 1 == adapters::kafka::kPartitions ? 0 : partition + 1, 1);  // elsewhere
  board_.advance("roles", partition, 1);                                                             // another one
  EXPECT_EQ(answer.wait_for(300ms), std::future_status::timeout);
  board_.advance("settings", partition, 1);
  ASSERT_EQ(answer.wait_for(30s), std::future_status::ready);
  const auto outcome = answer.get();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result.status, 201);
  EXPECT_FALSE(outcome->replayed);
}

TEST_F(CommandExecutorTest, AReadModelAlreadyPastThePositionAnswersWithoutWaiting) {
  adapters::app::CommandExecutor executor(*commands_, board_, metrics_, 60s);
  board_.advance("settings", adapters::kafka::partition_for("setting-theme"), 1000);
  auto answer = execute(executor, create_setting("theme", 1));
  ASSERT_EQ(answer.wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(answer.get().has_value());
}

TEST_F(CommandExecutorTest, ARefusedCommandAnswersAtOnceWithoutWaitingForTheReadModel) {
  adapters::app::CommandExecutor executor(*commands_, board_, metrics_, 60s);
  auto stale = create_setting("theme", 1);
  stale.expected_version = 3;  // the stream does not exist: a version conflict
  auto answer = execute(executor, std::move(stale));
  ASSERT_EQ(answer.wait_for(30s), std::future_status::ready) << "a refusal waited for the read model";
  const auto outcome = answer.get();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, ports::AppendErrc::version_conflict);
}

TEST_F(CommandExecutorTest, AReadModelThatNeverCatchesUpCostsTheTimeoutNotTheAnswer) {
  adapters::app::CommandExecutor executor(*commands_, board_, metrics_, 200ms);
  const auto started = std::chrono::steady_clock::now();
  auto answer = execute(executor, create_setting("theme", 1));
  ASSERT_EQ(answer.wait_for(30s), std::future_status::ready);
  const auto outcome = answer.get();
  ASSERT_TRUE(outcome.has_value()) << "durable and acknowledged, only the read model is late";
  EXPECT_EQ(outcome->result.status, 201);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
  EXPECT_EQ(store_->head_position(), 1);
  // The projection arriving after the writer gave up touches nothing of the finished request.
  board_.advance("settings", adapters::kafka::partition_for("setting-theme"), 1);
}

TEST_F(CommandExecutorTest, WithoutAConsistencyTimeoutACommandAnswersAtTheCommit) {
  adapters::app::CommandExecutor executor(*commands_, board_, metrics_, 0ms);
  auto answer = execute(executor, create_setting("theme", 1));
  ASSERT_EQ(answer.wait_for(30s), std::future_status::ready) << "waited for a read model nobody advances";
  const auto outcome = answer.get();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result.status, 201);
  EXPECT_EQ(store_->head_position(), 1);
}

}  // namespace
}  // namespace lf
