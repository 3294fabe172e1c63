// The event store against a real PostgreSQL: guarantees 1 (durable before acknowledged),
// 2 (optimistic concurrency), 3 (idempotent commands), 9 (gap-free global order), and group commit.
#include "adapters/postgres/event_store.hpp"

#include <atomic>
#include <future>
#include <set>
#include <thread>
#include <utility>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using adapters::pg::PgEventStore;

ports::AppendRequest request(const std::string& stream, std::int64_t expected, int events = 1) {
  ports::AppendRequest r;
  r.stream_id = stream;
  r.stream_type = "test";
  r.expected_version = expected;
  for (int i = 0; i < events; ++i) {
    r.events.push_back({"test.happened", 1, R"({"n":)" + std::to_string(i) + "}"});
  }
  r.metadata = {"cmd", "cause", "corr", "tester"};
  return r;
}

std::int64_t count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  return tx.exec(sql)[0][0].as<std::int64_t>();
}

// Holds the store's first commit after it is installed until open(): that batch is decided
// and written, not yet committed.
class HeldCommit {
 public:
  explicit HeldCommit(PgEventStore& store) : store_(store) {
    store.before_commit_for_test([this, released = release_.get_future().share()] {
      if (std::exchange(first_, false)) {
        entered_.set_value();
        released.wait();
      }
    });
  }
  ~HeldCommit() { store_.before_commit_for_test({}); }
  HeldCommit(const HeldCommit&) = delete;
  HeldCommit& operator=(const HeldCommit&) = delete;
  HeldCommit(HeldCommit&&) = delete;
  HeldCommit& operator=(HeldCommit&&) = delete;

  void wait_until_held() { entered_.get_future().wait(); }
  void open() { release_.set_value(); }

 private:
  PgEventStore& store_;
  std::promise<void> entered_;
  std::promise<void> release_;
  bool first_ = true;  // read and written on the store's writer thread only
};

// The outcomes of requests appended as one batch: `odd` between `each_side` requests named
// good-0… on each side, all queued while the writer holds a first batch ("blocker").
struct OneBatch {
  ports::AppendResult odd;
  std::vector<ports::AppendResult> good;
};

OneBatch append_as_one_batch(PgEventStore& store, ports::AppendRequest odd, int each_side) {
  std::optional<HeldCommit> held(std::in_place, store);
  auto blocker = store.append(request("blocker", 0));
  held->wait_until_held();
  std::vector<std::future<ports::AppendResult>> good;
  good.reserve(2 * static_cast<std::size_t>(each_side));
  for (int i = 0; i < each_side; ++i) {
    good.push_back(store.append(request("good-" + std::to_string(i), 0)));
  }
  auto odd_one = store.append(std::move(odd));
  for (int i = each_side; i < 2 * each_side; ++i) {
    good.push_back(store.append(request("good-" + std::to_string(i), 0)));
  }
  held->open();
  EXPECT_TRUE(blocker.get().has_value());
  OneBatch out{odd_one.get(), {}};
  for (auto& f : good) {
    out.good.push_back(f.get());
  }
  return out;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
  }
  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_F(EventStoreTest, AppendsAndReadsBackInOrderWithDensePositions) {
  PgEventStore store(db_->url());
  auto a = store.append(request("s-1", 0, 3)).get();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->first_position, 1);
  EXPECT_EQ(a->last_position, 3);
  EXPECT_EQ(a->stream_version, 3);
  auto b = store.append(request("s-2", 0, 2)).get();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->first_position, 4);

  const auto stream = store.read_stream("s-1");
  ASSERT_EQ(stream.size(), 3U);
  for (std::size_t i = 0; i < stream.size(); ++i) {
    EXPECT_EQ(stream[i].stream_version, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(stream[i].metadata.actor, "tester");
    EXPECT_EQ(stream[i].data_json, R"({"n":)" + std::to_string(i) + "}");
  }
  const auto all = store.read_all(0, 100);
  ASSERT_EQ(all.size(), 5U);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].position, static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(store.head_position(), 5);
}

TEST_F(EventStoreTest, EventsAreAppendOnly) {
  PgEventStore store(db_->url());
  ASSERT_TRUE(store.append(request("s-1", 0)).get().has_value());
  pqxx::connection c(db_->url());
  pqxx::work tx(c);
  EXPECT_THROW(tx.exec("UPDATE events SET event_type = 'x'"), pqxx::sql_error);
}

// Guarantee 2: many writers decided on the same version; exactly one wins.
TEST_F(EventStoreTest, ConcurrentAppendsOnOneStreamHaveExactlyOneWinnerPerVersion) {
  PgEventStore store(db_->url());
  ASSERT_TRUE(store.append(request("role-1", 0)).get().has_value());
  std::vector<std::future<ports::AppendResult>> results;
  results.reserve(50);
  for (int i = 0; i < 50; ++i) {
    results.push_back(store.append(request("role-1", 1)));
  }
  int won = 0;
  int conflicts = 0;
  for (auto& f : results) {
    const auto r = f.get();
    if (r) {
      ++won;
    } else {
      EXPECT_EQ(r.error().code, ports::AppendErrc::version_conflict);
      ++conflicts;
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(conflicts, 49);
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events WHERE stream_id = 'role-1'"), 2);
}

// Guarantee 2 across processes: two stores (two appender connections) racing.
TEST_F(EventStoreTest, TwoStoresRacingOnOneStreamNeverLoseAnUpdate) {
  PgEventStore one(db_->url());
  PgEventStore two(db_->url());
  std::atomic<int> won{0};
  auto writer = [&](PgEventStore& store) {
    for (int i = 0; i < 200; ++i) {
      const auto version = static_cast<std::int64_t>(store.read_stream("hot").size());
      if (store.append(request("hot", version)).get()) {
        ++won;
      }
    }
  };
  std::thread a(writer, std::ref(one));
  std::thread b(writer, std::ref(two));
  a.join();
  b.join();
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events WHERE stream_id = 'hot'"), won.load());
  EXPECT_EQ(count(db_->url(), "SELECT max(stream_version) FROM events WHERE stream_id = 'hot'"), won.load());
}

// Guarantee 3: the same Idempotency-Key appends once and answers the first result.
TEST_F(EventStoreTest, RetriedCommandAppendsNothingAndReturnsTheOriginalResult) {
  PgEventStore store(db_->url());
  auto first = request("s-1", 0);
  first.idempotency = ports::IdempotencyRecord{"key-1", "fp-a", {201, R"({"id":1})"}};
  auto retry = first;
  ASSERT_TRUE(store.append(first).get().has_value());
  // The retry is decided again by the caller, so it may even carry another expected version.
  retry.expected_version = 1;
  retry.idempotency->result = {201, R"({"id":2})"};
  const auto r = store.append(retry).get();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->replayed.has_value());
  EXPECT_EQ(r->replayed->body, R"({"id":1})");
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 1);

  auto other = request("s-9", 0);
  other.idempotency = ports::IdempotencyRecord{"key-1", "fp-b", {201, "{}"}};
  const auto mismatch = store.append(other).get();
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().code, ports::AppendErrc::idempotency_mismatch);
  const auto found = store.find_command("key-1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->result.status, 201);
}

TEST_F(EventStoreTest, ConcurrentRetriesOfOneKeyAppendOnce) {
  PgEventStore store(db_->url());
  std::vector<std::future<ports::AppendResult>> results;
  for (int i = 0; i < 20; ++i) {
    auto r = request("s-" + std::to_string(i), 0);  // each decided its own new id, like POST
    r.idempotency = ports::IdempotencyRecord{"same-key", "fp", {201, "first"}};
    results.push_back(store.append(std::move(r)));
  }
  for (auto& f : results) {
    ASSERT_TRUE(f.get().has_value());
  }
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 1);
}

TEST_F(EventStoreTest, UniqueClaimsAdmitOneHolderAndCanBeReleased) {
  PgEventStore store(db_->url());
  std::vector<std::future<ports::AppendResult>> results;
  for (int i = 0; i < 10; ++i) {
    auto r = request("role-" + std::to_string(i), 0);
    r.claims = {{"role.name", "labeler"}};
    results.push_back(store.append(std::move(r)));
  }
  int won = 0;
  for (auto& f : results) {
    const auto r = f.get();
    if (r) {
      ++won;
    } else {
      EXPECT_EQ(r.error().code, ports::AppendErrc::unique_conflict);
    }
  }
  EXPECT_EQ(won, 1);
  const auto holder = [&] {
    pqxx::connection c(db_->url());
    pqxx::read_transaction tx(c);
    return tx.exec("SELECT stream_id FROM unique_claims WHERE value = 'labeler'")[0][0].as<std::string>();
  }();
  // The holder renames: releases "labeler", claims "reviewer"; then another may take "labeler".
  auto rename = request(holder, 1);
  rename.releases = {{"role.name", "labeler"}};
  rename.claims = {{"role.name", "reviewer"}};
  ASSERT_TRUE(store.append(rename).get().has_value());
  auto taker = request("role-new", 0);
  taker.claims = {{"role.name", "labeler"}};
  EXPECT_TRUE(store.append(taker).get().has_value());
  auto clash = request("role-other", 0);
  clash.claims = {{"role.name", "reviewer"}};
  EXPECT_FALSE(store.append(clash).get().has_value());
}

// The writer sends its rows as array literals (column by column): text that means something in an
// array literal or in SQL must arrive byte for byte in every column, and in claims and idempotency
// records read back from the server.
TEST_F(EventStoreTest, AwkwardTextArrivesByteForByteInEveryColumn) {
  const std::vector<std::string> awkward{R"(a "quoted" \ back\\slash)",
                                         "{braces,comma}",
                                         "NULL",
                                         "",
                                         " padded ",
                                         "it's",
                                         "line\nbreak\ttab",
                                         "ümlaut 日本語 🎉",
                                         "$1 $$ -- /* */ ;"};
  PgEventStore store(db_->url());
  for (std::size_t i = 0; i < awkward.size(); ++i) {
    const auto& text = awkward[i];
    ports::AppendRequest r;
    r.stream_id = "s-" + text;
    r.stream_type = "type " + text;
    r.expected_version = 0;
    std::string json_text;  // the text as a JSON string's contents
    for (const char c : text) {
      if (c == '"' || c == '\\') {
        json_text += '\\';
        json_text += c;
      } else if (c == '\n') {
        json_text += "\\n";
      } else if (c == '\t') {
        json_text += "\\t";
      } else {
        json_text += c;
      }
    }
    r.events.push_back({"test." + text, 1, R"({"text": ")" + json_text + R"("})"});
    r.metadata = {"cmd " + text, "cause " + text, "corr " + text, "actor " + text};
    r.claims = {{"scope " + text, "value " + text}};
    r.idempotency = ports::IdempotencyRecord{"key " + text, "fp " + text, {201, "body " + text}};
    ASSERT_TRUE(store.append(r).get().has_value()) << text;

    const auto events = store.read_stream(r.stream_id);
    ASSERT_EQ(events.size(), 1U) << text;
    EXPECT_EQ(events[0].stream_type, r.stream_type);
    EXPECT_EQ(events[0].type, "test." + text);
    EXPECT_EQ(events[0].data_json, r.events[0].data_json);
    EXPECT_EQ(events[0].metadata.command_id, "cmd " + text);
    EXPECT_EQ(events[0].metadata.actor, "actor " + text);
    EXPECT_EQ(store.claim_holder("scope " + text, "value " + text), r.stream_id);
    const auto command = store.find_command("key " + text);
    ASSERT_TRUE(command.has_value()) << text;
    EXPECT_EQ(command->fingerprint, "fp " + text);
    EXPECT_EQ(command->result.body, "body " + text);
    EXPECT_EQ(store.stream_info(r.stream_id).version, 1);
  }
  EXPECT_EQ(store.head_position(), static_cast<std::int64_t>(awkward.size()));
}

// Requests of one batch are decided one after the other on the claims and references the earlier
// ones left; a refused request's own changes must be taken back before the next is decided.
TEST_F(EventStoreTest, ARefusedRequestInABatchLeavesNoClaimOrReferenceBehind) {
  PgEventStore store(db_->url());
  auto holder_a = request("role-a", 0);
  holder_a.claims = {{"role.name", "a"}};
  auto holder_b = request("role-b", 0);
  holder_b.claims = {{"role.name", "b"}};
  ASSERT_TRUE(store.append(holder_a).get().has_value());
  ASSERT_TRUE(store.append(holder_b).get().has_value());

  // Hold the writer in a batch of its own so that the requests below queue up and are decided
  // together, in order, in the next one.
  HeldCommit held(store);
  auto blocker = store.append(request("blocker", 0));
  held.wait_until_held();

  // 1: role-a lets "a" go and points at "w", and in the same request a second stream takes "b"
  // (held by role-b): refused as a whole, after its first stream's changes were tried.
  auto rename = request("role-a", 1);
  rename.releases = {{"role.name", "a"}};
  rename.refs = std::vector<ports::StreamRef>{{"w", "uses"}};
  ports::StreamAppend second;
  second.stream_id = "role-a-alias";
  second.stream_type = "test";
  second.events.push_back({"test.happened", 1, "{}"});
  second.claims = {{"role.name", "b"}};
  rename.more.push_back(std::move(second));
  auto refused = store.append(rename);
  // 2: so "a" is still role-a's ...
  auto taker = request("role-c", 0);
  taker.claims = {{"role.name", "a"}};
  auto taken = store.append(taker);
  // 3: ... and nothing points at "w".
  auto remover = request("remover", 0);
  remover.unreferenced = {{"w", {"uses"}, "w is in use"}};
  auto removed = store.append(remover);
  held.open();

  ASSERT_TRUE(blocker.get().has_value());
  const auto r1 = refused.get();
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error().code, ports::AppendErrc::unique_conflict);
  const auto r2 = taken.get();
  ASSERT_FALSE(r2.has_value()) << "the refused request's release of \"a\" was kept";
  EXPECT_EQ(r2.error().code, ports::AppendErrc::unique_conflict);
  EXPECT_TRUE(removed.get().has_value()) << "the refused request's reference to \"w\" was kept";
  EXPECT_EQ(store.claim_holder("role.name", "a"), "role-a");
  EXPECT_EQ(store.claim_holder("role.name", "b"), "role-b");
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM stream_refs"), 0);
}

// The batch's transaction is opened and committed by its own statements (BEGIN with the first
// round trip, COMMIT with the writes). When the server refuses one request's writes, nothing of
// that batch may stay, the writer must not go on inside the aborted block, and the requests
// batched with the refused one must not fail with it: each is run again alone.
TEST_F(EventStoreTest, ARequestWhoseWritesTheServerRefusesFailsAloneAndTheWriterGoesOn) {
  {
    pqxx::connection c(db_->url());
    pqxx::work tx(c);
    tx.exec(
        "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.stream_id = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$");
    tx.exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
    tx.commit();
  }
  PgEventStore store(db_->url());
  const auto batch = append_as_one_batch(store, request("poison", 0), 10);
  ASSERT_FALSE(batch.odd.has_value());
  EXPECT_EQ(batch.odd.error().code, ports::AppendErrc::refused);
  for (std::size_t i = 0; i < batch.good.size(); ++i) {
    EXPECT_TRUE(batch.good[i].has_value()) << "good-" << i << " failed with the request batched beside it";
    EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events WHERE stream_id = 'good-" + std::to_string(i) + "'"), 1)
        << "good-" << i;
  }
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events WHERE stream_id = 'poison'"), 0);
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM streams"), 21);

  // The writer goes on, and the log stays dense.
  ASSERT_TRUE(store.append(request("after", 0)).get().has_value());
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 22);
  EXPECT_EQ(count(db_->url(), "SELECT max(position) FROM events"), 22);
  EXPECT_EQ(count(db_->url(), "SELECT position FROM log_head"), 22);
}

// Text the client library refuses to send (bytes that are not UTF-8) fails its own request
// only, like a refusal by the server.
TEST_F(EventStoreTest, ARequestWhoseTextCannotBeSentFailsAlone) {
  PgEventStore store(db_->url());
  auto unsendable = request("unsendable", 0);
  unsendable.events.front().data_json = "{\"d\":\"\xED\xB0\x80\"}";  // an unpaired surrogate, CESU-8
  const auto batch = append_as_one_batch(store, std::move(unsendable), 5);
  ASSERT_FALSE(batch.odd.has_value());
  EXPECT_EQ(batch.odd.error().code, ports::AppendErrc::refused);
  for (std::size_t i = 0; i < batch.good.size(); ++i) {
    EXPECT_TRUE(batch.good[i].has_value()) << "good-" << i << " failed with the request batched beside it";
  }
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 11);
  EXPECT_EQ(count(db_->url(), "SELECT max(position) FROM events"), 11);
}

// Group commit: concurrent appends share transactions.
TEST_F(EventStoreTest, ConcurrentAppendsAreGroupedIntoFewerTransactions) {
  PgEventStore store(db_->url());
  std::vector<std::future<ports::AppendResult>> results;
  results.reserve(500);
  for (int i = 0; i < 500; ++i) {
    results.push_back(store.append(request("g-" + std::to_string(i), 0)));
  }
  for (auto& f : results) {
    ASSERT_TRUE(f.get().has_value());
  }
  EXPECT_LT(store.batches_committed(), 500U);
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 500);
  EXPECT_EQ(count(db_->url(), "SELECT max(position) FROM events"), 500);
}

// Guarantee 1: nothing is acknowledged before COMMIT, and a failed commit acknowledges nothing.
TEST_F(EventStoreTest, AcknowledgesOnlyAfterCommit) {
  PgEventStore store(db_->url());
  HeldCommit held(store);
  auto pending = store.append(request("s-1", 0));
  held.wait_until_held();
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 0);
  held.open();
  ASSERT_TRUE(pending.get().has_value());
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 1);

  store.before_commit_for_test([] { throw std::runtime_error("disk on fire"); });
  const auto failed = store.append(request("s-2", 0)).get();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ports::AppendErrc::unavailable);
  EXPECT_EQ(count(db_->url(), "SELECT count(*) FROM events"), 1);
  store.before_commit_for_test({});
  EXPECT_TRUE(store.append(request("s-2", 0)).get().has_value());  // the store recovers
}

// A request's on_outcome hears its outcome after the commit and before its future is ready
// (the write path chains its read-model wait there), accepted, refused or failed alike.
TEST_F(EventStoreTest, TheOutcomeIsToldAfterCommitAndBeforeTheAnswer) {
  PgEventStore store(db_->url());
  struct Told {
    std::atomic<bool> told{false};
    ports::AppendResult result = std::unexpected(ports::AppendError{ports::AppendErrc::unavailable, "never told"});
  };
  const auto with_outcome = [](ports::AppendRequest r, Told& told) {
    r.on_outcome = [&told](const ports::AppendResult& result) {
      // Slow on purpose: a future made ready before (or beside) this call would be read first.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      told.result = result;
      told.told = true;
    };
    return r;
  };

  HeldCommit held(store);
  Told accepted;
  auto pending = store.append(with_outcome(request("s-1", 0, 2), accepted));
  held.wait_until_held();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(accepted.told) << "told before the commit";
  held.open();
  const auto answer = pending.get();
  ASSERT_TRUE(accepted.told) << "the answer came before the outcome was told";
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(accepted.result.has_value());
  EXPECT_EQ(accepted.result->last_position, answer->last_position);
  EXPECT_EQ(accepted.result->stream_positions, answer->stream_positions);
  store.before_commit_for_test({});

  Told refused;
  const auto conflict = store.append(with_outcome(request("s-1", 0), refused)).get();
  ASSERT_TRUE(refused.told);
  ASSERT_FALSE(conflict.has_value());
  ASSERT_FALSE(refused.result.has_value());
  EXPECT_EQ(refused.result.error().code, ports::AppendErrc::version_conflict);

  store.before_commit_for_test([] { throw std::runtime_error("disk on fire"); });
  Told failed;
  const auto unavailable = store.append(with_outcome(request("s-2", 0), failed)).get();
  ASSERT_TRUE(failed.told);
  ASSERT_FALSE(failed.result.has_value());
  EXPECT_EQ(failed.result.error().code, ports::AppendErrc::unavailable);
  store.before_commit_for_test({});
}

// Guarantee 9. A reader that tails with `position > cursor` must never skip an event. With a
// bigserial position a slow transaction holding a lower number commits after a faster one and
// the reader's cursor jumps past it. The first half shows that failure; the second shows the
// store's positions do not have it.
TEST_F(EventStoreTest, NaiveBigserialCursorSkipsASlowTransactionButOurPositionsDoNot) {
  {
    pqxx::connection setup(db_->url());
    pqxx::nontransaction(setup).exec("CREATE TABLE naive_log (position bigserial PRIMARY KEY, payload text)");
  }
  pqxx::connection slow(db_->url());
  pqxx::connection fast(db_->url());
  pqxx::connection reader(db_->url());
  pqxx::work slow_tx(slow);
  slow_tx.exec("INSERT INTO naive_log (payload) VALUES ('slow')");  // takes position 1, not committed
  {
    pqxx::work fast_tx(fast);
    fast_tx.exec("INSERT INTO naive_log (payload) VALUES ('fast')");  // position 2
    fast_tx.commit();
  }
  std::int64_t cursor = 0;
  std::set<std::int64_t> seen;
  auto tail = [&](const std::string& table) {
    pqxx::read_transaction tx(reader);
    for (const auto& r :
         tx.exec_params("SELECT position FROM " + table + " WHERE position > $1 ORDER BY position", cursor)) {
      seen.insert(r[0].as<std::int64_t>());
      cursor = r[0].as<std::int64_t>();
    }
  };
  tail("naive_log");
  slow_tx.commit();
  tail("naive_log");
  EXPECT_EQ(seen.count(1), 0U) << "the naive cursor should have skipped the slow transaction's event";
  EXPECT_EQ(seen, (std::set<std::int64_t>{2}));

  // The same race through two stores (two appenders, as two api processes): one is slow
  // between taking its positions and committing; the other appends meanwhile.
  PgEventStore slow_store(db_->url());
  PgEventStore fast_store(db_->url());
  std::promise<void> in_commit;
  std::promise<void> go;
  auto go_f = go.get_future().share();
  slow_store.before_commit_for_test([&, go_f] {
    in_commit.set_value();
    go_f.wait();
  });
  auto slow_append = slow_store.append(request("slow", 0));
  in_commit.get_future().wait();
  auto fast_append = fast_store.append(request("fast", 0));  // waits on the log_head lock
  cursor = 0;
  seen.clear();
  const auto tail_events = [&] {
    pqxx::read_transaction tx(reader);
    for (const auto& r : tx.exec_params("SELECT position FROM events WHERE position > $1 ORDER BY position", cursor)) {
      seen.insert(r[0].as<std::int64_t>());
      cursor = r[0].as<std::int64_t>();
    }
  };
  tail_events();
  EXPECT_EQ(fast_append.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  go.set_value();
  ASSERT_TRUE(slow_append.get().has_value());
  ASSERT_TRUE(fast_append.get().has_value());
  tail_events();
  EXPECT_EQ(seen, (std::set<std::int64_t>{1, 2})) << "every position must be seen by the tailing reader";
}

// Many concurrent appenders in many stores; a tailing reader sees a dense, complete sequence.
TEST_F(EventStoreTest, TailingReaderSeesEveryPositionUnderConcurrentAppenders) {
  std::vector<std::unique_ptr<PgEventStore>> stores;
  stores.reserve(4);
  for (int i = 0; i < 4; ++i) {
    stores.push_back(std::make_unique<PgEventStore>(db_->url()));
  }
  std::atomic<bool> done{false};
  std::set<std::int64_t> seen;
  std::thread reader([&] {
    pqxx::connection c(db_->url());
    std::int64_t cursor = 0;
    for (;;) {
      const bool last = done.load();
      pqxx::read_transaction tx(c);
      for (const auto& r :
           tx.exec_params("SELECT position FROM events WHERE position > $1 ORDER BY position", cursor)) {
        seen.insert(r[0].as<std::int64_t>());
        cursor = r[0].as<std::int64_t>();
      }
      if (last) {
        return;
      }
    }
  });
  std::vector<std::thread> writers;
  writers.reserve(8);
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(stores[static_cast<std::size_t>((w + i) % 4)]
                        ->append(request("w" + std::to_string(w) + "-" + std::to_string(i), 0, 2))
                        .get());
      }
    });
  }
  for (auto& t : writers) {
    t.join();
  }
  done = true;
  reader.join();
  ASSERT_EQ(seen.size(), 1600U);
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), 1600);
}

}  // namespace
}  // namespace lf
