// Workflow events survive encode -> schema -> decode unchanged.
#include "adapters/codec/workflow_codec.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "adapters/json/schema_registry.hpp"

namespace lf::adapters::codec {
namespace {

namespace wf = domain::workflow;

domain::RecordedEvent recorded(const domain::NewEvent& e) {
  domain::RecordedEvent r;
  r.type = e.type;
  r.schema_version = e.schema_version;
  r.data_json = e.data_json;
  return r;
}

void expect_valid(const domain::NewEvent& e) {
  rapidjson::Document d;
  d.Parse(e.data_json.c_str());
  ASSERT_FALSE(d.HasParseError()) << e.data_json;
  const auto issues = json::SchemaRegistry::instance().validate(
      "events/" + e.type + ".v" + std::to_string(e.schema_version) + ".json", d);
  EXPECT_TRUE(issues.empty()) << e.data_json << ": "
                              << (issues.empty() ? "" : issues[0].path + " " + issues[0].message);
}

TEST(WorkflowCodec, RoundTripsEveryFieldThroughItsSchema) {
  wf::Workflow w;
  w.id = 12;
  w.name = "Review";
  w.role_id = 3;
  w.previous_workflow_id = 11;
  w.s3_source_path = "images/";
  w.s3_export_path = "exports/";
  w.images_per_project = 250;
  w.estimated_time_minutes = 45;
  w.gold_standard_rate = 0.1;
  w.is_active = false;
  w.rejection_mode = wf::RejectionMode::route_to_workflow;
  w.rejection_route_workflow_id = 11;
  w.rejection_return_to_original = true;
  w.max_rework_iterations = 2;
  for (const wf::Event& event : {wf::Event{wf::WorkflowCreated{w}}, wf::Event{wf::WorkflowUpdated{w}}}) {
    const auto encoded = encode(event);
    expect_valid(encoded);
    const auto decoded = decode_workflow(recorded(encoded));
    ASSERT_TRUE(decoded.has_value()) << encoded.data_json;
    ASSERT_EQ(decoded->index(), event.index());
    const auto& back = std::holds_alternative<wf::WorkflowCreated>(*decoded)
                           ? std::get<wf::WorkflowCreated>(*decoded).workflow
                           : std::get<wf::WorkflowUpdated>(*decoded).workflow;
    EXPECT_EQ(back, w) << encoded.data_json;
  }
  const auto deleted = encode(wf::WorkflowDeleted{12});
  expect_valid(deleted);
  const auto back = decode_workflow(recorded(deleted));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(std::get<wf::WorkflowDeleted>(*back).id, 12);
}

TEST(WorkflowCodec, APayloadMissingAFieldDecodesToNothing) {
  domain::RecordedEvent e;
  e.type = "workflow.created";
  e.data_json = R"({"id":1,"name":"x"})";
  EXPECT_FALSE(decode_workflow(e).has_value());
  e.type = "workflow.renamed";
  EXPECT_FALSE(decode_workflow(e).has_value());
}

}  // namespace
}  // namespace lf::adapters::codec
