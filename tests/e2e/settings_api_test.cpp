// /api/settings end to end: upsert of any JSON value per key, one stream per key.
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

class SettingsApi : public ServedSuite<SettingsApi> {
 protected:
  static HttpResult get(const std::string& key) { return call(port(), "GET", "/api/settings/" + key); }
  static HttpResult put(const std::string& key, const std::string& body, const Headers& h = {}) {
    return call(port(), "PUT", "/api/settings/" + key, body, h);
  }
  static std::int64_t stream_events(const std::string& key) { return stream_event_count(url(), "setting-" + key); }
  static std::int64_t total_settings() {
    const auto r = call(port(), "GET", "/api/settings?limit=1");
    const auto d = parse_json(r.body);
    if (!d.IsObject() || !d.HasMember("pagination")) {
      ADD_FAILURE() << "GET /api/settings?limit=1 answered " << r.status << " without pagination: " << r.body;
      return -1;
    }
    return int_member(d["pagination"], "total").value_or(-1);
  }
};

TEST_F(SettingsApi, PutCreatesThenUpdatesTheSameSetting) {
  const auto key = "s3.bucket." + unique_suffix();
  const auto total_before = total_settings();
  const auto created = put(key, R"({"value":"my-annotation-bucket","description":"Where images live"})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.header("content-type").rfind("application/json", 0), 0U);
  const auto c = parse_json(created.body);
  ASSERT_TRUE(c.IsObject()) << created.body;
  const auto id = int_member(c, "id");
  ASSERT_TRUE(id.has_value() && *id > 0) << created.body;
  EXPECT_EQ(string_member(c, "key"), key);
  EXPECT_EQ(string_member(c, "value"), "my-annotation-bucket");
  EXPECT_EQ(string_member(c, "description"), "Where images live");
  const auto updated_at = string_member(c, "updatedAt");
  ASSERT_TRUE(updated_at.has_value());
  EXPECT_EQ(updated_at->size(), 24U) << *updated_at;
  EXPECT_EQ(c.MemberCount(), 5U) << "a setting has exactly id, key, value, description, updatedAt";
  EXPECT_EQ(get(key).body, created.body);
  EXPECT_EQ(total_settings(), total_before + 1);

  const auto updated = put(key, R"({"value":"other-bucket"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  const auto u = parse_json(updated.body);
  EXPECT_EQ(int_member(u, "id"), *id) << "an update keeps the id";
  EXPECT_EQ(string_member(u, "value"), "other-bucket");
  EXPECT_EQ(string_member(u, "description"), "Where images live") << "absent description keeps the old one";
  EXPECT_GE(string_member(u, "updatedAt").value_or(""), *updated_at);
  EXPECT_EQ(get(key).body, updated.body);
  EXPECT_EQ(total_settings(), total_before + 1);

  const auto rows = query_rows(url(), "SELECT stream_version, event_type FROM events WHERE stream_id = " +
                                          sql_text("setting-" + key) + " ORDER BY stream_version");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "setting.created"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "setting.changed"}));
}

TEST_F(SettingsApi, ValuesOfEveryJsonTypeRoundTrip) {
  const std::vector<std::pair<std::string, std::string>> values{
      {"object", R"({"a":{"b":[1,2,{"c":null}]},"s":"x"})"},
      {"empty-object", R"({})"},
      {"array", R"([1,"two",3.5,true,null,{"k":"v"},[]])"},
      {"empty-array", R"([])"},
      {"string", R"("plain text")"},
      {"unicode-string", "\"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 \\\"quoted\\\" \\n\""},
      {"empty-string", R"("")"},
      {"integer", "42"},
      {"negative", "-17"},
      {"zero", "0"},
      {"float", "3.25"},
      {"big-integer", "9007199254740993"},
      {"true", "true"},
      {"false", "false"},
      {"null", "null"},
  };
  for (const auto& [label, value] : values) {
    SCOPED_TRACE(label);
    const auto key = "type." + label + "." + unique_suffix();
    const auto expected = parse_json(value);
    ASSERT_FALSE(expected.HasParseError()) << value;
    const auto r = put(key, R"({"value":)" + value + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto d = parse_json(r.body);
    ASSERT_TRUE(d.IsObject() && d.HasMember("value")) << r.body;
    EXPECT_TRUE(d["value"] == expected) << label << ": sent " << value << ", answered " << to_json(d["value"]);
    const auto g = get(key);
    ASSERT_EQ(g.status, 200);
    EXPECT_EQ(g.body, r.body);
    const auto gd = parse_json(g.body);
    EXPECT_TRUE(gd["value"] == expected) << label << ": sent " << value << ", read back " << to_json(gd["value"]);
  }

  // One key through every type: each change is an event, each read shows the latest.
  const auto key = "type.cycle." + unique_suffix();
  std::int64_t n = 0;
  for (const auto& [label, value] : values) {
    SCOPED_TRACE("cycle " + label);
    ASSERT_EQ(put(key, R"({"value":)" + value + "}").status, 200);
    ++n;
    const auto gd = parse_json(get(key).body);
    EXPECT_TRUE(gd.IsObject() && gd["value"] == parse_json(value)) << label;
  }
  EXPECT_EQ(stream_events(key), n);
}

// A parsed document holds a number as an int64, a uint64 or a double. The value is stored as it
// was sent instead, as PostgreSQL's json keeps it: an id beyond 64 bits, or a constant with more
// digits than a double holds, comes back as sent from the answer, the read model and the log.
TEST_F(SettingsApi, NumbersKeepTheTextTheyWereSentIn) {
  const std::vector<std::string> values{
      "123456789012345678901234567890",    // a parsed document: 1.2345678901234566e29
      "-9223372036854775809",              // one below int64: -9223372036854776000.0
      "3.141592653589793238462643383279",  // 3.141592653589793
      "37.107837676690007",                // 37.10783767669001
      "1E2",                               // 100.0
      R"([0.10,-0,{"id":98765432109876543210}])",
  };
  for (const auto& value : values) {
    SCOPED_TRACE(value);
    const auto key = "exact." + unique_suffix();
    const auto as_sent = "\"value\":" + value + ",";
    const auto r = put(key, R"({"value": )" + value + R"( , "description":"d"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find(as_sent), std::string::npos) << r.body;
    EXPECT_EQ(get(key).body, r.body);
    const auto logged =
        query_rows(url(), "SELECT data->'value' FROM events WHERE stream_id = " + sql_text("setting-" + key));
    ASSERT_EQ(logged.size(), 1U);
    EXPECT_EQ(logged[0][0], value);
    // The same text again is no change; the same double from other digits is one.
    EXPECT_EQ(put(key, R"({"value":)" + value + "}").body, r.body);
    EXPECT_EQ(stream_events(key), 1);
  }
  const auto key = "exact.neighbours." + unique_suffix();
  ASSERT_EQ(put(key, R"({"value":123456789012345678901234567890})").status, 200);
  const auto next = put(key, R"({"value":123456789012345678901234567891})");
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(next.body.find("\"value\":123456789012345678901234567891,"), std::string::npos) << next.body;
  EXPECT_EQ(stream_events(key), 2) << "a different number is a change, though a double cannot tell them apart";
}

TEST_F(SettingsApi, DescriptionAbsentKeepsNullClears) {
  const auto key = "desc." + unique_suffix();
  ASSERT_EQ(put(key, R"({"value":1,"description":"first"})").status, 200);
  const auto kept = put(key, R"({"value":2})");
  ASSERT_EQ(kept.status, 200);
  EXPECT_EQ(string_member(parse_json(kept.body), "description"), "first");
  const auto replaced = put(key, R"({"value":2,"description":"second"})");
  EXPECT_EQ(string_member(parse_json(replaced.body), "description"), "second");
  const auto cleared = put(key, R"({"value":2,"description":null})");
  ASSERT_EQ(cleared.status, 200);
  EXPECT_TRUE(is_null_member(parse_json(cleared.body), "description")) << cleared.body;
  EXPECT_EQ(get(key).body, cleared.body);
  // Absent after a clear stays cleared; a description-only change is a change.
  const auto still = put(key, R"({"value":3})");
  EXPECT_TRUE(is_null_member(parse_json(still.body), "description")) << still.body;
  EXPECT_EQ(stream_events(key), 5);
  // A 500-character description is fine (characters, not bytes).
  const auto long_desc = put(key, R"({"value":3,"description":")" + repeat("\xC3\xA9", 500) + R"("})");
  EXPECT_EQ(long_desc.status, 200) << long_desc.body;
}

TEST_F(SettingsApi, IdenticalPutRecordsNoEvent) {
  const auto key = "same." + unique_suffix();
  const auto first = put(key, R"({"value":{"a":[1,2],"b":"x"},"description":"d"})");
  ASSERT_EQ(first.status, 200);
  const auto events_before = event_count(url());
  const auto again = put(key, R"({"value":{"a":[1,2],"b":"x"},"description":"d"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body) << "nothing changed, updatedAt included";
  // Absent description keeps "d": still identical.
  const auto no_desc = put(key, R"({"value":{"a":[1,2],"b":"x"}})");
  EXPECT_EQ(no_desc.status, 200);
  EXPECT_EQ(no_desc.body, first.body);
  // Whitespace is not part of a JSON value.
  const auto spaced = put(key, "{ \"value\" : { \"a\" : [ 1 , 2 ] , \"b\" : \"x\" } }");
  EXPECT_EQ(spaced.status, 200);
  EXPECT_EQ(spaced.body, first.body);
  EXPECT_EQ(event_count(url()), events_before) << "an identical PUT must record nothing";
  EXPECT_EQ(stream_events(key), 1);
  EXPECT_EQ(get(key).body, first.body);
}

TEST_F(SettingsApi, InvalidKeyIs400AndCreatesNothing) {
  const auto events_before = event_count(url());
  const auto total_before = total_settings();
  for (const auto& key : {std::string("with%20space"), std::string("a%2Fb"), std::string("bang!"),
                          std::string("caf%C3%A9"), std::string("quote%22"), repeat("k", 256)}) {
    SCOPED_TRACE(key.substr(0, 40));
    const auto r = put(key, R"({"value":1})");
    expect_error(r, 400, "PUT /api/settings/" + key.substr(0, 40));
    const auto paths = detail_paths(r.body);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "key"), paths.end()) << r.body;
  }
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(total_settings(), total_before);
  // 255 characters of the allowed alphabet is fine.
  const auto base = "k._-:" + unique_suffix() + ".";
  const auto padded = base + repeat("z", 255 - base.size());
  ASSERT_EQ(padded.size(), 255U);
  EXPECT_EQ(put(padded, R"({"value":1})").status, 200);
  EXPECT_EQ(get(padded).status, 200);
}

TEST_F(SettingsApi, InvalidBodyIs400WithPathAndChangesNothing) {
  const auto existing = "body.existing." + unique_suffix();
  ASSERT_EQ(put(existing, R"({"value":"keep","description":"keep"})").status, 200);
  const auto existing_before = get(existing).body;
  const struct {
    std::string label;
    std::string body;
    std::optional<std::string> path;
  } cases[] = {
      {"value missing", R"({"description":"x"})", "value"},
      {"empty object", R"({})", "value"},
      {"unknown field", R"({"value":1,"owner":"me"})", "owner"},
      {"description 501", R"({"value":1,"description":")" + repeat("d", 501) + R"("})", "description"},
      {"description number", R"({"value":1,"description":7})", "description"},
      {"body is an array", R"([1])", ""},
      {"body is a number", "1", ""},
      // PostgreSQL's jsonb cannot hold U+0000: accepted, it would stop every projection of the event.
      {"value with U+0000", R"({"value":"a\u0000b"})", "value"},
      {"U+0000 deep in the value", R"({"value":{"list":[1,{"k":"\u0000"}]}})", "value/list/1/k"},
      {"U+0000 in a member name", R"({"value":{"a\u0000":1}})", std::string("value/a\0", 8)},
      {"description with U+0000", R"({"value":1,"description":"\u0000"})", "description"},
      {"malformed JSON", R"({"value":)", std::nullopt},
      {"trailing comma", R"({"value":1,})", std::nullopt},
      {"empty body", "", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto fresh = "body.fresh." + unique_suffix();
    const auto events_before = event_count(url());
    for (const auto& key : {fresh, existing}) {
      const auto r = put(key, c.body);
      expect_error(r, 400, c.label);
      if (c.path) {
        const auto paths = detail_paths(r.body);
        EXPECT_NE(std::find(paths.begin(), paths.end(), *c.path), paths.end())
            << c.label << ": expected details[].path \"" << *c.path << "\" in " << r.body;
      }
    }
    EXPECT_EQ(event_count(url()), events_before) << c.label;
    expect_error(get(fresh), 404, c.label + " created the setting");
    EXPECT_EQ(get(existing).body, existing_before) << c.label;
  }
}

// A value as large as the body limit allows is an event of about 1 MB, over librdkafka's default
// message size: it stopped the relay for good, and every later event with it. It is published
// like any other, and so is the write after it.
TEST_F(SettingsApi, AValueAsLargeAsTheBodyLimitAllowsIsPublishedToKafkaLikeAnyOther) {
  const auto key = "big." + unique_suffix();
  const std::string body = R"({"value":{"blob":")" + repeat("b", std::size_t{1000} * 1000) + R"("}})";
  ASSERT_EQ(put(key, body).status, 200);
  ASSERT_EQ(put(key + ".after", R"({"value":1})").status, 200);
  const auto relay_lag = [] {
    const auto h = parse_json(call(port(), "GET", "/api/health").body);
    return h.IsObject() && h.HasMember("relay") ? int_member(h["relay"], "lag").value_or(-1) : -1;
  };
  EXPECT_TRUE(eventually([&] { return relay_lag() == 0; }, 20s)) << "relay lag stays at " << relay_lag();
  EXPECT_EQ(get(key + ".after").status, 200);
}

TEST_F(SettingsApi, UnknownKeyIs404) {
  expect_error(get("no.such.key." + unique_suffix()), 404, "GET unknown");
  expect_error(get("with%20space"), 404, "GET invalid key");
  const auto allow = call(port(), "DELETE", "/api/settings/anything");
  expect_error(allow, 405, "DELETE a setting");
  EXPECT_NE(allow.header("allow").find("PUT"), std::string::npos) << allow.header("allow");
}

TEST_F(SettingsApi, ListPaginatesInKeyOrder) {
  const auto prefix = "list." + unique_suffix() + ".";
  for (const char* k : {"e", "a", "d", "b", "c"}) {
    ASSERT_EQ(put(prefix + k, R"({"value":")" + std::string(k) + R"("})").status, 200);
  }
  const auto all = parse_json(call(port(), "GET", "/api/settings?limit=500").body);
  ASSERT_TRUE(all.IsObject() && all["data"].IsArray() && all["pagination"].IsObject());
  const auto total = int_member(all["pagination"], "total").value_or(-1);
  ASSERT_GE(total, 5);
  ASSERT_EQ(static_cast<std::int64_t>(all["data"].Size()), total);
  std::vector<std::string> keys;
  std::vector<std::string> expected;
  for (const auto& item : all["data"].GetArray()) {
    keys.push_back(string_member(item, "key").value_or(""));
    expected.push_back(to_json(item));
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end())) << "settings are listed by key";
  EXPECT_FALSE(all["pagination"]["hasMore"].GetBool());

  std::vector<std::string> paged;
  const std::int64_t limit = 2;
  for (std::int64_t offset = 0; offset < total; offset += limit) {
    const auto r = call(port(), "GET", "/api/settings?limit=2&offset=" + std::to_string(offset));
    ASSERT_EQ(r.status, 200);
    const auto p = parse_json(r.body);
    ASSERT_TRUE(p.IsObject() && p["data"].IsArray());
    EXPECT_EQ(int_member(p["pagination"], "total"), total);
    EXPECT_EQ(int_member(p["pagination"], "limit"), limit);
    EXPECT_EQ(int_member(p["pagination"], "offset"), offset);
    EXPECT_EQ(p["pagination"]["hasMore"].GetBool(), offset + limit < total);
    for (const auto& item : p["data"].GetArray()) {
      paged.push_back(to_json(item));
    }
  }
  EXPECT_EQ(paged, expected);
  for (const auto& q : {"limit=0", "limit=501", "limit=abc", "offset=-1"}) {
    expect_error(call(port(), "GET", std::string("/api/settings?") + q), 400, q);
  }
}

TEST_F(SettingsApi, ReadYourWritesOnEveryPut) {
  const auto key = "ryw." + unique_suffix();
  for (int i = 0; i < 30; ++i) {
    const auto r = put(key, R"({"value":{"round":)" + std::to_string(i) + "}}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(get(key).body, r.body) << "round " << i;
  }
  EXPECT_EQ(stream_events(key), 30);
}

}  // namespace
}  // namespace lf::e2e
