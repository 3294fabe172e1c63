// /api/roles end to end: the built binary over HTTP, the event log checked in PostgreSQL.
// One `labelfleet serve` (on its own database, with a 4 KiB body limit) serves the suite.
#include <set>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

constexpr std::size_t kMaxBody = 4096;

class RolesApi : public ServedSuite<RolesApi> {
 public:
  static std::map<std::string, std::string> suite_env() {
    return {{"LABELFLEET_HTTP_MAX_BODY", std::to_string(kMaxBody)}};
  }

 protected:
  // Creates a role; its id, or 0 (and a test failure).
  static std::int64_t create(const std::string& name, const std::string& more = "") {
    const auto r = post("/api/roles", R"({"name":)" + json_quote(name) + more + "}");
    EXPECT_EQ(r.status, 201) << name << ": " << r.body;
    const auto d = parse_json(r.body);
    return int_member(d, "id").value_or(0);
  }

  static std::int64_t total_roles() {
    const auto r = get("/api/roles?limit=1");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto d = parse_json(r.body);
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("pagination")) {
      ADD_FAILURE() << "GET /api/roles?limit=1 answered " << r.status << " without pagination: " << r.body;
      return -1;
    }
    return int_member(d["pagination"], "total").value_or(-1);
  }
};

std::set<std::string> allow_set(const std::string& allow) {
  std::set<std::string> out;
  std::string cur;
  for (const char c : allow + ",") {
    if (c == ',') {
      if (!cur.empty()) {
        out.insert(cur);
      }
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// CRUD

TEST_F(RolesApi, CreateGetListUpdateDeleteRecordsOneEventPerChange) {
  const std::string name = "crud-" + unique_suffix();
  const auto created =
      post("/api/roles", R"({"name":)" + json_quote(name) + R"(,"description":"General labeling","color":"#3B82F6"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("content-type").rfind("application/json", 0), 0U);
  const auto c = parse_json(created.body);
  ASSERT_TRUE(c.IsObject()) << created.body;
  const auto id = int_member(c, "id");
  ASSERT_TRUE(id.has_value() && *id > 0) << created.body;
  EXPECT_EQ(created.header("location"), "/api/roles/" + std::to_string(*id));
  EXPECT_EQ(string_member(c, "name"), name);
  EXPECT_EQ(string_member(c, "description"), "General labeling");
  EXPECT_EQ(string_member(c, "color"), "#3B82F6");
  const auto created_at = string_member(c, "createdAt");
  ASSERT_TRUE(created_at.has_value());
  EXPECT_EQ(created_at->size(), 24U) << "RFC 3339 UTC with milliseconds: " << *created_at;
  EXPECT_EQ(created_at->back(), 'Z') << *created_at;
  EXPECT_EQ(c.MemberCount(), 5U) << "a role has exactly id, name, description, color, createdAt: " << created.body;

  const auto path = "/api/roles/" + std::to_string(*id);
  const auto one = get(path);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body, created.body);

  const auto list = get("/api/roles?limit=500");
  ASSERT_EQ(list.status, 200);
  const auto l = parse_json(list.body);
  ASSERT_TRUE(l.IsObject() && l.HasMember("data") && l["data"].IsArray()) << list.body;
  bool listed = false;
  for (const auto& item : l["data"].GetArray()) {
    if (int_member(item, "id") == *id) {
      listed = true;
      EXPECT_EQ(to_json(item), created.body);
    }
  }
  EXPECT_TRUE(listed) << list.body;

  // A partial update keeps what it does not mention.
  const auto updated = put(path, R"({"description":"Reviewers"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  const auto u = parse_json(updated.body);
  EXPECT_EQ(int_member(u, "id"), *id);
  EXPECT_EQ(string_member(u, "name"), name);
  EXPECT_EQ(string_member(u, "description"), "Reviewers");
  EXPECT_EQ(string_member(u, "color"), "#3B82F6");
  EXPECT_EQ(string_member(u, "createdAt"), created_at) << "createdAt does not move on update";
  EXPECT_EQ(get(path).body, updated.body);

  // null clears; a name is trimmed.
  const auto cleared = put(path, R"({"color":null,"name":"  )" + name + R"(-renamed  "})");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  const auto cl = parse_json(cleared.body);
  EXPECT_TRUE(is_null_member(cl, "color")) << cleared.body;
  EXPECT_EQ(string_member(cl, "name"), name + "-renamed");
  EXPECT_EQ(string_member(cl, "description"), "Reviewers");
  EXPECT_EQ(get(path).body, cleared.body);

  const auto deleted = del(path);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  const auto dd = parse_json(deleted.body);
  ASSERT_TRUE(dd.IsObject() && dd.HasMember("success") && dd["success"].IsBool()) << deleted.body;
  EXPECT_TRUE(dd["success"].GetBool());
  expect_error(get(path), 404, "GET after DELETE");
  expect_error(put(path, R"({"description":"x"})"), 404, "PUT after DELETE");
  expect_error(del(path), 404, "DELETE after DELETE");

  // The stream: created, updated, updated, deleted, versions 1..4, and nothing for the 404s.
  const auto rows = query_rows(url(), "SELECT stream_version, event_type, stream_type FROM events WHERE stream_id = " +
                                          sql_text("role-" + std::to_string(*id)) + " ORDER BY stream_version");
  ASSERT_EQ(rows.size(), 4U);
  const std::vector<std::string> types{"role.created", "role.updated", "role.updated", "role.deleted"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], std::to_string(i + 1));
    EXPECT_EQ(rows[i][1], types[i]);
    EXPECT_EQ(rows[i][2], "role");
  }
}

TEST_F(RolesApi, CreateWithOnlyANameHasNullDescriptionAndColor) {
  const auto r = post("/api/roles", R"({"name":)" + json_quote("bare-" + unique_suffix()) + "}");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto d = parse_json(r.body);
  EXPECT_TRUE(is_null_member(d, "description")) << r.body;
  EXPECT_TRUE(is_null_member(d, "color")) << r.body;
}

TEST_F(RolesApi, UpdateThatChangesNothingAnswers200AndRecordsNoEvent) {
  const auto id = create("noop-" + unique_suffix(), R"(,"description":"same","color":"#AABBCC")");
  ASSERT_GT(id, 0);
  const auto path = "/api/roles/" + std::to_string(id);
  const auto before = get(path);
  const auto events_before = event_count(url());
  const auto r = put(path, R"({"description":"same","color":"#AABBCC"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, before.body);
  EXPECT_EQ(event_count(url()), events_before) << "an update that changes nothing must record nothing";
  EXPECT_EQ(stream_event_count(url(), "role-" + std::to_string(id)), 1);
}

// ---------------------------------------------------------------------------------------
// Validation: 400 with the offending path, and nothing changes.

struct Invalid {
  std::string label;
  std::string body;
  std::optional<std::string> path;  // expected details[].path; nullopt: no particular one
};

TEST_F(RolesApi, InvalidCreateIs400WithPathAndChangesNothing) {
  const std::vector<Invalid> cases{
      {"name missing", R"({"description":"x"})", "name"},
      {"empty object", R"({})", "name"},
      {"name empty", R"({"name":""})", "name"},
      {"name only spaces", R"({"name":"   "})", "name"},
      {"name 101 chars", R"({"name":")" + repeat("a", 101) + R"("})", "name"},
      {"name 101 two-byte chars", R"({"name":")" + repeat("\xC3\xA9", 101) + R"("})", "name"},
      {"name null", R"({"name":null})", "name"},
      {"name number", R"({"name":42})", "name"},
      {"name array", R"({"name":["a"]})", "name"},
      {"description 501 chars", R"({"name":"d501","description":")" + repeat("d", 501) + R"("})", "description"},
      {"description 501 two-byte chars", R"({"name":"d501u","description":")" + repeat("\xC3\xA9", 501) + R"("})",
       "description"},
      {"description number", R"({"name":"dnum","description":5})", "description"},
      {"description object", R"({"name":"dobj","description":{}})", "description"},
      {"color blue", R"({"name":"cblue","color":"blue"})", "color"},
      {"color #12345", R"({"name":"c5","color":"#12345"})", "color"},
      {"color #1234567", R"({"name":"c7","color":"#1234567"})", "color"},
      {"color #GGGGGG", R"({"name":"cg","color":"#GGGGGG"})", "color"},
      {"color without #", R"({"name":"cn","color":"3B82F6"})", "color"},
      {"color number", R"({"name":"cnum","color":3})", "color"},
      {"color true", R"({"name":"ctrue","color":true})", "color"},
      {"unknown field", R"({"name":"unk","owner":"me"})", "owner"},
      {"body is an array", R"([{"name":"arr"}])", ""},
      {"body is a string", R"("name")", ""},
      {"body is null", "null", ""},
      {"malformed JSON", R"({"name": "x",})", std::nullopt},
      {"truncated JSON", R"({"name": "x")", std::nullopt},
      {"trailing garbage", R"({"name":"tg"} {})", std::nullopt},
      {"not JSON at all", "name=x", std::nullopt},
      {"invalid UTF-8", "{\"name\":\"\xFF\xFE\"}", std::nullopt},
      // PostgreSQL's text and jsonb cannot hold U+0000 (it failed the append, or stopped the projection).
      {"name with U+0000", R"({"name":"nul\u0000name"})", "name"},
      {"description with U+0000", R"({"name":"nuldesc","description":"a\u0000"})", "description"},
      {"name with an unpaired surrogate escape", R"({"name":"lone\udc00"})", "name"},
      {"empty body", "", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto events_before = event_count(url());
    const auto total_before = total_roles();
    const auto r = post("/api/roles", c.body);
    expect_error(r, 400, c.label);
    if (c.path) {
      const auto paths = detail_paths(r.body);
      EXPECT_NE(std::find(paths.begin(), paths.end(), *c.path), paths.end())
          << c.label << ": expected details[].path \"" << *c.path << "\" in " << r.body;
    }
    EXPECT_EQ(event_count(url()), events_before) << c.label << " appended an event";
    EXPECT_EQ(total_roles(), total_before) << c.label << " changed the role list";
  }
}

TEST_F(RolesApi, InvalidUpdateIs400WithPathAndChangesNothing) {
  const auto id = create("upd-target-" + unique_suffix(), R"(,"description":"keep","color":"#010203")");
  ASSERT_GT(id, 0);
  const auto path = "/api/roles/" + std::to_string(id);
  const std::vector<Invalid> cases{
      {"empty object", R"({})", ""},
      {"name null", R"({"name":null})", "name"},
      {"name empty", R"({"name":""})", "name"},
      {"name only spaces", R"({"name":"  "})", "name"},
      {"name 101 chars", R"({"name":")" + repeat("b", 101) + R"("})", "name"},
      {"name number", R"({"name":1})", "name"},
      {"description 501 chars", R"({"description":")" + repeat("d", 501) + R"("})", "description"},
      {"description boolean", R"({"description":false})", "description"},
      {"color blue", R"({"color":"blue"})", "color"},
      {"color #12345", R"({"color":"#12345"})", "color"},
      {"color #GGGGGG", R"({"color":"#GGGGGG"})", "color"},
      {"unknown field", R"({"description":"x","id":7})", "id"},
      {"description with U+0000", R"({"description":"x\u0000y"})", "description"},
      {"body is an array", R"([])", ""},
      {"malformed JSON", R"({"description":)", std::nullopt},
      {"empty body", "", std::nullopt},
  };
  const auto before = get(path);
  ASSERT_EQ(before.status, 200);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto events_before = event_count(url());
    const auto r = put(path, c.body);
    expect_error(r, 400, c.label);
    if (c.path) {
      const auto paths = detail_paths(r.body);
      EXPECT_NE(std::find(paths.begin(), paths.end(), *c.path), paths.end())
          << c.label << ": expected details[].path \"" << *c.path << "\" in " << r.body;
    }
    EXPECT_EQ(event_count(url()), events_before) << c.label << " appended an event";
    EXPECT_EQ(get(path).body, before.body) << c.label << " changed the role";
  }
}

TEST_F(RolesApi, LengthLimitsCountCharactersNotBytes) {
  const auto s = unique_suffix();
  // 100 characters of two bytes each: 200 bytes, still within the limit.
  const std::string name = repeat("\xC3\xA9", 100 - s.size() - 1) + "-" + s;
  const auto r = post("/api/roles",
                      R"({"name":)" + json_quote(name) + R"(,"description":")" + repeat("\xE2\x82\xAC", 500) + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto d = parse_json(r.body);
  EXPECT_EQ(string_member(d, "name"), name);
  EXPECT_EQ(string_member(d, "description"), repeat("\xE2\x82\xAC", 500));
  EXPECT_EQ(get("/api/roles/" + std::to_string(int_member(d, "id").value_or(0))).body, r.body);

  const auto ascii = repeat("z", 100 - s.size() - 1) + "-" + s;
  EXPECT_EQ(
      post("/api/roles", R"({"name":)" + json_quote(ascii) + R"(,"description":")" + repeat("x", 500) + R"("})").status,
      201);
}

// ---------------------------------------------------------------------------------------
// 404, 405, 413

TEST_F(RolesApi, UnknownDeletedAndNonNumericIdsAre404) {
  const auto id = create("gone-" + unique_suffix());
  ASSERT_GT(id, 0);
  ASSERT_EQ(del("/api/roles/" + std::to_string(id)).status, 200);
  const auto events_before = event_count(url());
  for (const std::string& raw :
       {std::to_string(id), std::string("999999999"), std::string("abc"), std::string("0"), std::string("-1"),
        std::string("1.5"), std::string("1e3"), std::string("99999999999999999999999"), std::string("0x10")}) {
    SCOPED_TRACE(raw);
    const auto path = "/api/roles/" + raw;
    expect_error(get(path), 404, "GET " + path);
    expect_error(put(path, R"({"description":"x"})"), 404, "PUT " + path);
    expect_error(del(path), 404, "DELETE " + path);
  }
  EXPECT_EQ(event_count(url()), events_before);
}

TEST_F(RolesApi, WrongMethodIs405WithAllowHeader) {
  const auto id = create("allow-" + unique_suffix());
  ASSERT_GT(id, 0);
  const struct {
    std::string method;
    std::string path;
    std::set<std::string> allow;
  } cases[] = {
      {"PATCH", "/api/roles/" + std::to_string(id), {"GET", "HEAD", "PUT", "DELETE"}},
      {"POST", "/api/roles/" + std::to_string(id), {"GET", "HEAD", "PUT", "DELETE"}},
      {"DELETE", "/api/roles", {"GET", "HEAD", "POST"}},
      {"PUT", "/api/roles", {"GET", "HEAD", "POST"}},
      {"POST", "/api/health", {"GET", "HEAD"}},
      {"DELETE", "/api/version", {"GET", "HEAD"}},
  };
  const auto events_before = event_count(url());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    const auto r = call(port(), c.method, c.path,
                        c.method == "PATCH" || c.method == "POST" || c.method == "PUT" ? R"({"name":"nope"})" : "");
    expect_error(r, 405, c.method + " " + c.path);
    EXPECT_EQ(allow_set(r.header("allow")), c.allow) << "Allow: " << r.header("allow");
  }
  EXPECT_EQ(event_count(url()), events_before);
}

TEST_F(RolesApi, UnknownRouteIs404) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{{"GET", "/api/nope"},
                                                                                     {"GET", "/api/roles/1/members"},
                                                                                     {"POST", "/api/annotators/1/nope"},
                                                                                     {"GET", "/"},
                                                                                     {"GET", "/api"},
                                                                                     {"DELETE", "/api/roles/1/x/y"}}) {
    const auto what = std::string(method).append(" ").append(path);
    SCOPED_TRACE(what);
    expect_error(call(port(), method, path), 404, what);
  }
}

TEST_F(RolesApi, BodyOverTheLimitIs413AndChangesNothing) {
  const auto id = create("limit-" + unique_suffix());
  ASSERT_GT(id, 0);
  const auto path = "/api/roles/" + std::to_string(id);
  const auto before = get(path);
  const auto events_before = event_count(url());
  const auto total_before = total_roles();

  const std::string big = R"({"name":"too-big","description":")" + repeat("a", kMaxBody) + R"("})";
  ASSERT_GT(big.size(), kMaxBody);
  expect_error(post("/api/roles", big), 413, "POST over the limit");
  expect_error(put(path, big), 413, "PUT over the limit");

  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(total_roles(), total_before);
  EXPECT_EQ(get(path).body, before.body);

  // Exactly at the limit is not too large.
  const std::string name = "at-limit-" + unique_suffix();
  std::string exact = R"({"name":)" + json_quote(name);
  exact += std::string(kMaxBody - exact.size() - 1, ' ') + "}";
  ASSERT_EQ(exact.size(), kMaxBody);
  EXPECT_EQ(post("/api/roles", exact).status, 201);
}

// Far beyond the limit (past the parser's buffer: limit + 64 KiB of headers, docs/adr/0004) the
// request still gets the contract's 413: JSON error shape and an X-Request-Id (call() checks
// it), answered as soon as the buffer overflows, and the connection is closed behind it.
TEST_F(RolesApi, FarOversizedBodyIs413InTheContractsShapeAndChangesNothing) {
  const auto events_before = event_count(url());
  const auto total_before = total_roles();
  for (const std::size_t size : {std::size_t{100} * 1024, std::size_t{4} * 1024 * 1024}) {
    SCOPED_TRACE(size);
    const std::string huge = R"({"name":"huge","description":")" + repeat("h", size) + R"("})";
    expect_error(call(port(), "POST", "/api/roles", huge), 413, "POST far over the limit");
  }
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(total_roles(), total_before);
  EXPECT_TRUE(shared_server->running());
  EXPECT_EQ(get("/api/roles?limit=1").status, 200);  // and the server goes on serving
}

// Bytes that are not HTTP get a 400 in the contract's shape too (Pistache's own answer was
// plain text), and change nothing.
TEST_F(RolesApi, MalformedHttpIs400InTheContractsShape) {
  const auto events_before = event_count(url());
  const auto expect_json_400 = [](const RawResponse& r, const std::string& what) {
    EXPECT_EQ(r.status, 400) << what << ": " << r.body;
    EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0U) << what;
    EXPECT_FALSE(r.header("x-request-id").empty()) << what;
    const auto d = parse_json(r.body);
    ASSERT_FALSE(d.HasParseError()) << what << ": " << r.body;
    EXPECT_TRUE(string_member(d, "error").has_value()) << what << ": " << r.body;
  };
  expect_json_400(parse_response(raw_http(port(), "FETCH", "/api/roles", "", {})), "unknown method");
  expect_json_400(parse_response(raw_exchange(port(), "GET /api/roles HTTP/9.9\r\nHost: x\r\n\r\n")),
                  "unknown HTTP version");
  expect_json_400(parse_response(raw_exchange(port(),
                                              "POST /api/roles HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                              "application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n")),
                  "bad chunk size");
  // Pistache's parser throws std::out_of_range on these (it answered 500).
  for (const std::string length : {"-5", "99999999999999999999", "18446744073709551616"}) {
    expect_json_400(parse_response(raw_exchange(port(),
                                                "POST /api/roles HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                                "application/json\r\nContent-Length: " +
                                                    length + "\r\n\r\n{\"name\":\"cl\"}")),
                    "Content-Length: " + length);
  }
  EXPECT_EQ(event_count(url()), events_before);
}

// ---------------------------------------------------------------------------------------
// Unique names

TEST_F(RolesApi, DuplicateNameIs409IgnoringCaseAndSurroundingSpace) {
  const auto base = "Dup-" + unique_suffix();
  const auto id = create(base);
  ASSERT_GT(id, 0);
  const auto other = create("other-" + unique_suffix());
  ASSERT_GT(other, 0);
  const auto other_before = get("/api/roles/" + std::to_string(other));
  const auto events_before = event_count(url());
  const auto total_before = total_roles();
  std::string lower = base;
  std::string upper = base;
  for (auto& ch : lower) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  for (auto& ch : upper) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  for (const auto& name : {base, lower, upper, "  " + base + " "}) {
    SCOPED_TRACE(name);
    expect_error(post("/api/roles", R"({"name":)" + json_quote(name) + "}"), 409, "POST duplicate " + name);
    expect_error(put("/api/roles/" + std::to_string(other), R"({"name":)" + json_quote(name) + "}"), 409,
                 "rename onto " + name);
  }
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(total_roles(), total_before);
  EXPECT_EQ(get("/api/roles/" + std::to_string(other)).body, other_before.body);

  // The holder itself may change the case of its own name.
  const auto recased = put("/api/roles/" + std::to_string(id), R"({"name":)" + json_quote(upper) + "}");
  EXPECT_EQ(recased.status, 200) << recased.body;
  EXPECT_EQ(string_member(parse_json(recased.body), "name"), upper);
}

TEST_F(RolesApi, RenameAndDeleteFreeTheOldName) {
  const auto first = "first-" + unique_suffix();
  const auto second = "second-" + unique_suffix();
  const auto id = create(first);
  ASSERT_GT(id, 0);
  ASSERT_EQ(put("/api/roles/" + std::to_string(id), R"({"name":)" + json_quote(second) + "}").status, 200);
  // The old name is free again, the new one is taken.
  const auto again = create(first);
  EXPECT_GT(again, 0);
  expect_error(post("/api/roles", R"({"name":)" + json_quote(second) + "}"), 409, "the new name is taken");
  // Deleting frees a name too.
  ASSERT_EQ(del("/api/roles/" + std::to_string(id)).status, 200);
  EXPECT_GT(create(second), 0);
}

// ---------------------------------------------------------------------------------------
// Pagination

TEST_F(RolesApi, ListPaginatesWithTotalLimitOffsetAndHasMore) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_GT(create("page-" + unique_suffix()), 0);
  }
  const auto all = get("/api/roles?limit=500");
  ASSERT_EQ(all.status, 200) << all.body;
  const auto a = parse_json(all.body);
  ASSERT_TRUE(a.IsObject() && a["data"].IsArray() && a["pagination"].IsObject()) << all.body;
  const auto total = int_member(a["pagination"], "total").value_or(-1);
  ASSERT_GE(total, 7);
  ASSERT_LE(total, 500);
  std::vector<std::string> expected;
  std::int64_t last_id = 0;
  for (const auto& item : a["data"].GetArray()) {
    const auto id = int_member(item, "id").value_or(0);
    EXPECT_GT(id, last_id) << "the list is ordered by id";
    last_id = id;
    expected.push_back(to_json(item));
  }
  ASSERT_EQ(static_cast<std::int64_t>(expected.size()), total);
  EXPECT_EQ(int_member(a["pagination"], "limit"), 500);
  EXPECT_EQ(int_member(a["pagination"], "offset"), 0);
  EXPECT_FALSE(a["pagination"]["hasMore"].GetBool());

  // Default limit is 100, offset 0.
  const auto d = parse_json(get("/api/roles").body);
  ASSERT_TRUE(d.IsObject() && d["pagination"].IsObject());
  EXPECT_EQ(int_member(d["pagination"], "limit"), 100);
  EXPECT_EQ(int_member(d["pagination"], "offset"), 0);
  EXPECT_EQ(int_member(d["pagination"], "total"), total);

  const std::int64_t limit = 3;
  std::vector<std::string> paged;
  for (std::int64_t offset = 0; offset <= total; offset += limit) {
    const auto r = get("/api/roles?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto p = parse_json(r.body);
    ASSERT_TRUE(p.IsObject() && p["data"].IsArray() && p["pagination"].IsObject()) << r.body;
    const auto& pg = p["pagination"];
    EXPECT_EQ(int_member(pg, "total"), total);
    EXPECT_EQ(int_member(pg, "limit"), limit);
    EXPECT_EQ(int_member(pg, "offset"), offset);
    ASSERT_TRUE(pg.HasMember("hasMore") && pg["hasMore"].IsBool()) << r.body;
    EXPECT_EQ(pg["hasMore"].GetBool(), offset + limit < total) << r.body;
    EXPECT_EQ(static_cast<std::int64_t>(p["data"].Size()), std::min(limit, total - offset)) << r.body;
    for (const auto& item : p["data"].GetArray()) {
      paged.push_back(to_json(item));
    }
  }
  EXPECT_EQ(paged, expected);

  // Past the end: empty page, same total.
  const auto beyond = parse_json(get("/api/roles?limit=10&offset=" + std::to_string(total + 5)).body);
  ASSERT_TRUE(beyond.IsObject() && beyond["data"].IsArray());
  EXPECT_EQ(beyond["data"].Size(), 0U);
  EXPECT_EQ(int_member(beyond["pagination"], "total"), total);
  EXPECT_FALSE(beyond["pagination"]["hasMore"].GetBool());
}

TEST_F(RolesApi, InvalidPaginationParametersAre400) {
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"limit=0", "limit"},
           {"limit=501", "limit"},
           {"limit=abc", "limit"},
           {"limit=-1", "limit"},
           {"limit=1.5", "limit"},
           {"limit=10abc", "limit"},
           {"limit=", "limit"},
           {"offset=-1", "offset"},
           {"offset=abc", "offset"},
           {"limit=5&offset=-3", "offset"},
       }) {
    SCOPED_TRACE(query);
    const auto r = get("/api/roles?" + query);
    expect_error(r, 400, query);
    const auto paths = detail_paths(r.body);
    EXPECT_NE(std::find(paths.begin(), paths.end(), field), paths.end()) << query << ": " << r.body;
  }
  EXPECT_EQ(get("/api/roles?limit=500").status, 200);
  EXPECT_EQ(get("/api/roles?limit=1&offset=0").status, 200);
}

// ---------------------------------------------------------------------------------------
// Read-your-writes: right after each acknowledged write, a GET shows it.

TEST_F(RolesApi, ReadYourWritesFiftyTimesOver) {
  for (int i = 0; i < 50; ++i) {
    SCOPED_TRACE("round " + std::to_string(i));
    const auto total_before = total_roles();
    const auto created = post("/api/roles", R"({"name":)" + json_quote("ryw-" + unique_suffix()) + "}");
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = int_member(parse_json(created.body), "id").value_or(0);
    const auto path = "/api/roles/" + std::to_string(id);
    const auto after_create = get(path);
    ASSERT_EQ(after_create.status, 200) << "created role not visible right after 201";
    EXPECT_EQ(after_create.body, created.body);
    EXPECT_EQ(total_roles(), total_before + 1);

    const auto updated = put(path, R"({"description":)" + json_quote("rev " + std::to_string(i)) +
                                       R"(,"color":"#00FF0)" + std::to_string(i % 10) + R"("})");
    ASSERT_EQ(updated.status, 200) << updated.body;
    const auto after_update = get(path);
    EXPECT_EQ(after_update.body, updated.body) << "update not visible right after 200";

    ASSERT_EQ(del(path).status, 200);
    EXPECT_EQ(get(path).status, 404) << "deleted role still visible right after 200";
    EXPECT_EQ(total_roles(), total_before);
  }
}

// ---------------------------------------------------------------------------------------
// X-Request-Id

TEST_F(RolesApi, RequestIdIsEchoedWhenValidAndGeneratedOtherwise) {
  const std::string rid = "e2e-trace_" + unique_suffix() + ".1";
  const Headers h{{"X-Request-Id", rid}};
  EXPECT_EQ(get("/api/roles", h).header("x-request-id"), rid);
  EXPECT_EQ(get("/api/roles/999999", h).header("x-request-id"), rid);
  EXPECT_EQ(post("/api/roles", "{", h).header("x-request-id"), rid);
  EXPECT_EQ(call(port(), "PATCH", "/api/roles", "", h).header("x-request-id"), rid);
  const auto created = post("/api/roles", R"({"name":)" + json_quote("rid-" + unique_suffix()) + "}", h);
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(created.header("x-request-id"), rid);
  // The request id travels into the event's metadata (correlation).
  const auto id = int_member(parse_json(created.body), "id").value_or(0);
  EXPECT_EQ(query_rows(url(), "SELECT metadata->>'correlationId' FROM events WHERE stream_id = " +
                                  sql_text("role-" + std::to_string(id)))
                .at(0)
                .at(0),
            rid);

  // Invalid ones are replaced, never echoed.
  for (const std::string& bad : {std::string("has space"), std::string("semi;colon"), repeat("x", 129)}) {
    const auto r = get("/api/roles", {{"X-Request-Id", bad}});
    EXPECT_FALSE(r.header("x-request-id").empty());
    EXPECT_NE(r.header("x-request-id"), bad);
  }
  // Absent: a fresh id per request.
  const auto a = get("/api/version").header("x-request-id");
  const auto b = get("/api/version").header("x-request-id");
  EXPECT_FALSE(a.empty());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace lf::e2e
