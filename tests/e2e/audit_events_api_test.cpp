// GET /api/events end to end: the audit trail shows the annotator lifecycle as "container"
// events, newest first, filtered by type and annotator, paginated, without secrets.
#include "tests/e2e/annotator_support.hpp"

namespace lf::e2e {
namespace {

class AuditEventsApi : public AnnotatorSuite<AuditEventsApi> {
 protected:
  // GET /api/events?<query> answered 200 with the envelope; its data items.
  static rapidjson::Document events(const std::string& query) {
    const auto r = get("/api/events" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    auto d = parse_json(r.body);
    EXPECT_TRUE(d.IsObject() && d.HasMember("data") && d["data"].IsArray() && d.HasMember("pagination")) << r.body;
    return d;
  }

  static std::int64_t total(const rapidjson::Document& d) {
    return d.IsObject() && d.HasMember("pagination") ? int_member(d["pagination"], "total").value_or(-1) : -1;
  }
};

TEST_F(AuditEventsApi, AnnotatorLifecycleIsListedNewestFirst) {
  const auto id = create_annotator("Audit Ann", "audit-" + unique_suffix() + "@example.com");
  const auto other = create_annotator("Audit Other", "audit-o-" + unique_suffix() + "@example.com");
  ASSERT_EQ(put("/api/annotators/" + std::to_string(id), R"({"notes":"audited"})").status, 200);
  const auto secret = rotate_secret(id);
  const std::string token = "audit-token-" + unique_suffix() + "-abcdefghijkl";
  ASSERT_EQ(post("/api/annotators/" + std::to_string(id) + "/token", R"({"token":)" + json_quote(token) + "}",
                 {{"X-Webhook-Secret", secret}})
                .status,
            200);
  ASSERT_EQ(del("/api/annotators/" + std::to_string(id)).status, 200);

  const auto query = "?annotatorId=" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return total(events(query)) == 4; }, 20s)) << get("/api/events" + query).body;
  const auto d = events(query);
  const auto& data = d["data"];
  ASSERT_EQ(data.Size(), 4U);
  const std::vector<std::string> expected{"annotator_deleted", "api_token_reported", "annotator_updated",
                                          "annotator_created"};
  std::string previous_time = "9999";
  std::int64_t previous_id = INT64_MAX;
  for (rapidjson::SizeType i = 0; i < data.Size(); ++i) {
    const auto& e = data[i];
    EXPECT_EQ(string_member(e, "eventType"), expected[i]) << to_json(e);
    EXPECT_EQ(string_member(e, "type"), "container") << to_json(e);
    EXPECT_EQ(int_member(e, "annotatorId"), id);
    ASSERT_TRUE(e.HasMember("details") && e["details"].IsObject()) << to_json(e);
    const auto time = string_member(e, "createdAt").value_or("");
    const auto event_id = int_member(e, "id").value_or(0);
    EXPECT_TRUE(time < previous_time || (time == previous_time && event_id < previous_id)) << "not newest first";
    previous_time = time;
    previous_id = event_id;
  }
  EXPECT_EQ(string_member(data[3]["details"], "name"), "Audit Ann");
  EXPECT_EQ(string_member(data[0]["details"], "status"), "deleted");
  // The id is the event's position in the log.
  EXPECT_EQ(int_member(data[3], "id"),
            query_int(url(), "SELECT position FROM events WHERE stream_id = " +
                                 sql_text("annotator-" + std::to_string(id)) + " AND stream_version = 1"));

  const auto all = get("/api/events?limit=500");
  EXPECT_EQ(all.body.find(token), std::string::npos) << "the token is in the audit trail";
  EXPECT_EQ(all.body.find(secret), std::string::npos) << "the webhook secret is in the audit trail";
  EXPECT_EQ(all.body.find("whs_"), std::string::npos) << "even the webhook secret's hint is left out";
  // The other annotator is there too, without a filter; and its filter shows only its own.
  EXPECT_NE(all.body.find("\"annotatorId\":" + std::to_string(other)), std::string::npos);
  EXPECT_EQ(total(events("?annotatorId=" + std::to_string(other))), 1);
}

TEST_F(AuditEventsApi, FiltersAndPagination) {
  for (int i = 0; i < 3; ++i) {
    create_annotator("Page " + std::to_string(i), "page-" + unique_suffix() + "@example.com");
  }
  const auto annotator_events = query_int(url(), "SELECT count(*) FROM events WHERE stream_type = 'annotator'");
  ASSERT_TRUE(eventually([&] { return total(events("")) == annotator_events; }, 20s));
  EXPECT_EQ(total(events("?type=container")), annotator_events);
  EXPECT_EQ(total(events("?type=annotation")), 0) << "no annotation events exist yet";
  EXPECT_EQ(total(events("?annotatorId=999999")), 0);

  const auto first = events("?limit=1");
  ASSERT_EQ(first["data"].Size(), 1U);
  EXPECT_EQ(int_member(first["pagination"], "limit"), 1);
  EXPECT_EQ(first["pagination"]["hasMore"].GetBool(), annotator_events > 1);
  const auto second = events("?limit=1&offset=1");
  ASSERT_EQ(second["data"].Size(), 1U);
  EXPECT_NE(int_member(first["data"][0], "id"), int_member(second["data"][0], "id"));
  const auto everything = events("?limit=500");
  EXPECT_EQ(int_member(everything["data"][1], "id"), int_member(second["data"][0], "id"));
  EXPECT_FALSE(everything["pagination"]["hasMore"].GetBool());

  const auto bad_type = get("/api/events?type=login");
  expect_error(bad_type, 400, "unknown type");
  EXPECT_EQ(detail_paths(bad_type.body), std::vector<std::string>{"type"});
  const auto bad_annotator = get("/api/events?annotatorId=abc");
  expect_error(bad_annotator, 400, "annotatorId not a number");
  EXPECT_EQ(detail_paths(bad_annotator.body), std::vector<std::string>{"annotatorId"});
  expect_error(get("/api/events?limit=0"), 400, "limit 0");
  expect_error(get("/api/events?limit=501"), 400, "limit 501");
  expect_error(get("/api/events?offset=-1"), 400, "negative offset");
  expect_error(get("/api/events", {{"Authorization", ""}}), 401, "no credential");
}

}  // namespace
}  // namespace lf::e2e
