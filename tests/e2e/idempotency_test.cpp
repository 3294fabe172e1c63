// Idempotency-Key over HTTP (guarantee 3): a retried command returns the original answer,
// marked Idempotent-Replayed, and appends nothing.
#include <latch>
#include <set>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

class Idempotency : public ServedSuite<Idempotency> {
 protected:
  static std::int64_t created_events_named(const std::string& name) {
    return query_int(
        url(), "SELECT count(*) FROM events WHERE event_type = 'role.created' AND data->>'name' = " + sql_text(name));
  }
  static std::int64_t listed_roles_named(const std::string& name) {
    const auto r = call(port(), "GET", "/api/roles?limit=500");
    EXPECT_EQ(r.status, 200);
    const auto d = parse_json(r.body);
    std::int64_t n = 0;
    if (d.IsObject() && d.HasMember("data") && d["data"].IsArray()) {
      for (const auto& item : d["data"].GetArray()) {
        n += string_member(item, "name") == name ? 1 : 0;
      }
    }
    return n;
  }
};

TEST_F(Idempotency, RetriedPostReturnsTheOriginalAnswerAndAppendsNothing) {
  const auto name = "idem-" + unique_suffix();
  const auto body = R"({"name":)" + json_quote(name) + R"(,"color":"#ABCDEF"})";
  const Headers key{{"Idempotency-Key", "key-" + unique_suffix()}};
  const auto first = call(port(), "POST", "/api/roles", body, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_TRUE(first.header("idempotent-replayed").empty()) << "the first answer is not a replay";
  const auto events_after_first = event_count(url());

  const auto second = call(port(), "POST", "/api/roles", body, key);
  EXPECT_EQ(second.status, first.status);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("idempotent-replayed"), "true");
  EXPECT_EQ(second.header("location"), first.header("location")) << "the replayed 201 lacks the original Location";

  const auto third = call(port(), "POST", "/api/roles", body, key);
  EXPECT_EQ(third.status, 201);
  EXPECT_EQ(third.body, first.body);
  EXPECT_EQ(third.header("idempotent-replayed"), "true");

  EXPECT_EQ(event_count(url()), events_after_first) << "a replay must append nothing";
  EXPECT_EQ(created_events_named(name), 1);
  EXPECT_EQ(listed_roles_named(name), 1);

  // Without the key the same body is a new command: here a duplicate name.
  expect_error(call(port(), "POST", "/api/roles", body), 409, "same body without the key");
}

TEST_F(Idempotency, SameKeyForADifferentRequestIs409AndAppendsNothing) {
  const auto k = "key-" + unique_suffix();
  const Headers key{{"Idempotency-Key", k}};
  const auto name = "idem-diff-" + unique_suffix();
  ASSERT_EQ(call(port(), "POST", "/api/roles", R"({"name":)" + json_quote(name) + "}", key).status, 201);
  const auto events_before = event_count(url());

  const auto other_name = "idem-other-" + unique_suffix();
  expect_error(call(port(), "POST", "/api/roles", R"({"name":)" + json_quote(other_name) + "}", key), 409,
               "same key, different body");
  expect_error(call(port(), "PUT", "/api/settings/idem.other", R"({"value":1})", key), 409,
               "same key, different route");
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(created_events_named(other_name), 0);
  EXPECT_EQ(call(port(), "GET", "/api/settings/idem.other").status, 404);

  // The original request with its key still replays.
  const auto replay = call(port(), "POST", "/api/roles", R"({"name":)" + json_quote(name) + "}", key);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
}

TEST_F(Idempotency, RetriedUpdateDeleteAndSettingPutReplayTheirFirstAnswer) {
  const auto created =
      call(port(), "POST", "/api/roles", R"({"name":)" + json_quote("idem-upd-" + unique_suffix()) + "}");
  ASSERT_EQ(created.status, 201);
  const auto id = int_member(parse_json(created.body), "id").value_or(0);
  const auto path = "/api/roles/" + std::to_string(id);
  const auto stream = "role-" + std::to_string(id);

  const Headers put_key{{"Idempotency-Key", "put-" + unique_suffix()}};
  const auto put1 = call(port(), "PUT", path, R"({"description":"v1"})", put_key);
  ASSERT_EQ(put1.status, 200) << put1.body;
  // Someone else changes the role in between; the retry still answers what the first got.
  ASSERT_EQ(call(port(), "PUT", path, R"({"description":"v2"})").status, 200);
  const auto put2 = call(port(), "PUT", path, R"({"description":"v1"})", put_key);
  EXPECT_EQ(put2.status, 200);
  EXPECT_EQ(put2.body, put1.body);
  EXPECT_EQ(put2.header("idempotent-replayed"), "true");
  EXPECT_EQ(stream_event_count(url(), stream), 3) << "created, v1, v2 — and nothing for the replay";
  EXPECT_EQ(string_member(parse_json(call(port(), "GET", path).body), "description"), "v2");

  const Headers del_key{{"Idempotency-Key", "del-" + unique_suffix()}};
  const auto del1 = call(port(), "DELETE", path, "", del_key);
  ASSERT_EQ(del1.status, 200);
  const auto del2 = call(port(), "DELETE", path, "", del_key);
  EXPECT_EQ(del2.status, 200) << "a retried DELETE answers like the first, not 404";
  EXPECT_EQ(del2.body, del1.body);
  EXPECT_EQ(del2.header("idempotent-replayed"), "true");
  EXPECT_EQ(stream_event_count(url(), stream), 4);

  const auto setting = "idem.setting." + unique_suffix();
  const Headers set_key{{"Idempotency-Key", "set-" + unique_suffix()}};
  const auto s1 = call(port(), "PUT", "/api/settings/" + setting, R"({"value":{"n":1}})", set_key);
  ASSERT_EQ(s1.status, 200) << s1.body;
  const auto s2 = call(port(), "PUT", "/api/settings/" + setting, R"({"value":{"n":1}})", set_key);
  EXPECT_EQ(s2.status, 200);
  EXPECT_EQ(s2.body, s1.body);
  EXPECT_EQ(s2.header("idempotent-replayed"), "true");
  EXPECT_EQ(stream_event_count(url(), "setting-" + setting), 1);
}

// A retry may spell the path otherwise than the first attempt (a client library that encodes
// ':' and one that does not): it is the same request, and it replays.
TEST_F(Idempotency, ARetryWithThePathSpelledOtherwiseReplays) {
  const auto suffix = unique_suffix();
  const Headers key{{"Idempotency-Key", "spelling-" + suffix}};
  const auto first = call(port(), "PUT", "/api/settings/idem%3Aspelling." + suffix, R"({"value":1})", key);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto events_after_first = event_count(url());
  for (const auto* spelling : {"/api/settings/idem:spelling.", "/api//settings/idem%3aspelling."}) {
    SCOPED_TRACE(spelling);
    const auto retry = call(port(), "PUT", spelling + suffix, R"({"value":1})", key);
    EXPECT_EQ(retry.status, 200) << retry.body;
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  }
  EXPECT_EQ(event_count(url()), events_after_first);
  // Another path is still another request.
  expect_error(call(port(), "PUT", "/api/settings/idem%3Aother." + suffix, R"({"value":1})", key), 409,
               "same key, another setting");
}

TEST_F(Idempotency, TwentyConcurrentIdenticalKeyedPostsCreateExactlyOneRole) {
  const auto name = "idem-race-" + unique_suffix();
  const auto body = R"({"name":)" + json_quote(name) + "}";
  const Headers key{{"Idempotency-Key", "race-" + unique_suffix()}};
  const auto events_before = event_count(url());
  constexpr int kClients = 20;
  std::vector<HttpResult> results(kClients);
  std::latch start(kClients);
  std::vector<std::thread> threads;
  threads.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<std::size_t>(i)] = call(port(), "POST", "/api/roles", body, key);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  int originals = 0;
  std::set<std::string> bodies;
  for (const auto& r : results) {
    EXPECT_EQ(r.status, 201) << r.body;
    bodies.insert(r.body);
    // A Location, when given, names the role of the body, not some other id.
    const auto id = int_member(parse_json(r.body), "id").value_or(0);
    if (!r.header("location").empty()) {
      EXPECT_EQ(r.header("location"), "/api/roles/" + std::to_string(id))
          << "Location of a (replayed: " << r.header("idempotent-replayed") << ") answer points elsewhere";
    }
    if (r.header("idempotent-replayed") != "true") {
      ++originals;
    }
  }
  EXPECT_EQ(bodies.size(), 1U) << "every client gets the same answer";
  EXPECT_EQ(originals, 1) << "exactly one answer is the original, the rest are replays";
  EXPECT_EQ(created_events_named(name), 1);
  EXPECT_EQ(event_count(url()), events_before + 1);
  EXPECT_EQ(listed_roles_named(name), 1);
  EXPECT_EQ(query_int(url(), "SELECT count(*) FROM commands WHERE idempotency_key = " + sql_text(key.begin()->second)),
            1);
}

// The key is kept with the answer in PostgreSQL: one it cannot store or index (U+0000, bytes that
// are not UTF-8, thousands of characters) was a 500 after the body had been decided. It is a 400
// in the contract's shape, before anything is decided, and appends nothing.
TEST_F(Idempotency, AKeyThatIsNotOneTo255VisibleAsciiCharactersIs400AndAppendsNothing) {
  const std::vector<std::pair<std::string, std::string>> keys{
      {"U+0000", std::string("ab\0cd", 5)},
      {"control character",
       "ab\x01"
       "cd"},
      {"bytes that are not UTF-8", "ab\xFF\xFE"},
      {"non-ASCII", "cl\xC3\xA9"},
      {"256 characters", repeat("k", 256)},
      {"3000 characters (over a btree entry)", repeat("k", 3000)},
  };
  for (const auto& [label, key] : keys) {
    SCOPED_TRACE(label);
    const auto name = "idem-bad-key-" + unique_suffix();
    const auto events_before = event_count(url());
    const auto r =
        call(port(), "POST", "/api/roles", R"({"name":)" + json_quote(name) + "}", {{"Idempotency-Key", key}});
    expect_error(r, 400, label);
    const auto paths = detail_paths(r.body);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "Idempotency-Key"), paths.end()) << r.body;
    EXPECT_EQ(event_count(url()), events_before) << label << " appended an event";
    EXPECT_EQ(listed_roles_named(name), 0);
  }
  // A read ignores the header, whatever it holds.
  EXPECT_EQ(call(port(), "GET", "/api/roles?limit=1", "", {{"Idempotency-Key", repeat("k", 300)}}).status, 200);
  // 255 visible characters (spaces included) are a key like any other.
  const auto longest = "k " + unique_suffix() + "~";
  const Headers key{{"Idempotency-Key", longest + repeat("z", 255 - longest.size())}};
  const auto name = "idem-long-key-" + unique_suffix();
  const auto body = R"({"name":)" + json_quote(name) + "}";
  ASSERT_EQ(call(port(), "POST", "/api/roles", body, key).status, 201);
  const auto replay = call(port(), "POST", "/api/roles", body, key);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(created_events_named(name), 1);
}

}  // namespace
}  // namespace lf::e2e
