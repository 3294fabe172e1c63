// What a URL carries, end to end: percent-encoded path segments and query parameters mean what
// they encode (RFC 3986), so a client that encodes "s3:bucket" as "s3%3Abucket"
// (encodeURIComponent, urllib.parse.quote) reaches the same setting. Bytes that are not UTF-8,
// or U+0000, are a 400 in the contract's shape: passed on, PostgreSQL refused them (a 500).
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

class UrlText : public ServedSuite<UrlText> {};

TEST_F(UrlText, PercentEncodedPathsAndQueriesMeanWhatTheyEncode) {
  const auto key = "s3:bucket-" + unique_suffix();
  const auto created = put("/api/settings/" + key, R"({"value":"first"})");
  ASSERT_EQ(created.status, 200) << created.body;
  const auto encoded = "/api/settings/s3%3A" + key.substr(3);
  const auto read = get(encoded);
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.body, created.body);
  // A write through the encoded path changes the same setting: one stream, two events.
  const auto changed = put(encoded, R"({"value":"second"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(string_member(parse_json(changed.body), "key"), key);
  EXPECT_EQ(stream_event_count(url(), "setting-" + key), 2);
  EXPECT_EQ(get("/api/%73ettings/" + key).body, changed.body) << "an encoded letter is the letter";

  const auto role = post("/api/roles", R"({"name":)" + json_quote("url-" + unique_suffix()) + "}");
  ASSERT_EQ(role.status, 201) << role.body;
  const auto id = std::to_string(int_member(parse_json(role.body), "id").value_or(0));
  std::string encoded_id;
  for (const char digit : id) {
    encoded_id += "%3" + std::string(1, digit);
  }
  EXPECT_EQ(get("/api/roles/" + encoded_id).body, role.body);

  const auto page = parse_json(get("/api/roles?li%6Dit=%31&offset=0").body);
  ASSERT_TRUE(page.IsObject() && page.HasMember("pagination"));
  EXPECT_EQ(int_member(page["pagination"], "limit"), 1);
  EXPECT_EQ(page["data"].Size(), 1U);
}

// RFC 9112 3.2.2: a server must accept the absolute form a client sends to a proxy.
TEST_F(UrlText, AnAbsoluteFormTargetIsItsPath) {
  const auto r = parse_response(raw_exchange(port(),
                                             "GET http://127.0.0.1/api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             "Connection: close\r\n\r\n"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(string_member(parse_json(r.body), "version").has_value()) << r.body;
}

TEST_F(UrlText, TextThatIsNotUtf8OrHoldsUPlus0000Is400AndNeverReachesTheDatabase) {
  const std::vector<std::pair<std::string, std::string>> paths{
      {"/api/settings/\xFF", "path"},
      {"/api/settings/%FF", "path"},
      {"/api/settings/a%00b", "path"},
      {"/api/settings/%zz", "path"},
      {"/api/roles/\xC3", "path"},
      {"/api/gold-tasks?category=\xFF", "category"},
      {"/api/gold-tasks?category=a%00b", "category"},
      {"/api/annotators/events?type=%E2%82", "type"},
      {"/api/roles?limit=1&x=%zz", "x"},
      {"/api/roles?c%61t=%C0%AF", "cat"},
  };
  const auto events_before = event_count(url());
  for (const auto& [path, detail] : paths) {
    SCOPED_TRACE(path);
    for (const auto* method : {"GET", "PUT"}) {
      if (std::string(method) == "PUT" && path.rfind("/api/settings/", 0) != 0) {
        continue;
      }
      const auto r = call(port(), method, path, std::string(method) == "PUT" ? R"({"value":1})" : "");
      expect_error(r, 400, std::string(method) + " " + path);
      const auto paths_named = detail_paths(r.body);
      EXPECT_NE(std::find(paths_named.begin(), paths_named.end(), detail), paths_named.end()) << r.body;
    }
  }
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(get("/api/health").status, 200);
}

}  // namespace
}  // namespace lf::e2e
