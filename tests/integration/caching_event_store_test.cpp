// Commands deciding on cached streams, against a real PostgreSQL (docs/adr/0013): the store's
// commit report holds exactly what the log returns, and no answer rests on a stale entry, with
// two "api processes" (each a PgEventStore with its own cache) writing the same streams.
#include "adapters/app/caching_event_store.hpp"

#include <future>
#include <memory>

#include <gtest/gtest.h>

#include "adapters/postgres/event_store.hpp"
#include "tests/support/recorded_event_match.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using adapters::app::CachingEventStore;
using adapters::app::StreamCache;
using adapters::pg::PgEventStore;

// What one api process holds: its store, its cache fed by the store's commit report, and the
// caching store its command handlers use.
struct Process {
  explicit Process(const std::string& url) : store(url), cache(100), commands(store, cache) {
    store.on_events_committed([this](const std::vector<domain::RecordedEvent>& events) { cache.committed(events); });
  }
  ~Process() { store.on_events_committed(nullptr); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  Process(Process&&) = delete;
  Process& operator=(Process&&) = delete;

  PgEventStore store;
  StreamCache cache;
  CachingEventStore commands;
};

ports::AppendRequest set_request(const std::string& stream, std::int64_t expected, const std::string& data) {
  ports::AppendRequest r;
  r.stream_id = stream;
  r.stream_type = "counter";
  r.expected_version = expected;
  r.events.push_back({"counter.set", 1, data});
  r.metadata = {"cmd-" + stream + "-" + std::to_string(expected), "cause", "corr", "tester"};
  r.recorded_at = "2026-11-23T10:00:00.123Z";
  return r;
}

std::string value_json(int value) { return R"({"value":)" + std::to_string(value) + "}"; }

int value_of(const std::vector<domain::RecordedEvent>& events) {
  if (events.empty()) {
    return -1;
  }
  const auto& d = events.back().data_json;  // {"value":N}
  return std::stoi(d.substr(d.find(':') + 1));
}

struct Answer {
  std::string outcome;  // set, unchanged, conflict, error
  int attempts = 0;
};

// The shape of every handler: fold, decide, append (or answer without appending).
Answer set_value(CachingEventStore& store, const std::string& stream, int value) {
  int attempts = 0;
  auto outcome = store.run_command([&] {
    ++attempts;
    const auto events = store.read_stream(stream);
    if (value_of(events) == value) {
      return std::string("unchanged");
    }
    const auto r = store.append(set_request(stream, adapters::app::version_of(events), value_json(value))).get();
    if (!r) {
      return std::string(r.error().code == ports::AppendErrc::version_conflict ? "conflict" : "error");
    }
    return std::string("set");
  });
  return {outcome, attempts};
}

class CachingEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
  }
  std::unique_ptr<testing::TestDatabase> db_;
};

void expect_same_events(const std::vector<domain::RecordedEvent>& cached,
                        const std::vector<domain::RecordedEvent>& logged) {
  ASSERT_EQ(cached.size(), logged.size());
  for (std::size_t i = 0; i < cached.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    testing::expect_same_event(cached[i], logged[i]);
  }
}

TEST_F(CachingEventStoreTest, TheCommitReportHoldsWhatTheLogReturns) {
  Process p(db_->url());
  ASSERT_TRUE(p.store.append(set_request("counter-a", 0, value_json(1))).get().has_value());
  auto second = set_request("counter-a", 1, R"({ "value" : 2,  "note": "spaces and \"quotes\" kept" })");
  second.idempotency = ports::IdempotencyRecord{"key-1", "fp", {200, "{}"}};
  second.metadata.actor = "O'Brien \\ \"the admin\"";
  // A second stream written in the same transaction.
  second.more.push_back({"counter-b", "counter", 0, {{"counter.set", 1, value_json(7)}}, {}, {}, std::nullopt});
  ASSERT_TRUE(p.store.append(second).get().has_value());
  // Two commands racing for version 3: one is refused, the report holds only the winner.
  auto r1 = p.store.append(set_request("counter-a", 2, value_json(3)));
  auto r2 = p.store.append(set_request("counter-a", 2, value_json(4)));
  EXPECT_NE(r1.get().has_value(), r2.get().has_value());

  for (const std::string stream : {"counter-a", "counter-b"}) {
    SCOPED_TRACE(stream);
    const auto cached = p.cache.find(stream);
    ASSERT_NE(cached, nullptr) << "the report did not put the stream in the cache";
    expect_same_events(*cached, p.store.read_stream(stream));
  }
  EXPECT_EQ(p.cache.find("counter-a")->size(), 3U);
}

TEST_F(CachingEventStoreTest, AStreamStampedWithATimeInAnotherFormIsNotHeld) {
  Process p(db_->url());
  auto r = set_request("counter-c", 0, value_json(1));
  r.recorded_at = "2026-11-23T12:00:00+02:00";  // valid RFC 3339; the log renders it otherwise
  ASSERT_TRUE(p.store.append(r).get().has_value());
  EXPECT_EQ(p.cache.find("counter-c"), nullptr);
  EXPECT_EQ(p.store.read_stream("counter-c").at(0).recorded_at, "2026-11-23T10:00:00.000Z");
}

TEST_F(CachingEventStoreTest, ACommandOnAStreamAnotherProcessMovedRunsAgainAndSucceeds) {
  Process one(db_->url());
  Process two(db_->url());
  ASSERT_EQ(set_value(one.commands, "counter-a", 1).outcome, "set");
  ASSERT_NE(one.cache.find("counter-a"), nullptr);
  ASSERT_EQ(set_value(two.commands, "counter-a", 2).outcome, "set");  // one's entry is now stale

  const auto answer = set_value(one.commands, "counter-a", 3);
  EXPECT_EQ(answer.outcome, "set") << "the stale entry turned into a 409 the caller did not cause";
  EXPECT_EQ(answer.attempts, 2);
  const auto log = one.store.read_stream("counter-a");
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(value_of(log), 3);
  // The second attempt's read refreshed the entry.
  ASSERT_NE(one.cache.find("counter-a"), nullptr);
  EXPECT_EQ(adapters::app::version_of(*one.cache.find("counter-a")), 3);
}

TEST_F(CachingEventStoreTest, ANoChangeDecidedOnAStaleEntryIsCheckedAndDecidedAgain) {
  Process one(db_->url());
  Process two(db_->url());
  ASSERT_EQ(set_value(one.commands, "counter-a", 1).outcome, "set");
  ASSERT_EQ(set_value(two.commands, "counter-a", 2).outcome, "set");

  // On one's stale entry the value is already 1: "unchanged" would be a wrong answer.
  const auto answer = set_value(one.commands, "counter-a", 1);
  EXPECT_EQ(answer.outcome, "set");
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_EQ(value_of(one.store.read_stream("counter-a")), 1);
}

TEST_F(CachingEventStoreTest, ANoChangeOnACurrentEntryStandsAfterItsCheck) {
  Process one(db_->url());
  ASSERT_EQ(set_value(one.commands, "counter-a", 1).outcome, "set");
  const auto answer = set_value(one.commands, "counter-a", 1);
  EXPECT_EQ(answer.outcome, "unchanged");
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(one.store.read_stream("counter-a").size(), 1U);
}

TEST_F(CachingEventStoreTest, AStreamReadFromTheCacheGuardsAnAppendToAnotherStream) {
  Process one(db_->url());
  Process two(db_->url());
  ASSERT_EQ(set_value(one.commands, "limit", 10).outcome, "set");
  ASSERT_EQ(set_value(two.commands, "limit", 20).outcome, "set");

  // Copies the limit it reads into another stream: a decision resting on `limit`.
  int attempts = 0;
  const auto ok = one.commands.run_command([&] {
    ++attempts;
    const auto limit = value_of(one.commands.read_stream("limit"));
    const auto copies = one.commands.read_stream("copy");
    return one.commands.append(set_request("copy", adapters::app::version_of(copies), value_json(limit)))
        .get()
        .has_value();
  });
  EXPECT_TRUE(ok);
  EXPECT_EQ(attempts, 2);
  const auto copy = one.store.read_stream("copy");
  ASSERT_EQ(copy.size(), 1U) << "the refused first attempt appended nothing";
  EXPECT_EQ(value_of(copy), 20) << "the copy was decided on the stale limit";
}

TEST_F(CachingEventStoreTest, ARaceBetweenCommandsOfOneProcessStaysAConflict) {
  Process one(db_->url());
  ASSERT_EQ(set_value(one.commands, "counter-a", 1).outcome, "set");

  int attempts = 0;
  const auto outcome = one.commands.run_command([&] {
    ++attempts;
    const auto events = one.commands.read_stream("counter-a");
    if (attempts == 1) {
      // Another request of this process commits version 2 between our read and our append.
      auto other = std::async(std::launch::async, [&] { return set_value(one.commands, "counter-a", 5); });
      EXPECT_EQ(other.get().outcome, "set");
    }
    const auto r =
        one.commands.append(set_request("counter-a", adapters::app::version_of(events), value_json(9))).get();
    return r ? std::string("set") : std::string("conflict");
  });
  EXPECT_EQ(outcome, "conflict") << "a race this process saw must answer 409, as without the cache";
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(value_of(one.store.read_stream("counter-a")), 5);
}

}  // namespace
}  // namespace lf
