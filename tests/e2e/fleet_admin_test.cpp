// The fleet's admin surface as one story across resources: the contract's agent example
// (role → labeling config → workflow → annotator) with each answer's shape checked; every
// event the story leaves in the log validates against its published schema; and
// `labelfleet replay --all` rebuilds read models that give byte-identical API answers.
#include <set>

#include "adapters/json/schema_registry.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

const char* const kDetectionXml =
    R"(<View><Image name=\"image\" value=\"$image\"/><RectangleLabels name=\"label\" toName=\"image\">)"
    R"(<Label value=\"car\"/><Label value=\"person\"/></RectangleLabels></View>)";
const char* const kClassifyXml =
    R"(<View><Image name=\"image\" value=\"$image\"/><Choices name=\"label\" toName=\"image\">)"
    R"(<Choice value=\"cat\"/><Choice value=\"dog\"/></Choices></View>)";

std::int64_t id_of(const HttpResult& r) { return int_member(parse_json(r.body), "id").value_or(0); }

// Every member named, with the JSON type the contract gives it ("null" allowed where listed).
void expect_members(const rapidjson::Value& v, const std::vector<std::pair<const char*, const char*>>& members,
                    const std::string& what) {
  ASSERT_TRUE(v.IsObject()) << what;
  for (const auto& [name, kind] : members) {
    const auto it = v.FindMember(name);
    ASSERT_NE(it, v.MemberEnd()) << what << " lacks " << name;
    const auto& m = it->value;
    const std::string k = kind;
    const bool ok = (k == "string" && m.IsString()) || (k == "int" && m.IsInt64()) || (k == "bool" && m.IsBool()) ||
                    (k == "number" && m.IsNumber()) || (k == "null" && m.IsNull()) ||
                    (k == "string|null" && (m.IsString() || m.IsNull())) ||
                    (k == "int|null" && (m.IsInt64() || m.IsNull())) || (k == "object" && m.IsObject()) ||
                    (k == "object|null" && (m.IsObject() || m.IsNull())) || (k == "array" && m.IsArray());
    EXPECT_TRUE(ok) << what << "." << name << " should be " << kind << ", is " << to_json(m);
  }
}

class FleetAdmin : public ServedSuite<FleetAdmin> {};

TEST_F(FleetAdmin, TheContractsAgentExampleRunsAndEachAnswerHasItsShape) {
  // 1. A role.
  const auto role =
      call(port(), "POST", "/api/roles", R"({"name": "labeler", "description": "Image labelers", "color": "#3B82F6"})");
  ASSERT_EQ(role.status, 201) << role.body;
  const auto role_doc = parse_json(role.body);
  expect_members(role_doc, {{"id", "int"}, {"name", "string"}, {"color", "string"}, {"createdAt", "string"}}, "role");
  const auto role_id = id_of(role);

  // 2. A labeling config.
  const auto config = call(port(), "POST", "/api/labeling-configs",
                           std::string(R"({"name": "Object Detection", "configXml": ")") + kDetectionXml + "\"}");
  ASSERT_EQ(config.status, 201) << config.body;
  const auto config_doc = parse_json(config.body);
  expect_members(config_doc,
                 {{"id", "int"},
                  {"name", "string"},
                  {"description", "string|null"},
                  {"configXml", "string"},
                  {"createdAt", "string"}},
                 "labeling config");
  EXPECT_NE(string_member(config_doc, "configXml").value_or("").find(R"(<RectangleLabels name="label")"),
            std::string::npos);
  const auto config_id = id_of(config);

  // 3. A workflow.
  const auto workflow =
      call(port(), "POST", "/api/workflows",
           R"({"name": "Car Detection", "roleId": )" + std::to_string(role_id) + R"(, "labelingConfigId": )" +
               std::to_string(config_id) +
               R"(, "s3SourcePath": "images/cars/", "s3ExportPath": "exports/cars/", "imagesPerProject": 50, )"
               R"("goldStandardRate": 0.1})");
  ASSERT_EQ(workflow.status, 201) << workflow.body;
  const auto wf = parse_json(workflow.body);
  expect_members(wf,
                 {{"id", "int"},
                  {"name", "string"},
                  {"roleId", "int"},
                  {"labelingConfigId", "int"},
                  {"previousWorkflowId", "null"},
                  {"s3SourcePath", "string"},
                  {"s3ExportPath", "string"},
                  {"imagesPerProject", "int"},
                  {"maxProjects", "null"},
                  {"estimatedTimeMinutes", "null"},
                  {"autoAssign", "bool"},
                  {"goldStandardRate", "number"},
                  {"shuffleImages", "bool"},
                  {"isActive", "bool"},
                  {"totalImagesAvailable", "int"},
                  {"totalImagesAssigned", "int"},
                  {"rejectionMode", "string"},
                  {"rejectionArchiveBucket", "null"},
                  {"rejectionRouteWorkflowId", "null"},
                  {"rejectionReturnToOriginal", "bool"},
                  {"rejectionFlagAnnotator", "bool"},
                  {"maxReworkIterations", "null"},
                  {"createdAt", "string"}},
                 "workflow");
  EXPECT_EQ(int_member(wf, "imagesPerProject"), 50);
  EXPECT_DOUBLE_EQ(wf["goldStandardRate"].GetDouble(), 0.1);
  EXPECT_EQ(string_member(wf, "rejectionMode"), "none");
  EXPECT_TRUE(wf["autoAssign"].GetBool());
  EXPECT_TRUE(wf["isActive"].GetBool());
  const auto listed = parse_json(call(port(), "GET", "/api/workflows/" + std::to_string(id_of(workflow))).body);
  ASSERT_TRUE(listed.HasMember("role") && listed["role"].IsObject()) << to_json(listed);
  EXPECT_EQ(string_member(listed["role"], "name"), "labeler");
  EXPECT_EQ(string_member(listed["role"], "color"), "#3B82F6");
  ASSERT_TRUE(listed.HasMember("labelingConfig") && listed["labelingConfig"].IsObject()) << to_json(listed);
  EXPECT_EQ(string_member(listed["labelingConfig"], "name"), "Object Detection");

  // 4. An annotator.
  const auto annotator =
      call(port(), "POST", "/api/annotators",
           R"({"name": "Alice", "email": "alice@example.com", "roleId": )" + std::to_string(role_id) + "}");
  ASSERT_EQ(annotator.status, 201) << annotator.body;
  const auto a = parse_json(annotator.body);
  expect_members(a,
                 {{"id", "int"},
                  {"name", "string"},
                  {"email", "string"},
                  {"roleId", "int"},
                  {"status", "string"},
                  {"containerId", "null"},
                  {"containerIp", "null"},
                  {"containerPort", "null"},
                  {"subdomain", "string"},
                  {"databaseName", "string"},
                  {"apiToken", "null"},
                  {"lsUserId", "null"},
                  {"notes", "null"},
                  {"lastActiveAt", "null"},
                  {"rejectionCount", "int"},
                  {"reviewedCount", "int"},
                  {"createdAt", "string"},
                  {"updatedAt", "string"}},
                 "annotator");
  EXPECT_EQ(string_member(a, "status"), "created");
  EXPECT_EQ(string_member(a, "subdomain"), "alice");
  EXPECT_EQ(string_member(a, "databaseName"), "ls_annotator_" + std::to_string(id_of(annotator)));
  const auto by_id = parse_json(call(port(), "GET", "/api/annotators/" + std::to_string(id_of(annotator))).body);
  ASSERT_TRUE(by_id.HasMember("role") && by_id["role"].IsObject()) << to_json(by_id);
  EXPECT_EQ(int_member(by_id["role"], "id"), role_id);
  ASSERT_TRUE(by_id.HasMember("assignments") && by_id["assignments"].IsArray()) << to_json(by_id);
  EXPECT_EQ(by_id["assignments"].Size(), 0U);

  // 5. Its status: created, not started; a container comes with the orchestrator issue.
  const auto status =
      parse_json(call(port(), "GET", "/api/annotators/" + std::to_string(id_of(annotator)) + "/status").body);
  expect_members(status, {{"status", "string"}, {"containerId", "null"}, {"subdomain", "string"}, {"url", "string"}},
                 "status");
  EXPECT_EQ(string_member(status, "status"), "created");

  // The audit trail already shows the annotator's creation.
  const auto events =
      parse_json(call(port(), "GET", "/api/events?annotatorId=" + std::to_string(id_of(annotator))).body);
  ASSERT_TRUE(events.HasMember("data") && events["data"].IsArray()) << to_json(events);
  ASSERT_GE(events["data"].Size(), 1U);
  EXPECT_EQ(string_member(events["data"][0], "type"), "container");
}

// Every event the fleet's endpoints appended, with every payload against its schema: the
// CommandExecutor refuses to append one that does not match; this proves the refusal was
// never needed and the log holds only contract-conforming events.
TEST_F(FleetAdmin, EveryEventInTheLogValidatesAgainstItsSchema) {
  const auto role_id = id_of(call(port(), "POST", "/api/roles", R"({"name":"schema-check"})"));
  const auto cfg = call(port(), "POST", "/api/labeling-configs",
                        std::string(R"({"name":"schema-check","configXml":")") + kClassifyXml + "\"}");
  ASSERT_EQ(cfg.status, 201) << cfg.body;
  const auto gold =
      call(port(), "POST", "/api/gold-tasks",
           R"({"name":"Gold - Cat","s3ImageKey":"gold/cat_001.jpg","labelingConfigId":)" + std::to_string(id_of(cfg)) +
               R"(,"expectedLabels":[{"from_name":"label","to_name":"image","type":"choices",)"
               R"("value":{"choices":["cat"]}}],"category":"animals","difficulty":"easy"})");
  ASSERT_EQ(gold.status, 201) << gold.body;
  const auto wf = call(
      port(), "POST", "/api/workflows",
      R"({"name":"schema-check","s3SourcePath":"in/","s3ExportPath":"out/","roleId":)" + std::to_string(role_id) + "}");
  ASSERT_EQ(wf.status, 201) << wf.body;
  const auto ann = call(port(), "POST", "/api/annotators/bulk",
                        R"({"annotators":[{"name":"Schema One","email":"schema1@example.com"},)"
                        R"({"name":"Schema Two","email":"schema2@example.com"}]})");
  ASSERT_EQ(ann.status, 201) << ann.body;
  ASSERT_EQ(call(port(), "PUT", "/api/workflows/" + std::to_string(id_of(wf)), R"({"isActive":false})").status, 200);
  ASSERT_EQ(call(port(), "DELETE", "/api/gold-tasks/" + std::to_string(id_of(gold))).status, 200);

  const auto& registry = adapters::json::SchemaRegistry::instance();
  std::set<std::string> types;
  for (const auto& row :
       query_rows(url(), "SELECT event_type, schema_version, data::text FROM events ORDER BY position")) {
    types.insert(row[0]);
    const auto schema = "events/" + row[0] + ".v" + row[1] + ".json";
    rapidjson::Document doc;
    doc.Parse(row[2].c_str());
    ASSERT_FALSE(doc.HasParseError()) << row[2];
    const auto issues = registry.validate(schema, doc);
    EXPECT_TRUE(issues.empty()) << schema << ": " << row[2];
  }
  for (const auto* expected : {"labeling_config.created", "gold_task.created", "gold_task.deleted", "workflow.created",
                               "workflow.updated", "annotator.created", "webhook_secret.issued"}) {
    EXPECT_EQ(types.count(expected), 1U) << expected << " not in the log";
  }
}

// Guarantee 7 across the fleet's read models: drop and rebuild every projection from the
// log under the running server; every list and every resource answers exactly as before.
TEST_F(FleetAdmin, RebuildingEveryProjectionGivesIdenticalApiAnswers) {
  const auto role_id = id_of(call(port(), "POST", "/api/roles", R"({"name":"rebuild-role","color":"#10B981"})"));
  const auto cfg =
      call(port(), "POST", "/api/labeling-configs",
           std::string(R"({"name":"rebuild-config","description":"cats","configXml":")") + kClassifyXml + "\"}");
  ASSERT_EQ(cfg.status, 201) << cfg.body;
  const auto cfg_id = std::to_string(id_of(cfg));
  for (const auto* answer : {"cat", "dog"}) {
    ASSERT_EQ(call(port(), "POST", "/api/gold-tasks",
                   R"({"s3ImageKey":"gold/)" + std::string(answer) + R"(.jpg","labelingConfigId":)" + cfg_id +
                       R"(,"expectedLabels":[{"from_name":"label","to_name":"image","type":"choices",)"
                       R"("value":{"choices":[")" +
                       answer + R"("]}}],"category":"animals"})")
                  .status,
              201);
  }
  const auto bulk =
      call(port(), "POST", "/api/workflows/bulk",
           R"({"workflows":[{"ref":"label","name":"Stage 1","s3SourcePath":"data/","s3ExportPath":"out/",)"
           R"("roleId":)" +
               std::to_string(role_id) + R"(,"labelingConfigId":)" + cfg_id +
               R"(},{"ref":"review","name":"Stage 2","s3SourcePath":"out/","s3ExportPath":"reviewed/",)"
               R"("previousWorkflowRef":"label","rejectionMode":"route_to_workflow",)"
               R"("rejectionRouteWorkflowRef":"label","maxReworkIterations":3},)"
               R"({"name":"Archive rejects","s3SourcePath":"x/","s3ExportPath":"y/",)"
               R"("rejectionMode":"archive","rejectionArchiveBucket":"rejects/"}]})");
  ASSERT_EQ(bulk.status, 201) << bulk.body;
  const auto a1 = call(port(), "POST", "/api/annotators",
                       R"({"name":"Rebuild Ann","email":"rebuild.ann@example.com","roleId":)" +
                           std::to_string(role_id) + R"(,"notes":"night shift"})");
  ASSERT_EQ(a1.status, 201) << a1.body;
  const auto a2 =
      call(port(), "POST", "/api/annotators", R"({"name":"Rebuild Bob","email":"rebuild.bob@example.com"})");
  ASSERT_EQ(a2.status, 201) << a2.body;
  ASSERT_EQ(
      call(port(), "PUT", "/api/annotators/" + std::to_string(id_of(a1)), R"({"notes":null,"name":"Ann R."})").status,
      200);
  ASSERT_EQ(call(port(), "DELETE", "/api/annotators/" + std::to_string(id_of(a2))).status, 200);

  const auto snapshot = [&] {
    std::map<std::string, std::string> out;
    for (const std::string list :
         {"/api/roles?limit=500", "/api/annotators?limit=500", "/api/labeling-configs?limit=500",
          "/api/gold-tasks?limit=500", "/api/workflows?limit=500", "/api/events?limit=500"}) {
      const auto r = call(port(), "GET", list);
      EXPECT_EQ(r.status, 200) << list << r.body;
      out[list] = r.body;
      const auto d = parse_json(r.body);
      if (!d.IsObject() || !d.HasMember("data") || !d["data"].IsArray()) {
        ADD_FAILURE() << list << ": " << r.body;
        continue;
      }
      if (list.find("/api/events") == 0) {
        continue;
      }
      const auto base = list.substr(0, list.find('?')) + "/";
      for (const auto& item : d["data"].GetArray()) {
        const auto path = base + std::to_string(int_member(item, "id").value_or(0));
        out[path] = call(port(), "GET", path).body;
      }
    }
    out["/api/workflows/graph"] = call(port(), "GET", "/api/workflows/graph").body;
    return out;
  };
  const auto before = snapshot();
  ASSERT_GE(before.size(), 12U);

  const auto replay = run_binary({"replay", "--all"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  const auto after = snapshot();
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [path, body] : before) {
    EXPECT_EQ(after.at(path), body) << path;
  }
}

}  // namespace
}  // namespace lf::e2e
