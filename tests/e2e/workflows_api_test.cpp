// /api/workflows end to end: the built binary over HTTP, the event log checked in PostgreSQL,
// the topic labelfleet.workflow.v1 read back with a real consumer. One `labelfleet serve` (on its
// own database) serves the suite; every test makes its own workflows, roles and configs.
#include <set>

#include <librdkafka/rdkafkacpp.h>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

const std::string kArrow = " \xE2\x86\x92 ";  // " → "
const std::string kConfigXml =
    R"(<View><Image name=\"image\" value=\"$image\"/><Choices name=\"label\" toName=\"image\"><Choice value=\"cat\"/></Choices></View>)";

class WorkflowsApi : public ServedSuite<WorkflowsApi> {
 protected:
  // The minimal valid body with `more` members appended (",\"roleId\":1").
  static std::string body(const std::string& name, const std::string& more = "") {
    return R"({"name":)" + json_quote(name) + R"(,"s3SourcePath":"images/","s3ExportPath":"exports/")" + more + "}";
  }
  static std::int64_t id_of(const HttpResult& r) { return int_member(parse_json(r.body), "id").value_or(0); }

  // Creates a workflow; its id, or 0 (and a test failure).
  static std::int64_t create(const std::string& name, const std::string& more = "") {
    const auto r = post("/api/workflows", body(name, more));
    EXPECT_EQ(r.status, 201) << name << ": " << r.body;
    return id_of(r);
  }
  static std::int64_t create_role(const std::string& name, const std::string& color = "#3B82F6") {
    const auto r = post("/api/roles", R"({"name":)" + json_quote(name) + R"(,"color":")" + color + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    return id_of(r);
  }
  static std::int64_t create_config(const std::string& name) {
    const auto r =
        post("/api/labeling-configs", R"({"name":)" + json_quote(name) + R"(,"configXml":")" + kConfigXml + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    return id_of(r);
  }
  static std::string path(std::int64_t id) { return "/api/workflows/" + std::to_string(id); }
  static std::string ref(const char* key, std::int64_t id) {
    return std::string(",\"") + key + "\":" + std::to_string(id);
  }
  static std::int64_t total() {
    const auto d = parse_json(get("/api/workflows?limit=1").body);
    if (!d.IsObject() || !d.HasMember("pagination")) {
      ADD_FAILURE() << "no pagination";
      return -1;
    }
    return int_member(d["pagination"], "total").value_or(-1);
  }
  static std::int64_t rows_named(const std::string& like) {
    return query_int(url(), "SELECT count(*) FROM rm_workflows WHERE name LIKE " + sql_text(like));
  }
};

bool has_path(const std::string& body, const std::string& path) {
  const auto paths = detail_paths(body);
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

// The GET-by-id body without its chain: what the write answered.
std::string without_chain(const std::string& body) {
  auto d = parse_json(body);
  if (d.IsObject()) {
    d.RemoveMember("chain");
  }
  return to_json(d);
}

// ---------------------------------------------------------------------------------------
// CRUD

TEST_F(WorkflowsApi, CreateAppliesEveryDefaultAndReadsBackTheSame) {
  const auto name = "defaults-" + unique_suffix();
  const auto r = post("/api/workflows", body(name));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto d = parse_json(r.body);
  ASSERT_TRUE(d.IsObject()) << r.body;
  const auto id = int_member(d, "id").value_or(0);
  ASSERT_GT(id, 0);
  EXPECT_EQ(r.header("location"), path(id));
  EXPECT_EQ(string_member(d, "name"), name);
  EXPECT_EQ(string_member(d, "s3SourcePath"), "images/");
  EXPECT_EQ(string_member(d, "s3ExportPath"), "exports/");
  for (const char* key :
       {"roleId", "labelingConfigId", "previousWorkflowId", "maxProjects", "estimatedTimeMinutes",
        "rejectionArchiveBucket", "rejectionRouteWorkflowId", "maxReworkIterations", "role", "labelingConfig"}) {
    EXPECT_TRUE(is_null_member(d, key)) << key << ": " << r.body;
  }
  EXPECT_EQ(int_member(d, "imagesPerProject"), 100);
  EXPECT_EQ(int_member(d, "totalImagesAvailable"), 0);
  EXPECT_EQ(int_member(d, "totalImagesAssigned"), 0);
  EXPECT_TRUE(d["autoAssign"].GetBool());
  EXPECT_TRUE(d["shuffleImages"].GetBool());
  EXPECT_TRUE(d["isActive"].GetBool());
  EXPECT_FALSE(d["rejectionReturnToOriginal"].GetBool());
  EXPECT_TRUE(d["rejectionFlagAnnotator"].GetBool());
  EXPECT_EQ(d["goldStandardRate"].GetDouble(), 0.0);
  EXPECT_EQ(string_member(d, "rejectionMode"), "none");
  EXPECT_EQ(string_member(d, "createdAt")->size(), 24U);

  const auto one = get(path(id));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(without_chain(one.body), r.body);
  const auto list = parse_json(get("/api/workflows?limit=500").body);
  bool listed = false;
  for (const auto& item : list["data"].GetArray()) {
    if (int_member(item, "id") == id) {
      listed = true;
      EXPECT_EQ(to_json(item), r.body);
    }
  }
  EXPECT_TRUE(listed);
}

TEST_F(WorkflowsApi, EveryFieldIsStoredAndTheNestedRoleAndConfigAreShown) {
  const auto s = unique_suffix();
  const auto role = create_role("wf-role-" + s, "#112233");
  const auto config = create_config("wf-config-" + s);
  const auto up = create("upstream-" + s);
  const auto target = create("target-" + s);
  ASSERT_GT(role, 0);
  ASSERT_GT(config, 0);
  const auto r = post("/api/workflows",
                      body("full-" + s, ref("roleId", role) + ref("labelingConfigId", config) +
                                            ref("previousWorkflowId", up) + ref("rejectionRouteWorkflowId", target) +
                                            R"(,"imagesPerProject":10000,"maxProjects":3,"estimatedTimeMinutes":30,)"
                                            R"("autoAssign":false,"goldStandardRate":0.1,"shuffleImages":false,)"
                                            R"("rejectionMode":"route_to_workflow","rejectionReturnToOriginal":true,)"
                                            R"("rejectionFlagAnnotator":false,"maxReworkIterations":2)"));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto d = parse_json(r.body);
  EXPECT_EQ(int_member(d, "roleId"), role);
  EXPECT_EQ(int_member(d, "labelingConfigId"), config);
  EXPECT_EQ(int_member(d, "previousWorkflowId"), up);
  EXPECT_EQ(int_member(d, "rejectionRouteWorkflowId"), target);
  EXPECT_EQ(int_member(d, "imagesPerProject"), 10000);
  EXPECT_EQ(int_member(d, "maxProjects"), 3);
  EXPECT_EQ(int_member(d, "estimatedTimeMinutes"), 30);
  EXPECT_FALSE(d["autoAssign"].GetBool());
  EXPECT_EQ(d["goldStandardRate"].GetDouble(), 0.1);
  EXPECT_FALSE(d["shuffleImages"].GetBool());
  EXPECT_EQ(string_member(d, "rejectionMode"), "route_to_workflow");
  EXPECT_TRUE(d["rejectionReturnToOriginal"].GetBool());
  EXPECT_FALSE(d["rejectionFlagAnnotator"].GetBool());
  EXPECT_EQ(int_member(d, "maxReworkIterations"), 2);
  EXPECT_EQ(to_json(d["role"]),
            R"({"id":)" + std::to_string(role) + R"(,"name":)" + json_quote("wf-role-" + s) + R"(,"color":"#112233"})");
  EXPECT_EQ(to_json(d["labelingConfig"]),
            R"({"id":)" + std::to_string(config) + R"(,"name":)" + json_quote("wf-config-" + s) + "}");
  EXPECT_EQ(without_chain(get(path(id_of(r))).body), r.body);

  // The stream holds its references: the referenced streams are recorded as such.
  const auto refs = query_rows(url(), "SELECT kind, target FROM stream_refs WHERE source = " +
                                          sql_text("workflow-" + std::to_string(id_of(r))) + " ORDER BY kind");
  EXPECT_EQ(refs, (std::vector<std::vector<std::string>>{
                      {"workflow.labeling_config", "labeling-config-" + std::to_string(config)},
                      {"workflow.previous", "workflow-" + std::to_string(up)},
                      {"workflow.rejection_route", "workflow-" + std::to_string(target)},
                      {"workflow.role", "role-" + std::to_string(role)}}));
}

TEST_F(WorkflowsApi, UpdateDeleteRecordOneEventPerChange) {
  const auto id = create("upd-" + unique_suffix(), R"(,"maxProjects":4,"estimatedTimeMinutes":20)");
  ASSERT_GT(id, 0);
  const auto created_at = string_member(parse_json(get(path(id)).body), "createdAt");

  const auto paused = put(path(id), R"({"isActive":false,"imagesPerProject":50})");
  ASSERT_EQ(paused.status, 200) << paused.body;
  const auto p = parse_json(paused.body);
  EXPECT_FALSE(p["isActive"].GetBool());
  EXPECT_EQ(int_member(p, "imagesPerProject"), 50);
  EXPECT_EQ(int_member(p, "maxProjects"), 4) << "absent fields keep their value";
  EXPECT_EQ(string_member(p, "createdAt"), created_at);
  EXPECT_EQ(without_chain(get(path(id)).body), paused.body);

  const auto cleared = put(path(id), R"({"maxProjects":null,"isActive":true})");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(is_null_member(parse_json(cleared.body), "maxProjects"));
  EXPECT_EQ(int_member(parse_json(cleared.body), "estimatedTimeMinutes"), 20);
  EXPECT_EQ(without_chain(get(path(id)).body), cleared.body);

  // The same values again: 200, nothing recorded.
  const auto events_before = event_count(url());
  const auto same = put(path(id), R"({"isActive":true,"imagesPerProject":50})");
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.body, cleared.body);
  EXPECT_EQ(event_count(url()), events_before);

  const auto deleted = del(path(id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.body, R"({"success":true})");
  expect_error(get(path(id)), 404, "GET after DELETE");
  expect_error(put(path(id), R"({"name":"x"})"), 404, "PUT after DELETE");
  expect_error(del(path(id)), 404, "DELETE after DELETE");
  const auto rows = query_rows(url(), "SELECT stream_version, event_type FROM events WHERE stream_id = " +
                                          sql_text("workflow-" + std::to_string(id)) + " ORDER BY stream_version");
  EXPECT_EQ(
      rows,
      (std::vector<std::vector<std::string>>{
          {"1", "workflow.created"}, {"2", "workflow.updated"}, {"3", "workflow.updated"}, {"4", "workflow.deleted"}}));
  EXPECT_EQ(
      query_int(url(), "SELECT count(*) FROM stream_refs WHERE source = " + sql_text("workflow-" + std::to_string(id))),
      0);
}

// ---------------------------------------------------------------------------------------
// Validation

struct Invalid {
  std::string label;
  std::string body;
  std::string path;
};

TEST_F(WorkflowsApi, InvalidCreateIs400WithPathAndChangesNothing) {
  const auto long_name = repeat("n", 256);
  const std::vector<Invalid> cases{
      {"name missing", R"({"s3SourcePath":"a","s3ExportPath":"b"})", "name"},
      {"name empty", body(""), "name"},
      {"name spaces", body("   "), "name"},
      {"name 256", body(long_name), "name"},
      {"name 256 two-byte", body(repeat("\xC3\xA9", 256)), "name"},
      {"name number", R"({"name":1,"s3SourcePath":"a","s3ExportPath":"b"})", "name"},
      {"source missing", R"({"name":"x","s3ExportPath":"b"})", "s3SourcePath"},
      {"source empty", R"({"name":"x","s3SourcePath":"","s3ExportPath":"b"})", "s3SourcePath"},
      {"source blank", R"({"name":"x","s3SourcePath":"  ","s3ExportPath":"b"})", "s3SourcePath"},
      {"source 1025", R"({"name":"x","s3SourcePath":")" + repeat("s", 1025) + R"(","s3ExportPath":"b"})",
       "s3SourcePath"},
      {"export missing", R"({"name":"x","s3SourcePath":"a"})", "s3ExportPath"},
      {"export null", R"({"name":"x","s3SourcePath":"a","s3ExportPath":null})", "s3ExportPath"},
      {"imagesPerProject 0", body("x", R"(,"imagesPerProject":0)"), "imagesPerProject"},
      {"imagesPerProject 10001", body("x", R"(,"imagesPerProject":10001)"), "imagesPerProject"},
      {"imagesPerProject 1.5", body("x", R"(,"imagesPerProject":1.5)"), "imagesPerProject"},
      {"imagesPerProject string", body("x", R"(,"imagesPerProject":"5")"), "imagesPerProject"},
      {"maxProjects 0", body("x", R"(,"maxProjects":0)"), "maxProjects"},
      {"estimatedTimeMinutes 0", body("x", R"(,"estimatedTimeMinutes":0)"), "estimatedTimeMinutes"},
      {"estimatedTimeMinutes -5", body("x", R"(,"estimatedTimeMinutes":-5)"), "estimatedTimeMinutes"},
      {"goldStandardRate 1.01", body("x", R"(,"goldStandardRate":1.01)"), "goldStandardRate"},
      {"goldStandardRate -0.1", body("x", R"(,"goldStandardRate":-0.1)"), "goldStandardRate"},
      {"goldStandardRate string", body("x", R"(,"goldStandardRate":"0.5")"), "goldStandardRate"},
      {"autoAssign string", body("x", R"(,"autoAssign":"yes")"), "autoAssign"},
      {"shuffleImages null", body("x", R"(,"shuffleImages":null)"), "shuffleImages"},
      {"rejectionMode unknown", body("x", R"(,"rejectionMode":"delete")"), "rejectionMode"},
      {"route mode without route", body("x", R"(,"rejectionMode":"route_to_workflow")"), "rejectionRouteWorkflowId"},
      {"route without route mode", body("x", R"(,"rejectionRouteWorkflowId":1)"), "rejectionRouteWorkflowId"},
      {"bucket without archive mode", body("x", R"(,"rejectionArchiveBucket":"b/")"), "rejectionArchiveBucket"},
      {"bucket empty", body("x", R"(,"rejectionMode":"archive","rejectionArchiveBucket":"")"),
       "rejectionArchiveBucket"},
      {"maxReworkIterations 0", body("x", R"(,"maxReworkIterations":0)"), "maxReworkIterations"},
      {"rejectionFlagAnnotator number", body("x", R"(,"rejectionFlagAnnotator":1)"), "rejectionFlagAnnotator"},
      {"roleId 0", body("x", R"(,"roleId":0)"), "roleId"},
      {"roleId string", body("x", R"(,"roleId":"1")"), "roleId"},
      {"roleId unknown", body("x", R"(,"roleId":999999)"), "roleId"},
      {"labelingConfigId unknown", body("x", R"(,"labelingConfigId":999999)"), "labelingConfigId"},
      {"previousWorkflowId unknown", body("x", R"(,"previousWorkflowId":999999)"), "previousWorkflowId"},
      {"route unknown", body("x", R"(,"rejectionMode":"route_to_workflow","rejectionRouteWorkflowId":999999)"),
       "rejectionRouteWorkflowId"},
      {"isActive on create", body("x", R"(,"isActive":false)"), "isActive"},
      {"unknown field", body("x", R"(,"owner":"me")"), "owner"},
      {"totals are not writable", body("x", R"(,"totalImagesAvailable":5)"), "totalImagesAvailable"},
      {"array body", "[]", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto events_before = event_count(url());
    const auto total_before = total();
    const auto r = post("/api/workflows", c.body);
    expect_error(r, 400, c.label);
    EXPECT_TRUE(has_path(r.body, c.path)) << c.label << ": expected path \"" << c.path << "\" in " << r.body;
    EXPECT_EQ(event_count(url()), events_before) << c.label;
    EXPECT_EQ(total(), total_before) << c.label;
  }
  for (const std::string& raw : {std::string("{\"name\":"), std::string(""), std::string("x=1")}) {
    expect_error(post("/api/workflows", raw), 400, "malformed: " + raw);
  }
}

TEST_F(WorkflowsApi, ReferencesToDeletedResourcesAre400WithTheMessage) {
  const auto s = unique_suffix();
  const auto role = create_role("gone-role-" + s);
  ASSERT_EQ(del("/api/roles/" + std::to_string(role)).status, 200);
  const auto config = create_config("gone-config-" + s);
  ASSERT_EQ(del("/api/labeling-configs/" + std::to_string(config)).status, 200);
  const auto gone = create("gone-wf-" + s);
  ASSERT_EQ(del(path(gone)).status, 200);

  const struct {
    std::string more;
    std::string path;
    std::string message;
  } cases[] = {
      {ref("roleId", role), "roleId", "role not found"},
      {ref("labelingConfigId", config), "labelingConfigId", "labeling config not found"},
      {ref("previousWorkflowId", gone), "previousWorkflowId", "workflow not found"},
      {R"(,"rejectionMode":"route_to_workflow")" + ref("rejectionRouteWorkflowId", gone), "rejectionRouteWorkflowId",
       "workflow not found"},
  };
  const auto target = create("ref-target-" + s);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    const auto events_before = event_count(url());
    const auto r = post("/api/workflows", body("ref-" + s, c.more));
    expect_error(r, 400, c.path);
    const auto d = parse_json(r.body);
    ASSERT_TRUE(d.HasMember("details") && d["details"].Size() == 1) << r.body;
    EXPECT_EQ(string_member(d["details"][0], "path"), c.path);
    EXPECT_EQ(string_member(d["details"][0], "message"), c.message);
    // The same through PUT.
    expect_error(put(path(target), "{" + c.more.substr(1) + "}"), 400, "PUT " + c.path);
    EXPECT_EQ(event_count(url()), events_before);
  }
}

TEST_F(WorkflowsApi, InvalidUpdateIs400WithPathAndChangesNothing) {
  const auto id = create("inv-upd-" + unique_suffix());
  ASSERT_GT(id, 0);
  const auto before = get(path(id));
  const std::vector<Invalid> cases{
      {"empty object", "{}", ""},
      {"name null", R"({"name":null})", "name"},
      {"name blank", R"({"name":"  "})", "name"},
      {"source empty", R"({"s3SourcePath":""})", "s3SourcePath"},
      {"imagesPerProject 0", R"({"imagesPerProject":0})", "imagesPerProject"},
      {"imagesPerProject null", R"({"imagesPerProject":null})", "imagesPerProject"},
      {"goldStandardRate 2", R"({"goldStandardRate":2})", "goldStandardRate"},
      {"isActive string", R"({"isActive":"no"})", "isActive"},
      {"route mode without route", R"({"rejectionMode":"route_to_workflow"})", "rejectionRouteWorkflowId"},
      {"route to itself",
       R"({"rejectionMode":"route_to_workflow","rejectionRouteWorkflowId":)" + std::to_string(id) + "}",
       "rejectionRouteWorkflowId"},
      {"maxReworkIterations 0", R"({"maxReworkIterations":0})", "maxReworkIterations"},
      {"unknown field", R"({"id":3})", "id"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto events_before = event_count(url());
    const auto r = put(path(id), c.body);
    expect_error(r, 400, c.label);
    EXPECT_TRUE(has_path(r.body, c.path)) << c.label << ": expected path \"" << c.path << "\" in " << r.body;
    EXPECT_EQ(event_count(url()), events_before) << c.label;
  }
  EXPECT_EQ(get(path(id)).body, before.body);
}

TEST_F(WorkflowsApi, ChangingTheRejectionModeDropsTheOldModesSettings) {
  const auto s = unique_suffix();
  const auto target = create("mode-target-" + s);
  const auto id =
      create("mode-" + s, R"(,"rejectionMode":"route_to_workflow")" + ref("rejectionRouteWorkflowId", target));
  ASSERT_GT(id, 0);
  expect_error(del(path(target)), 409, "target routed to");
  const auto archived = put(path(id), R"({"rejectionMode":"archive","rejectionArchiveBucket":"rejected/"})");
  ASSERT_EQ(archived.status, 200) << archived.body;
  const auto a = parse_json(archived.body);
  EXPECT_TRUE(is_null_member(a, "rejectionRouteWorkflowId")) << archived.body;
  EXPECT_EQ(string_member(a, "rejectionArchiveBucket"), "rejected/");
  // No longer routed to: the target may go.
  EXPECT_EQ(del(path(target)).status, 200);
  const auto none = put(path(id), R"({"rejectionMode":"none"})");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(is_null_member(parse_json(none.body), "rejectionArchiveBucket")) << none.body;
}

// ---------------------------------------------------------------------------------------
// Chains, cycles, references

TEST_F(WorkflowsApi, ACycleThroughPutIs409NamingTheCycleWhileUpstreamRoutesAreAllowed) {
  const auto s = unique_suffix();
  const auto a = create("cyc-a-" + s);
  const auto b = create("cyc-b-" + s, ref("previousWorkflowId", a));
  const auto c = create("cyc-c-" + s, ref("previousWorkflowId", b));
  ASSERT_GT(c, 0);
  const auto before = get(path(a)).body;
  const auto events_before = event_count(url());

  auto r = put(path(a), "{" + ref("previousWorkflowId", c).substr(1) + "}");
  expect_error(r, 409, "a after c");
  const auto expected = "previousWorkflowId would form a cycle: " + std::to_string(a) + kArrow + std::to_string(c) +
                        kArrow + std::to_string(b) + kArrow + std::to_string(a);
  EXPECT_EQ(string_member(parse_json(r.body), "error"), expected) << r.body;

  r = put(path(a), "{" + ref("previousWorkflowId", a).substr(1) + "}");
  expect_error(r, 409, "a after itself");
  EXPECT_EQ(string_member(parse_json(r.body), "error"),
            "previousWorkflowId would form a cycle: " + std::to_string(a) + kArrow + std::to_string(a));
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(get(path(a)).body, before);

  // A rejection route back upstream is the rework loop, not a cycle.
  const auto loop = put(path(c), R"({"rejectionMode":"route_to_workflow","maxReworkIterations":3)" +
                                     ref("rejectionRouteWorkflowId", a) + "}");
  ASSERT_EQ(loop.status, 200) << loop.body;
  EXPECT_EQ(int_member(parse_json(loop.body), "rejectionRouteWorkflowId"), a);
  EXPECT_EQ(int_member(parse_json(loop.body), "maxReworkIterations"), 3);
  // Re-chaining without a cycle is fine.
  EXPECT_EQ(put(path(c), "{" + ref("previousWorkflowId", a).substr(1) + "}").status, 200);
}

TEST_F(WorkflowsApi, DeletingAWorkflowOthersChainOrRouteToIs409) {
  const auto s = unique_suffix();
  const auto a = create("del-a-" + s);
  const auto b = create("del-b-" + s, ref("previousWorkflowId", a));
  const auto target = create("del-target-" + s);
  const auto router =
      create("del-router-" + s, R"(,"rejectionMode":"route_to_workflow")" + ref("rejectionRouteWorkflowId", target));
  ASSERT_GT(router, 0);
  const auto events_before = event_count(url());
  for (const auto id : {a, target}) {
    const auto r = del(path(id));
    expect_error(r, 409, "delete " + std::to_string(id));
    EXPECT_EQ(string_member(parse_json(r.body), "error"),
              "Cannot delete: other workflows chain to or route rejections to this workflow");
    EXPECT_EQ(get(path(id)).status, 200);
  }
  EXPECT_EQ(event_count(url()), events_before);
  // The referrers themselves may go, and then so may what they pointed at.
  ASSERT_EQ(put(path(b), R"({"previousWorkflowId":null})").status, 200);
  EXPECT_EQ(del(path(a)).status, 200);
  ASSERT_EQ(del(path(router)).status, 200);
  EXPECT_EQ(del(path(target)).status, 200);
  EXPECT_EQ(del(path(b)).status, 200);
}

TEST_F(WorkflowsApi, GetByIdTracesTheChainFromOriginToTerminals) {
  const auto s = unique_suffix();
  const auto a = create("ch-a-" + s);
  const auto b = create("ch-b-" + s, ref("previousWorkflowId", a));
  const auto c = create("ch-c-" + s, ref("previousWorkflowId", b));
  const auto d = create("ch-d-" + s, ref("previousWorkflowId", b) + R"(,"rejectionMode":"route_to_workflow")" +
                                         ref("rejectionRouteWorkflowId", a));
  const auto e = create("ch-e-" + s, ref("previousWorkflowId", c));
  ASSERT_GT(e, 0);
  ASSERT_EQ(put(path(d), R"({"isActive":false})").status, 200);
  const auto node = [&](std::int64_t id, const std::string& name, bool active, std::optional<std::int64_t> prev,
                        int position, bool terminal) {
    return R"({"id":)" + std::to_string(id) + R"(,"name":)" + json_quote(name + s) + R"(,"isActive":)" +
           (active ? "true" : "false") + R"(,"previousWorkflowId":)" + (prev ? std::to_string(*prev) : "null") +
           R"(,"position":)" + std::to_string(position) + R"(,"terminal":)" + (terminal ? "true" : "false") + "}";
  };
  const auto chain_of = [&](std::int64_t id) {
    const auto r = get(path(id));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto doc = parse_json(r.body);
    return doc.IsObject() && doc.HasMember("chain") ? to_json(doc["chain"]) : std::string("<none>");
  };
  // From b: its origin a above it, then c and d (by id), then e below c.
  EXPECT_EQ(chain_of(b), "[" + node(a, "ch-a-", true, std::nullopt, 0, false) + "," +
                             node(b, "ch-b-", true, a, 1, false) + "," + node(c, "ch-c-", true, b, 2, false) + "," +
                             node(d, "ch-d-", false, b, 2, true) + "," + node(e, "ch-e-", true, c, 3, true) + "]");
  // From e: the straight line up, e is the terminal.
  EXPECT_EQ(chain_of(e), "[" + node(a, "ch-a-", true, std::nullopt, 0, false) + "," +
                             node(b, "ch-b-", true, a, 1, false) + "," + node(c, "ch-c-", true, b, 2, false) + "," +
                             node(e, "ch-e-", true, c, 3, true) + "]");
  // A lone workflow is its own origin and terminal.
  const auto lone = create("ch-lone-" + s);
  EXPECT_EQ(chain_of(lone), "[" + node(lone, "ch-lone-", true, std::nullopt, 0, true) + "]");
}

TEST_F(WorkflowsApi, GraphHasTheDocumentedNodesAndEdges) {
  const auto s = unique_suffix();
  const auto role = create_role("graph-role-" + s, "#ABCDEF");
  const auto a = create("gr-a-" + s, ref("roleId", role));
  const auto b = create("gr-b-" + s, ref("previousWorkflowId", a) + R"(,"rejectionMode":"route_to_workflow")" +
                                         ref("rejectionRouteWorkflowId", a));
  const auto c = create("gr-c-" + s, ref("previousWorkflowId", b) + R"(,"rejectionMode":"archive")");
  ASSERT_GT(c, 0);
  ASSERT_EQ(put(path(b), R"({"isActive":false})").status, 200);

  const auto r = get("/api/workflows/graph");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto g = parse_json(r.body);
  ASSERT_TRUE(g.IsObject() && g.HasMember("nodes") && g["nodes"].IsArray() && g.HasMember("edges") &&
              g["edges"].IsArray())
      << r.body;
  EXPECT_EQ(g.MemberCount(), 2U);
  std::map<std::string, std::string> nodes;
  for (const auto& n : g["nodes"].GetArray()) {
    const auto id = n["id"].IsInt64() ? std::to_string(n["id"].GetInt64()) : *string_member(n, "id");
    EXPECT_TRUE(nodes.emplace(id, to_json(n)).second) << "node " << id << " twice";
  }
  const std::string stats =
      R"("stats":{"totalAssignments":0,"completedAssignments":0,"activeAnnotators":0,"rejectionRate":0})";
  const auto sa = std::to_string(a);
  const auto sb = std::to_string(b);
  const auto sc = std::to_string(c);
  EXPECT_EQ(nodes[sa], R"({"id":)" + sa + R"(,"name":)" + json_quote("gr-a-" + s) + R"(,"type":"workflow","roleId":)" +
                           std::to_string(role) + R"(,"roleName":)" + json_quote("graph-role-" + s) +
                           R"(,"roleColor":"#ABCDEF","isActive":true,"rejectionMode":"none",)" + stats + "}");
  EXPECT_EQ(nodes[sb], R"({"id":)" + sb + R"(,"name":)" + json_quote("gr-b-" + s) +
                           R"(,"type":"workflow","roleId":null,"roleName":null,"roleColor":null,"isActive":false,)"
                           R"("rejectionMode":"route_to_workflow",)" +
                           stats + "}");
  EXPECT_EQ(nodes["archive-" + sc], R"({"id":"archive-)" + sc + R"(","name":"Archive","type":"terminal"})");
  EXPECT_EQ(nodes.count("archive-" + sa), 0U);
  EXPECT_EQ(nodes.count("archive-" + sb), 0U);

  std::multiset<std::string> edges;
  for (const auto& e : g["edges"].GetArray()) {
    const auto text = to_json(e);
    if (text.find(":" + sa + ",") != std::string::npos || text.find(":" + sb + ",") != std::string::npos ||
        text.find(":" + sc + ",") != std::string::npos || text.find("archive-" + sc) != std::string::npos) {
      edges.insert(text);
    }
  }
  const std::multiset<std::string> expected{
      R"({"source":)" + sa + R"(,"target":)" + sb + R"(,"type":"chain","label":"accept"})",
      R"({"source":)" + sb + R"(,"target":)" + sc + R"(,"type":"chain","label":"accept"})",
      R"({"source":)" + sb + R"(,"target":)" + sa + R"(,"type":"rejection","label":"reject"})",
      R"({"source":)" + sc + R"(,"target":"archive-)" + sc + R"(","type":"rejection","label":"reject"})",
  };
  EXPECT_EQ(edges, expected) << r.body;
  // Every edge ends at a node of the graph.
  for (const auto& e : g["edges"].GetArray()) {
    for (const char* end : {"source", "target"}) {
      const auto id = e[end].IsInt64() ? std::to_string(e[end].GetInt64()) : *string_member(e, end);
      EXPECT_EQ(nodes.count(id), 1U) << end << " " << id << " of " << to_json(e);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Bulk

TEST_F(WorkflowsApi, BulkCreatesAllInOrderAndLaterItemsMayChainToEarlierOnes) {
  const auto s = unique_suffix();
  const auto existing = create("bulk-existing-" + s);
  const auto events_before = event_count(url());
  const auto r =
      post("/api/workflows/bulk",
           R"({"workflows":[)" + body("bulk-1-" + s, R"(,"ref":"one")" + ref("previousWorkflowId", existing)) + "," +
               body("bulk-2-" + s, R"(,"ref":"two","previousWorkflowRef":"one")") + "," +
               body("bulk-3-" + s, R"(,"previousWorkflowRef":"two","rejectionMode":"route_to_workflow",)"
                                   R"("rejectionRouteWorkflowRef":"one","imagesPerProject":7)") +
               "]}");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto d = parse_json(r.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("workflows") && d["workflows"].IsArray()) << r.body;
  EXPECT_EQ(int_member(d, "created"), 3);
  ASSERT_EQ(d["workflows"].Size(), 3U);
  std::vector<std::int64_t> ids;
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    const auto& w = d["workflows"][i];
    EXPECT_EQ(string_member(w, "name"), "bulk-" + std::to_string(i + 1) + "-" + s);
    ids.push_back(int_member(w, "id").value_or(0));
    EXPECT_EQ(without_chain(get(path(ids.back())).body), to_json(w)) << "read back item " << i;
  }
  EXPECT_EQ(int_member(d["workflows"][0], "previousWorkflowId"), existing);
  EXPECT_EQ(int_member(d["workflows"][1], "previousWorkflowId"), ids[0]);
  EXPECT_EQ(int_member(d["workflows"][2], "previousWorkflowId"), ids[1]);
  EXPECT_EQ(int_member(d["workflows"][2], "rejectionRouteWorkflowId"), ids[0]);
  EXPECT_EQ(int_member(d["workflows"][2], "imagesPerProject"), 7);
  EXPECT_EQ(event_count(url()), events_before + 3);
  // One transaction: one command id on all three events.
  EXPECT_EQ(query_int(url(), "SELECT count(DISTINCT metadata->>'commandId') FROM events WHERE stream_id IN (" +
                                 sql_text("workflow-" + std::to_string(ids[0])) + "," +
                                 sql_text("workflow-" + std::to_string(ids[1])) + "," +
                                 sql_text("workflow-" + std::to_string(ids[2])) + ")"),
            1);
  // The batch's references hold like any others.
  expect_error(del(path(ids[0])), 409, "delete bulk item chained to");
}

TEST_F(WorkflowsApi, ARejectedBatchLeavesNothingInTheReadModelOrOnTheTopic) {
  const auto s = unique_suffix();
  const auto gone_role = create_role("bulk-gone-role-" + s);
  ASSERT_EQ(del("/api/roles/" + std::to_string(gone_role)).status, 200);
  const auto item = [&](int i, const std::string& more = "") {
    return body("rejected-" + s + "-" + std::to_string(i), more);
  };
  std::string fifty_one;
  for (int i = 0; i < 51; ++i) {
    fifty_one += (i == 0 ? "" : ",") + item(i);
  }
  const std::vector<Invalid> cases{
      {"missing role in the last item",
       item(0, R"(,"ref":"a")") + "," + item(1, R"(,"previousWorkflowRef":"a")") + "," +
           item(2, ref("roleId", gone_role)),
       "workflows/2/roleId"},
      {"a field rule in the middle", item(0) + "," + item(1, R"(,"imagesPerProject":0)") + "," + item(2),
       "workflows/1/imagesPerProject"},
      {"domain rule in the middle", item(0) + "," + item(1, R"(,"rejectionMode":"route_to_workflow")"),
       "workflows/1/rejectionRouteWorkflowId"},
      {"ref to a later item", item(0, R"(,"previousWorkflowRef":"b")") + "," + item(1, R"(,"ref":"b")"),
       "workflows/0/previousWorkflowRef"},
      {"ref to itself", item(0, R"(,"ref":"a","previousWorkflowRef":"a")"), "workflows/0/previousWorkflowRef"},
      {"unknown ref",
       item(0, R"(,"ref":"a")") + "," +
           item(1, R"(,"rejectionMode":"route_to_workflow",)"
                   R"("rejectionRouteWorkflowRef":"zzz")"),
       "workflows/1/rejectionRouteWorkflowRef"},
      {"duplicate ref", item(0, R"(,"ref":"a")") + "," + item(1, R"(,"ref":"a")"), "workflows/1/ref"},
      {"id and ref together",
       item(0, R"(,"ref":"a")") + "," + item(1, R"(,"previousWorkflowRef":"a","previousWorkflowId":null)"),
       "workflows/1/previousWorkflowRef"},
      {"unknown previous id", item(0) + "," + item(1, R"(,"previousWorkflowId":999999)"),
       "workflows/1/previousWorkflowId"},
      {"isActive not allowed", item(0, R"(,"isActive":true)"), "workflows/0/isActive"},
      {"51 items", fifty_one, "workflows"},
  };
  const auto events_before = event_count(url());
  const auto total_before = total();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto r = post("/api/workflows/bulk", R"({"workflows":[)" + c.body + "]}");
    expect_error(r, 400, c.label);
    EXPECT_TRUE(has_path(r.body, c.path)) << c.label << ": expected path \"" << c.path << "\" in " << r.body;
  }
  expect_error(post("/api/workflows/bulk", R"({"workflows":[]})"), 400, "empty batch");
  expect_error(post("/api/workflows/bulk", R"({"items":[]})"), 400, "wrong member");
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(total(), total_before);
  EXPECT_EQ(rows_named("rejected-" + s + "-%"), 0);

  // A valid batch after them, so that the topic has something to be read up to.
  const auto ok = post("/api/workflows/bulk", R"({"workflows":[)" + body("accepted-" + s) + "]}");
  ASSERT_EQ(ok.status, 201) << ok.body;

  // Every workflow event of the log is on labelfleet.workflow.v1; none carries a rejected name.
  std::set<std::int64_t> missing;
  for (const auto& row : query_rows(url(), "SELECT position FROM events WHERE stream_type = 'workflow'")) {
    missing.insert(std::stoll(row[0]));
  }
  ASSERT_FALSE(missing.empty());
  const auto bootstrap = shared_server->kafka_bootstrap();
  ASSERT_FALSE(bootstrap.empty());
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "workflows-e2e-" + s, err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(consumer) << err;
  std::vector<RdKafka::TopicPartition*> assignment;
  assignment.reserve(4);
  for (int p = 0; p < 4; ++p) {
    assignment.push_back(
        RdKafka::TopicPartition::create("labelfleet.workflow.v1", p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  ASSERT_EQ(consumer->assign(assignment), RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(assignment);
  bool accepted_seen = false;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!missing.empty() && std::chrono::steady_clock::now() < deadline) {
    const std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      continue;
    }
    const std::string value =
        m->payload() == nullptr ? std::string() : std::string(static_cast<const char*>(m->payload()), m->len());
    EXPECT_EQ(value.find("rejected-" + s), std::string::npos) << "a rejected item reached the topic: " << value;
    accepted_seen = accepted_seen || value.find("accepted-" + s) != std::string::npos;
    if (auto* headers = m->headers(); headers != nullptr) {
      for (const auto& h : headers->get_all()) {
        if (h.key() == "ce_sequence" && h.value() != nullptr) {
          missing.erase(std::stoll(std::string(static_cast<const char*>(h.value()), h.value_size())));
        }
      }
    }
  }
  consumer->close();
  EXPECT_TRUE(missing.empty()) << missing.size() << " workflow events never reached the topic";
  EXPECT_TRUE(accepted_seen);
}

// ---------------------------------------------------------------------------------------
// Reads

TEST_F(WorkflowsApi, UnknownIdsAre404AndTheGraphRouteIsNotAnId) {
  const auto events_before = event_count(url());
  for (const std::string& raw : {std::string("999999999"), std::string("abc"), std::string("0"), std::string("-1")}) {
    SCOPED_TRACE(raw);
    expect_error(get("/api/workflows/" + raw), 404, "GET " + raw);
    expect_error(put("/api/workflows/" + raw, R"({"name":"x"})"), 404, "PUT " + raw);
    expect_error(del("/api/workflows/" + raw), 404, "DELETE " + raw);
  }
  EXPECT_EQ(event_count(url()), events_before);
  EXPECT_EQ(get("/api/workflows/graph").status, 200);
  expect_error(call(port(), "DELETE", "/api/workflows/graph"), 404, "DELETE graph is an unknown workflow");
  expect_error(call(port(), "PATCH", "/api/workflows/1", "{}"), 405, "PATCH");
  expect_error(call(port(), "GET", "/api/workflows/bulk"), 404, "GET bulk is an unknown workflow");
}

TEST_F(WorkflowsApi, ListPaginates) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_GT(create("page-" + unique_suffix()), 0);
  }
  const auto all = parse_json(get("/api/workflows?limit=500").body);
  const auto n = int_member(all["pagination"], "total").value_or(0);
  ASSERT_GE(n, 4);
  std::vector<std::string> expected;
  for (const auto& item : all["data"].GetArray()) {
    expected.push_back(to_json(item));
  }
  std::vector<std::string> paged;
  for (std::int64_t offset = 0; offset < n; offset += 3) {
    const auto p = parse_json(get("/api/workflows?limit=3&offset=" + std::to_string(offset)).body);
    EXPECT_EQ(int_member(p["pagination"], "total"), n);
    EXPECT_EQ(p["pagination"]["hasMore"].GetBool(), offset + 3 < n);
    for (const auto& item : p["data"].GetArray()) {
      paged.push_back(to_json(item));
    }
  }
  EXPECT_EQ(paged, expected);
  expect_error(get("/api/workflows?limit=0"), 400, "limit 0");
}

TEST_F(WorkflowsApi, RebuildingEveryProjectionGivesIdenticalAnswers) {
  const auto s = unique_suffix();
  const auto role = create_role("rb-role-" + s);
  const auto config = create_config("rb-config-" + s);
  const auto a =
      create("rb-a-" + s, ref("roleId", role) + ref("labelingConfigId", config) + R"(,"goldStandardRate":0.3)");
  const auto b = create("rb-b-" + s, ref("previousWorkflowId", a) + R"(,"rejectionMode":"archive")");
  ASSERT_GT(b, 0);
  ASSERT_EQ(put(path(b), R"({"isActive":false,"rejectionArchiveBucket":"arch/"})").status, 200);
  const auto snapshot = [&] {
    std::map<std::string, std::string> out;
    out["list"] = get("/api/workflows?limit=500").body;
    out["graph"] = get("/api/workflows/graph").body;
    const auto list = parse_json(out["list"]);
    for (const auto& item : list["data"].GetArray()) {
      const auto p = path(int_member(item, "id").value_or(0));
      out[p] = get(p).body;
    }
    return out;
  };
  const auto before = snapshot();
  const auto rows_before = query_rows(url(), "SELECT * FROM rm_workflows ORDER BY id");
  const auto replay = run_binary({"replay", "--all"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_EQ(query_rows(url(), "SELECT * FROM rm_workflows ORDER BY id"), rows_before);
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(run_binary({"replay", "workflows"}, {{"DATABASE_URL", url()}}).exit_code, 0);
  EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace lf::e2e
