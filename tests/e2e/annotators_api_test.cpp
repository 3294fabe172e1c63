// /api/annotators end to end: the built binary over HTTP, the event log checked in PostgreSQL,
// the annotator topic read back from Kafka. One `labelfleet serve` serves the suite.
#include "tests/e2e/annotator_support.hpp"

namespace lf::e2e {
namespace {

const std::string kDomain = "fleet.test";

class AnnotatorsApi : public AnnotatorSuite<AnnotatorsApi> {
 public:
  static std::map<std::string, std::string> suite_env() { return {{"LABELFLEET_ANNOTATOR_DOMAIN", kDomain}}; }

 protected:
  // POST that must be refused with `status` and append nothing.
  static HttpResult refused(const std::string& method, const std::string& path, const std::string& body, int status,
                            const std::string& what) {
    const auto before = event_count(url());
    auto r = call(port(), method, path, body);
    expect_error(r, status, what);
    EXPECT_EQ(event_count(url()), before) << what << ": a refused request appended events";
    return r;
  }
};

std::string email_for(const std::string& who) { return who + "-" + unique_suffix() + "@example.com"; }

std::vector<std::string> all_bodies;  // every answer of the token test, scanned for the token

TEST_F(AnnotatorsApi, CreateAnswers201WithTheContractFields) {
  const auto role = create_role("labeler-" + unique_suffix());
  const auto email = email_for("alice");
  const auto r = post("/api/annotators", R"({"name":"  Alice Liddell ","email":)" + json_quote(" " + email + " ") +
                                             R"(,"roleId":)" + std::to_string(role) + R"(,"notes":"day shift"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto d = parse_json(r.body);
  const auto id = int_member(d, "id").value_or(0);
  ASSERT_GT(id, 0);
  EXPECT_EQ(r.header("location"), "/api/annotators/" + std::to_string(id));
  EXPECT_EQ(string_member(d, "name"), "Alice Liddell");
  EXPECT_EQ(string_member(d, "email"), email);
  EXPECT_EQ(int_member(d, "roleId"), role);
  EXPECT_EQ(string_member(d, "status"), "created");
  EXPECT_EQ(string_member(d, "notes"), "day shift");
  EXPECT_EQ(string_member(d, "databaseName"), "ls_annotator_" + std::to_string(id));
  EXPECT_EQ(string_member(d, "subdomain").value_or("").rfind("alice-liddell", 0), 0U) << r.body;
  for (const auto* key : {"containerId", "containerIp", "containerPort", "apiToken", "lsUserId", "lastActiveAt"}) {
    EXPECT_TRUE(is_null_member(d, key)) << key << ": " << r.body;
  }
  EXPECT_EQ(int_member(d, "rejectionCount"), 0);
  EXPECT_EQ(int_member(d, "reviewedCount"), 0);
  EXPECT_TRUE(string_member(d, "createdAt").has_value());
  EXPECT_TRUE(string_member(d, "updatedAt").has_value());
  ASSERT_TRUE(d.HasMember("role") && d["role"].IsObject()) << r.body;
  EXPECT_EQ(int_member(d["role"], "id"), role);
  EXPECT_EQ(string_member(d["role"], "color"), "#3B82F6");
  // The webhook secret is masked: its prefix, an ellipsis, its last 4 characters.
  const auto masked = string_member(d, "webhookSecret").value_or("");
  EXPECT_EQ(masked.rfind("whs_\u2026", 0), 0U) << masked;
  EXPECT_EQ(masked.size(), std::string("whs_\u2026").size() + 4) << masked;

  // The webhook secret was issued in the same transaction: one event, only its hash.
  const auto secret_rows = query_rows(url(), "SELECT data->>'secretHash' FROM events WHERE stream_id = " +
                                                 sql_text("webhook-secret-" + std::to_string(id)));
  ASSERT_EQ(secret_rows.size(), 1U);
  EXPECT_EQ(secret_rows[0][0].size(), 64U);

  // GET by id: the same annotator, with its role and (no) assignments.
  const auto got = get("/api/annotators/" + std::to_string(id));
  ASSERT_EQ(got.status, 200) << got.body;
  const auto g = parse_json(got.body);
  ASSERT_TRUE(g.HasMember("assignments") && g["assignments"].IsArray()) << got.body;
  EXPECT_EQ(g["assignments"].Size(), 0U);
  auto without_assignments = parse_json(got.body);
  without_assignments.RemoveMember("assignments");
  EXPECT_EQ(to_json(without_assignments), r.body) << "the write answer and the read model disagree";

  // The list: envelope, and the same item.
  const auto list = get("/api/annotators?limit=500");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto l = parse_json(list.body);
  ASSERT_TRUE(l.HasMember("data") && l["data"].IsArray()) << list.body;
  ASSERT_TRUE(l.HasMember("pagination")) << list.body;
  bool found = false;
  for (const auto& item : l["data"].GetArray()) {
    if (int_member(item, "id") == id) {
      found = true;
      EXPECT_EQ(to_json(item), r.body);
    }
  }
  EXPECT_TRUE(found) << list.body;
}

TEST_F(AnnotatorsApi, EveryCreateRuleIsA400WithItsPath) {
  const auto ok_email = json_quote(email_for("v"));
  const auto paths_of = [](const HttpResult& r) { return detail_paths(r.body); };
  using Paths = std::vector<std::string>;
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators", R"({"email":)" + ok_email + "}", 400, "no name")),
            Paths{"name"});
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators", R"({"name":"   ","email":)" + ok_email + "}", 400, "blank")),
            Paths{"name"});
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators",
                             R"({"name":)" + json_quote(std::string(256, 'n')) + R"(,"email":)" + ok_email + "}", 400,
                             "long name")),
            Paths{"name"});
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators", R"({"name":"A"})", 400, "no email")), Paths{"email"});
  for (const auto* bad : {"plain", "a@b", "a b@example.com", "@example.com", "a@@example.com"}) {
    EXPECT_EQ(paths_of(refused("POST", "/api/annotators", R"({"name":"A","email":)" + json_quote(bad) + "}", 400, bad)),
              Paths{"email"})
        << bad;
  }
  EXPECT_EQ(
      paths_of(refused("POST", "/api/annotators",
                       R"({"name":"A","email":)" + ok_email + R"(,"notes":)" + json_quote(std::string(2001, 'x')) + "}",
                       400, "long notes")),
      Paths{"notes"});
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators", R"({"name":"A","email":)" + ok_email + R"(,"roleId":999999})",
                             400, "unknown role")),
            Paths{"roleId"});
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators", R"({"name":"A","email":)" + ok_email + R"(,"roleId":"1"})", 400,
                             "roleId string")),
            Paths{"roleId"});
  refused("POST", "/api/annotators", R"({"name":"A","email":)" + ok_email + R"(,"status":"active"})", 400,
          "unknown member");
  refused("POST", "/api/annotators", R"({"name":"A",)", 400, "malformed JSON");
  refused("POST", "/api/annotators", "", 400, "no body");
  // A deleted role is no role.
  const auto role = create_role("gone-" + unique_suffix());
  ASSERT_EQ(del("/api/roles/" + std::to_string(role)).status, 200);
  EXPECT_EQ(paths_of(refused("POST", "/api/annotators",
                             R"({"name":"A","email":)" + ok_email + R"(,"roleId":)" + std::to_string(role) + "}", 400,
                             "deleted role")),
            Paths{"roleId"});
  // Exactly 255 characters and 2000 of notes are fine.
  create_annotator(std::string(255, 'n'), email_for("long"), R"(,"notes":)" + json_quote(std::string(2000, 'x')));
}

TEST_F(AnnotatorsApi, EmailIsUniqueIgnoringCaseAndFreedByDelete) {
  const auto email = email_for("carol");
  const auto id = create_annotator("Carol", email);
  std::string upper = email;
  for (auto& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const auto dup = refused("POST", "/api/annotators", R"({"name":"Carol 2","email":)" + json_quote(upper) + "}", 409,
                           "same email, other case");
  EXPECT_NE(dup.body.find("Email already exists"), std::string::npos) << dup.body;
  ASSERT_EQ(del("/api/annotators/" + std::to_string(id)).status, 200);
  EXPECT_GT(create_annotator("Carol again", upper), id) << "a deleted annotator's email may be used again";
}

TEST_F(AnnotatorsApi, SubdomainsAreUniqueAndStayReservedAfterDelete) {
  const auto name = "Sub Domain " + unique_suffix();
  std::string slug;
  for (const char c : name) {
    slug += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const auto first = create_annotator(name, email_for("s1"));
  const auto second = create_annotator(name, email_for("s2"));
  EXPECT_EQ(string_member(parse_json(get("/api/annotators/" + std::to_string(first)).body), "subdomain"), slug);
  EXPECT_EQ(string_member(parse_json(get("/api/annotators/" + std::to_string(second)).body), "subdomain"), slug + "-2");
  ASSERT_EQ(del("/api/annotators/" + std::to_string(first)).status, 200);
  const auto third = create_annotator(name, email_for("s3"));
  EXPECT_EQ(string_member(parse_json(get("/api/annotators/" + std::to_string(third)).body), "subdomain"), slug + "-3")
      << "a deleted annotator's subdomain is not handed out again";
}

TEST_F(AnnotatorsApi, UpdateRulesAndAnswers) {
  const auto role = create_role("reviewer-" + unique_suffix());
  const auto other_email = email_for("taken");
  create_annotator("Taken", other_email);
  const auto id = create_annotator("Dave", email_for("dave"), R"(,"roleId":)" + std::to_string(role));
  const auto path = "/api/annotators/" + std::to_string(id);
  using Paths = std::vector<std::string>;

  refused("PUT", path, "{}", 400, "empty update");
  EXPECT_EQ(detail_paths(refused("PUT", path, R"({"name":""})", 400, "empty name").body), Paths{"name"});
  EXPECT_EQ(detail_paths(refused("PUT", path, R"({"name":null})", 400, "null name").body), Paths{"name"});
  EXPECT_EQ(detail_paths(refused("PUT", path, R"({"email":"nope"})", 400, "bad email").body), Paths{"email"});
  EXPECT_EQ(detail_paths(refused("PUT", path, R"({"roleId":999999})", 400, "unknown role").body), Paths{"roleId"});
  EXPECT_EQ(
      detail_paths(
          refused("PUT", path, R"({"notes":)" + json_quote(std::string(2001, 'x')) + "}", 400, "long notes").body),
      Paths{"notes"});
  refused("PUT", path, R"({"email":)" + json_quote(other_email) + "}", 409, "email of another annotator");
  refused("PUT", "/api/annotators/999999", R"({"name":"x"})", 404, "unknown annotator");
  refused("PUT", "/api/annotators/abc", R"({"name":"x"})", 404, "not an id");

  const auto r = put(path, R"({"name":"David","notes":"moved","roleId":null})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = parse_json(r.body);
  EXPECT_EQ(string_member(d, "name"), "David");
  EXPECT_EQ(string_member(d, "notes"), "moved");
  EXPECT_TRUE(is_null_member(d, "roleId")) << r.body;
  EXPECT_TRUE(is_null_member(d, "role")) << r.body;
  EXPECT_EQ(string_member(d, "status"), "created");
  auto got = parse_json(get(path).body);
  got.RemoveMember("assignments");
  EXPECT_EQ(to_json(got), r.body);

  // Giving the role back nests it again.
  const auto again = put(path, R"({"roleId":)" + std::to_string(role) + "}");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(int_member(parse_json(again.body)["role"], "id"), role);

  // The same values again record nothing.
  const auto before = stream_event_count(url(), "annotator-" + std::to_string(id));
  EXPECT_EQ(put(path, R"({"name":"David"})").status, 200);
  EXPECT_EQ(stream_event_count(url(), "annotator-" + std::to_string(id)), before);
}

TEST_F(AnnotatorsApi, DeleteIsAnEventAndTheRowStaysWithStatusDeleted) {
  const auto id = create_annotator("Erin", email_for("erin"));
  const auto path = "/api/annotators/" + std::to_string(id);
  const auto r = del(path);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"success":true})");
  const auto got = get(path);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(string_member(parse_json(got.body), "status"), "deleted");
  EXPECT_EQ(string_member(parse_json(get(path + "/status").body), "status"), "deleted");
  const auto types = query_rows(url(), "SELECT event_type FROM events WHERE stream_id = " +
                                           sql_text("annotator-" + std::to_string(id)) + " ORDER BY stream_version");
  ASSERT_EQ(types.size(), 2U);
  EXPECT_EQ(types[1][0], "annotator.deleted");
  refused("DELETE", path, "", 404, "deleted twice");
  refused("PUT", path, R"({"name":"x"})", 404, "update after delete");
  refused("DELETE", "/api/annotators/999999", "", 404, "unknown");
  expect_error(get("/api/annotators/999999"), 404, "GET unknown");
  expect_error(get("/api/annotators/0"), 404, "GET id 0");
}

TEST_F(AnnotatorsApi, StatusNamesTheInstanceUrl) {
  const auto id = create_annotator("Frank Status", email_for("frank"));
  const auto r = get("/api/annotators/" + std::to_string(id) + "/status");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = parse_json(r.body);
  const auto subdomain = string_member(d, "subdomain").value_or("");
  EXPECT_EQ(subdomain.rfind("frank-status", 0), 0U) << r.body;
  EXPECT_EQ(string_member(d, "status"), "created");
  EXPECT_TRUE(is_null_member(d, "containerId"));
  EXPECT_TRUE(is_null_member(d, "containerIp"));
  EXPECT_EQ(string_member(d, "url"), "http://" + subdomain + "." + kDomain);
  expect_error(get("/api/annotators/999999/status"), 404, "status of unknown");
}

TEST_F(AnnotatorsApi, BulkCreateIsAllOrNothing) {
  const auto role = create_role("bulk-" + unique_suffix());
  const auto existing = email_for("existing");
  create_annotator("Existing", existing);
  const auto rows_before = annotator_rows();
  const auto events_before = event_count(url());
  const auto a = email_for("bulk-a");
  const auto b = email_for("bulk-b");
  const auto item = [&](const std::string& name, const std::string& email) {
    return R"({"name":)" + json_quote(name) + R"(,"email":)" + json_quote(email) + R"(,"roleId":)" +
           std::to_string(role) + "}";
  };
  std::vector<std::string> rejected_emails;
  // A duplicate inside the batch (case-insensitively).
  const auto dup_in_batch = email_for("twin");
  std::string upper_twin = dup_in_batch;
  upper_twin[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper_twin[0])));
  const auto r1 = post("/api/annotators/bulk", R"({"annotators":[)" + item("A", a) + "," + item("T1", dup_in_batch) +
                                                   "," + item("T2", upper_twin) + "]}");
  expect_error(r1, 409, "duplicate inside the batch");
  EXPECT_NE(r1.body.find(upper_twin), std::string::npos) << "the 409 names the duplicate: " << r1.body;
  rejected_emails.insert(rejected_emails.end(), {a, dup_in_batch});
  // A duplicate of an existing annotator.
  const auto r2 = post("/api/annotators/bulk", R"({"annotators":[)" + item("B", b) + "," + item("E", existing) + "]}");
  expect_error(r2, 409, "duplicate of an existing annotator");
  rejected_emails.push_back(b);
  // One invalid item.
  const auto r3 = post("/api/annotators/bulk", R"({"annotators":[)" + item("B", b) + "," + item("Bad", "nope") + "]}");
  expect_error(r3, 400, "invalid item");
  EXPECT_EQ(detail_paths(r3.body), std::vector<std::string>{"annotators/1/email"});
  const auto r4 = post("/api/annotators/bulk", R"({"annotators":[)" + item("B", b) + R"(,{"name":"x"}]})");
  expect_error(r4, 400, "item without email");
  EXPECT_EQ(detail_paths(r4.body), std::vector<std::string>{"annotators/1/email"});
  const auto r5 = post("/api/annotators/bulk", R"({"annotators":[)" + item("B", b) + R"(,{"name":"x","email":)" +
                                                   json_quote(email_for("r")) + R"(,"roleId":999999}]})");
  expect_error(r5, 400, "item with unknown role");
  EXPECT_EQ(detail_paths(r5.body), std::vector<std::string>{"annotators/1/roleId"});
  expect_error(post("/api/annotators/bulk", R"({"annotators":[]})"), 400, "empty batch");
  std::string many = R"({"annotators":[)";
  for (int i = 0; i < 101; ++i) {
    many += (i == 0 ? "" : ",") + item("M", "m" + std::to_string(i) + "-" + unique_suffix() + "@example.com");
  }
  expect_error(post("/api/annotators/bulk", many + "]}"), 400, "101 annotators");
  expect_error(post("/api/annotators/bulk", "{}"), 400, "no annotators member");

  // Nothing of the rejected batches exists anywhere.
  EXPECT_EQ(event_count(url()), events_before) << "a rejected batch appended events";
  EXPECT_EQ(annotator_rows(), rows_before) << "a rejected batch reached the read model";
  for (const auto& e : rejected_emails) {
    EXPECT_EQ(query_int(url(), "SELECT count(*) FROM unique_claims WHERE value = " + sql_text(e)), 0) << e;
  }

  // The accepted batch: every annotator, at once.
  const auto c = email_for("bulk-c");
  const auto ok = post("/api/annotators/bulk", R"({"annotators":[)" + item("Bulk One", a) + "," + item("Bulk One", b) +
                                                   R"(,{"name":"Bulk Three","email":)" + json_quote(c) + "}]}");
  ASSERT_EQ(ok.status, 201) << ok.body;
  const auto d = parse_json(ok.body);
  EXPECT_EQ(int_member(d, "created"), 3);
  ASSERT_TRUE(d.HasMember("annotators") && d["annotators"].IsArray() && d["annotators"].Size() == 3) << ok.body;
  std::set<std::string> subdomains;
  for (const auto& created : d["annotators"].GetArray()) {
    const auto id = int_member(created, "id").value_or(0);
    subdomains.insert(string_member(created, "subdomain").value_or(""));
    EXPECT_EQ(string_member(created, "status"), "created");
    const auto got = get("/api/annotators/" + std::to_string(id));
    EXPECT_EQ(got.status, 200) << "created annotator " << id << " is not readable at once";
    EXPECT_EQ(stream_event_count(url(), "webhook-secret-" + std::to_string(id)), 1) << id;
  }
  EXPECT_EQ(subdomains.size(), 3U) << "two annotators of one batch share a subdomain: " << ok.body;
  EXPECT_EQ(annotator_rows(), rows_before + 3);
  EXPECT_EQ(int_member(d["annotators"][0]["role"], "id"), role);

  // The topic carries the accepted batch and nothing of the rejected ones.
  const auto messages =
      read_topic(shared_server->kafka_bootstrap(), "labelfleet.annotator.v1", positions_of(url(), "annotator"));
  EXPECT_FALSE(messages.empty());
  std::size_t carrying_c = 0;
  for (const auto& m : messages) {
    for (const auto& e : {dup_in_batch, upper_twin}) {
      EXPECT_EQ(m.value.find(e), std::string::npos) << "a rejected batch reached Kafka: " << m.value;
    }
    carrying_c += m.value.find(c) != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(carrying_c, 1U) << "the accepted batch's annotator is on the topic exactly once";
  // a and b were rejected first, then accepted once: one annotator.created each.
  for (const auto& e : {a, b}) {
    std::size_t n = 0;
    for (const auto& m : messages) {
      n += m.value.find(e) != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(n, 1U) << e;
  }
}

TEST_F(AnnotatorsApi, BulkDeleteSetsStatusDeletedAndSkipsUnknownIds) {
  const auto x = create_annotator("Bulk X", email_for("x"));
  const auto y = create_annotator("Bulk Y", email_for("y"));
  const auto gone = create_annotator("Bulk Gone", email_for("gone"));
  ASSERT_EQ(del("/api/annotators/" + std::to_string(gone)).status, 200);
  const auto body = R"({"ids":[)" + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(gone) + "," +
                    std::to_string(x) + ",999999]}";
  const auto r = del("/api/annotators/bulk", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"deleted":2})");
  for (const auto id : {x, y}) {
    EXPECT_EQ(string_member(parse_json(get("/api/annotators/" + std::to_string(id)).body), "status"), "deleted");
    EXPECT_EQ(stream_event_count(url(), "annotator-" + std::to_string(id)), 2) << id;
  }
  const auto again = del("/api/annotators/bulk", body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, R"({"deleted":0})");
  expect_error(del("/api/annotators/bulk", R"({"ids":[]})"), 400, "no ids");
  expect_error(del("/api/annotators/bulk", R"({"ids":["1"]})"), 400, "string id");
  expect_error(del("/api/annotators/bulk", R"({"ids":[0]})"), 400, "id 0");
  expect_error(del("/api/annotators/bulk", ""), 400, "no body");
  std::string many = R"({"ids":[)";
  for (int i = 1; i <= 101; ++i) {
    many += (i == 1 ? "" : ",") + std::to_string(i);
  }
  const auto before = event_count(url());
  expect_error(del("/api/annotators/bulk", many + "]}"), 400, "101 ids");
  EXPECT_EQ(event_count(url()), before);
}

TEST_F(AnnotatorsApi, TokenReportNeedsTheAnnotatorsSecretAndIsNeverShown) {
  const auto id = create_annotator("Grace Token", email_for("grace"));
  const auto other = create_annotator("Other Token", email_for("other"));
  const auto path = "/api/annotators/" + std::to_string(id) + "/token";
  const std::string token = "lsTok" + unique_suffix() + "0123456789abcdefSECRETwxyz";
  const auto body = R"({"token":)" + json_quote(token) + "}";
  const auto secret = rotate_secret(id);
  const auto other_secret = rotate_secret(other);
  const auto keep = [](HttpResult r) {
    all_bodies.push_back(r.body);
    return r;
  };
  expect_error(keep(post(path, body)), 401, "no secret (an admin's bearer token is not enough)");
  expect_error(keep(post(path, body, {{"X-Webhook-Secret", "whs_wrong"}})), 401, "wrong secret");
  expect_error(keep(post(path, body, {{"X-Webhook-Secret", other_secret}})), 401, "another annotator's secret");
  expect_error(keep(post(path, R"({"token":""})", {{"X-Webhook-Secret", secret}})), 400, "empty token");
  expect_error(keep(post(path, "{}", {{"X-Webhook-Secret", secret}})), 400, "no token");
  expect_error(
      keep(post(path, R"({"token":)" + json_quote(std::string(513, 't')) + "}", {{"X-Webhook-Secret", secret}})), 400,
      "long token");
  const auto ok = keep(post(path, body, {{"X-Webhook-Secret", secret}, {"Authorization", ""}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, R"({"success":true})");

  const auto got = keep(get("/api/annotators/" + std::to_string(id)));
  EXPECT_EQ(string_member(parse_json(got.body), "apiToken"), "\u2026" + token.substr(token.size() - 4)) << got.body;
  keep(get("/api/annotators?limit=500"));
  keep(get("/api/annotators/" + std::to_string(id) + "/status"));
  ASSERT_TRUE(eventually(
      [&] {
        return keep(get("/api/events?annotatorId=" + std::to_string(id))).body.find("api_token_reported") !=
               std::string::npos;
      },
      20s));
  for (const auto& b : all_bodies) {
    EXPECT_EQ(b.find(token), std::string::npos) << "the token leaked in an answer: " << b;
    EXPECT_EQ(b.find(token.substr(0, 20)), std::string::npos) << b;
    EXPECT_EQ(b.find(secret), std::string::npos) << "the webhook secret leaked: " << b;
  }
  // Kept in the log for the Label Studio client, but never on Kafka.
  EXPECT_EQ(query_int(url(), "SELECT count(*) FROM events WHERE data->>'token' = " + sql_text(token)), 1);
  const auto messages =
      read_topic(shared_server->kafka_bootstrap(), "labelfleet.annotator.v1", positions_of(url(), "annotator"));
  bool reported_seen = false;
  for (const auto& m : messages) {
    EXPECT_EQ(m.value.find(token), std::string::npos) << "the token reached Kafka: " << m.value;
    reported_seen = reported_seen || m.value.find("\"tokenHint\"") != std::string::npos;
  }
  EXPECT_TRUE(reported_seen) << "annotator.api_token_reported is published (without its token)";

  // A deleted annotator reports nothing any more, even with its secret.
  ASSERT_EQ(del("/api/annotators/" + std::to_string(id)).status, 200);
  expect_error(post(path, body, {{"X-Webhook-Secret", secret}}), 404, "token for a deleted annotator");
}

TEST_F(AnnotatorsApi, BulkRouteWinsOverTheIdRoute) {
  // "bulk" is not an id: GET and PUT on it are the :id routes and find nothing; POST and
  // DELETE are the bulk routes (a schema error, not a 404).
  expect_error(get("/api/annotators/bulk"), 404, "GET bulk");
  expect_error(post("/api/annotators/bulk", "{}"), 400, "POST bulk");
  expect_error(del("/api/annotators/bulk", "{}"), 400, "DELETE bulk");
}

TEST_F(AnnotatorsApi, RebuildingEveryProjectionGivesIdenticalAnswers) {
  create_annotator("Replay One", email_for("replay"),
                   R"(,"roleId":)" + std::to_string(create_role("rp-" + unique_suffix())));
  const auto snapshot = [&] {
    std::vector<std::string> out{get("/api/annotators?limit=500").body};
    const auto list = parse_json(out[0]);
    for (const auto& item : list["data"].GetArray()) {
      const auto id = std::to_string(int_member(item, "id").value_or(0));
      out.push_back(get("/api/annotators/" + id).body);
      out.push_back(get("/api/annotators/" + id + "/status").body);
    }
    out.push_back(get("/api/events?limit=500").body);
    return out;
  };
  // The audit trail is not waited for by writes: let it catch up first.
  const auto audit_rows = [&] { return query_int(url(), "SELECT count(*) FROM rm_audit_events"); };
  const auto annotator_events = query_int(url(), "SELECT count(*) FROM events WHERE stream_type = 'annotator'");
  ASSERT_TRUE(eventually([&] { return audit_rows() == annotator_events; }, 20s));
  const auto before = snapshot();
  ASSERT_GT(before.size(), 3U);
  const auto replay = run_binary({"replay", "--all"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_EQ(snapshot(), before) << "the API answers differ after rebuilding the projections";
}

}  // namespace
}  // namespace lf::e2e
