// Multi-stream appends, stream guards and references, against a real PostgreSQL (ADR 0008):
// bulk commands are all or nothing; "delete while in use" never races past a new reference.
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/postgres/event_store.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using adapters::pg::PgEventStore;
using ports::AppendErrc;

ports::StreamAppend segment(const std::string& stream, std::int64_t expected, const std::string& type = "thing") {
  ports::StreamAppend s;
  s.stream_id = stream;
  s.stream_type = "test";
  s.expected_version = expected;
  s.events.push_back({"test." + type, 1, R"({"stream":")" + stream + "\"}"});
  return s;
}

ports::AppendRequest request(ports::StreamAppend own) {
  ports::AppendRequest r;
  r.stream_id = own.stream_id;
  r.stream_type = own.stream_type;
  r.expected_version = own.expected_version;
  r.events = std::move(own.events);
  r.claims = std::move(own.claims);
  r.releases = std::move(own.releases);
  r.refs = std::move(own.refs);
  r.metadata = {"cmd", "cause", "corr", "tester"};
  return r;
}

std::int64_t scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  return tx.exec(sql)[0][0].as<std::int64_t>();
}

class ReferencesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    store_ = std::make_unique<PgEventStore>(db_->url());
  }
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<PgEventStore> store_;
};

TEST_F(ReferencesTest, SeveralStreamsAreWrittenInOneRequestWithConsecutivePositions) {
  auto r = request(segment("a-1", 0));
  r.more.push_back(segment("a-2", 0));
  r.more.push_back(segment("a-3", 0));
  const auto appended = store_->append(std::move(r)).get();
  ASSERT_TRUE(appended.has_value());
  EXPECT_EQ(appended->first_position, 1);
  EXPECT_EQ(appended->last_position, 3);
  ASSERT_EQ(appended->stream_positions.size(), 3U);
  EXPECT_EQ(appended->stream_positions[2], (std::pair<std::string, std::int64_t>{"a-3", 3}));
  EXPECT_EQ(store_->stream_info("a-2").version, 1);
}

TEST_F(ReferencesTest, OneConflictingStreamRefusesTheWholeRequest) {
  auto first = request(segment("b-1", 0));
  first.claims.push_back({"email", "taken@example.com"});
  ASSERT_TRUE(store_->append(std::move(first)).get().has_value());

  auto bulk = request(segment("b-2", 0));
  auto clash = segment("b-3", 0);
  clash.claims.push_back({"email", "taken@example.com"});
  bulk.more.push_back(segment("b-4", 0));
  bulk.more.push_back(std::move(clash));
  const auto refused = store_->append(std::move(bulk)).get();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, AppendErrc::unique_conflict);
  EXPECT_EQ(refused.error().scope, "email");
  EXPECT_EQ(refused.error().value, "taken@example.com");
  EXPECT_EQ(scalar(db_->url(), "SELECT count(*) FROM events"), 1);
  EXPECT_EQ(scalar(db_->url(), "SELECT count(*) FROM streams"), 1);
  EXPECT_EQ(scalar(db_->url(), "SELECT count(*) FROM unique_claims"), 1);
}

TEST_F(ReferencesTest, TwoStreamsOfOneRequestCannotClaimTheSameValue) {
  auto bulk = request(segment("c-1", 0));
  bulk.claims.push_back({"email", "twice@example.com"});
  auto second = segment("c-2", 0);
  second.claims.push_back({"email", "twice@example.com"});
  bulk.more.push_back(std::move(second));
  const auto refused = store_->append(std::move(bulk)).get();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, AppendErrc::unique_conflict);
  EXPECT_EQ(scalar(db_->url(), "SELECT count(*) FROM events"), 0);
}

TEST_F(ReferencesTest, AGuardedStreamThatMovedRefusesTheAppend) {
  ASSERT_TRUE(store_->append(request(segment("role-1", 0))).get().has_value());
  auto uses = request(segment("user-1", 0));
  uses.guards.push_back({"role-1", 1});
  ASSERT_TRUE(store_->append(std::move(uses)).get().has_value());

  ASSERT_TRUE(store_->append(request(segment("role-1", 1))).get().has_value());  // the role moves on
  auto stale = request(segment("user-2", 0));
  stale.guards.push_back({"role-1", 1});
  const auto refused = store_->append(std::move(stale)).get();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, AppendErrc::version_conflict);
  EXPECT_EQ(store_->stream_info("user-2").version, 0);
}

TEST_F(ReferencesTest, ReferencesAreReplacedAndGuardDeletesWhileInUse) {
  ASSERT_TRUE(store_->append(request(segment("cfg-1", 0))).get().has_value());
  auto task = segment("task-1", 0);
  task.refs = std::vector<ports::StreamRef>{{"cfg-1", "task.config"}};
  ASSERT_TRUE(store_->append(request(std::move(task))).get().has_value());

  auto del = request(segment("cfg-1", 1, "deleted"));
  del.unreferenced.push_back({"cfg-1", {"task.config"}, "config in use"});
  const auto refused = store_->append(del).get();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, AppendErrc::referenced);
  EXPECT_EQ(refused.error().message, "config in use");

  // A guard only counts the kinds it names.
  auto other_kind = request(segment("cfg-1", 1, "renamed"));
  other_kind.unreferenced.push_back({"cfg-1", {"workflow.config"}, "used by workflows"});
  ASSERT_TRUE(store_->append(std::move(other_kind)).get().has_value());

  // The task lets go of the config (an empty set drops its references): now it may go.
  auto release = segment("task-1", 1, "moved");
  release.refs = std::vector<ports::StreamRef>{};
  ASSERT_TRUE(store_->append(request(std::move(release))).get().has_value());
  EXPECT_EQ(scalar(db_->url(), "SELECT count(*) FROM stream_refs"), 0);
  del.expected_version = 2;
  ASSERT_TRUE(store_->append(std::move(del)).get().has_value());
  EXPECT_FALSE(store_->stream_info("cfg-1").live());
}

TEST_F(ReferencesTest, RefusedRequestsLeaveNoReferenceBehind) {
  auto task = segment("task-9", 5);  // wrong expected version: refused
  task.refs = std::vector<ports::StreamRef>{{"cfg-9", "task.config"}};
  ASSERT_FALSE(store_->append(request(std::move(task))).get().has_value());
  EXPECT_EQ(scalar(db_->url(), "SELECT count(*) FROM stream_refs"), 0);
}

// The race the references exist for: "create a referrer" (guarding the target's version) and
// "delete the target" (guarding that nothing refers to it) run concurrently many times. Either
// may win, but never both: no referrer may end up pointing at a deleted target.
TEST_F(ReferencesTest, DeleteAndNewReferenceRacingNeverLeaveADanglingReference) {
  constexpr int kRounds = 40;
  for (int i = 0; i < kRounds; ++i) {
    const auto target = "cfg-r" + std::to_string(i);
    ASSERT_TRUE(store_->append(request(segment(target, 0))).get().has_value());
    auto create = segment("task-r" + std::to_string(i), 0);
    create.refs = std::vector<ports::StreamRef>{{target, "task.config"}};
    auto referrer = request(std::move(create));
    referrer.guards.push_back({target, 1});
    auto del = request(segment(target, 1, "deleted"));
    del.unreferenced.push_back({target, {"task.config"}, "in use"});
    // Two stores: two appender threads and connections, serialised only by the database.
    PgEventStore other(db_->url());
    auto f1 = std::async(std::launch::async, [&] { return store_->append(referrer).get(); });
    auto f2 = std::async(std::launch::async, [&] { return other.append(del).get(); });
    const auto r1 = f1.get();
    const auto r2 = f2.get();
    EXPECT_NE(r1.has_value(), r2.has_value()) << "round " << i;
  }
  EXPECT_EQ(scalar(db_->url(),
                   "SELECT count(*) FROM stream_refs r JOIN streams s ON s.stream_id = r.target "
                   "JOIN events e ON e.stream_id = s.stream_id AND e.stream_version = s.version "
                   "WHERE e.event_type LIKE '%.deleted'"),
            0);
}

}  // namespace
}  // namespace lf
