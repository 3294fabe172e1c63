#include "adapters/codec/workflow_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/decode_support.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::workflow;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, const char* k) { w.Key(k); }
void text(Writer& w, const char* k, const std::string& v) {
  key(w, k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void opt_text(Writer& w, const char* k, const std::optional<std::string>& v) {
  if (v) {
    text(w, k, *v);
  } else {
    key(w, k);
    w.Null();
  }
}
void integer(Writer& w, const char* k, std::int64_t v) {
  key(w, k);
  w.Int64(v);
}
void opt_integer(Writer& w, const char* k, const std::optional<std::int64_t>& v) {
  key(w, k);
  if (v) {
    w.Int64(*v);
  } else {
    w.Null();
  }
}
void boolean(Writer& w, const char* k, bool v) {
  key(w, k);
  w.Bool(v);
}

using Reader = PayloadReader;

Workflow read_workflow(Reader& r) {
  Workflow w;
  w.id = r.int64("id");
  w.name = r.text("name");
  w.role_id = r.nullable_int64("roleId");
  w.labeling_config_id = r.nullable_int64("labelingConfigId");
  w.previous_workflow_id = r.nullable_int64("previousWorkflowId");
  w.s3_source_path = r.text("s3SourcePath");
  w.s3_export_path = r.text("s3ExportPath");
  w.images_per_project = r.int64("imagesPerProject");
  w.max_projects = r.nullable_int64("maxProjects");
  w.estimated_time_minutes = r.nullable_int64("estimatedTimeMinutes");
  w.auto_assign = r.boolean("autoAssign");
  w.gold_standard_rate = r.number("goldStandardRate");
  w.shuffle_images = r.boolean("shuffleImages");
  w.is_active = r.boolean("isActive");
  const auto mode = parse_rejection_mode(r.text("rejectionMode"));
  w.rejection_mode = mode.value_or(RejectionMode::none);
  w.rejection_archive_bucket = r.nullable_text("rejectionArchiveBucket");
  w.rejection_route_workflow_id = r.nullable_int64("rejectionRouteWorkflowId");
  w.rejection_return_to_original = r.boolean("rejectionReturnToOriginal");
  w.rejection_flag_annotator = r.boolean("rejectionFlagAnnotator");
  w.max_rework_iterations = r.nullable_int64("maxReworkIterations");
  if (!mode) {
    r.invalidate();  // an unknown mode makes the payload unreadable
  }
  return w;
}

std::string whole(const Workflow& workflow) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  write_workflow_fields(w, workflow);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

void write_workflow_fields(Writer& w, const Workflow& x) {
  integer(w, "id", x.id);
  text(w, "name", x.name);
  opt_integer(w, "roleId", x.role_id);
  opt_integer(w, "labelingConfigId", x.labeling_config_id);
  opt_integer(w, "previousWorkflowId", x.previous_workflow_id);
  text(w, "s3SourcePath", x.s3_source_path);
  text(w, "s3ExportPath", x.s3_export_path);
  integer(w, "imagesPerProject", x.images_per_project);
  opt_integer(w, "maxProjects", x.max_projects);
  opt_integer(w, "estimatedTimeMinutes", x.estimated_time_minutes);
  boolean(w, "autoAssign", x.auto_assign);
  key(w, "goldStandardRate");
  w.Double(x.gold_standard_rate);
  boolean(w, "shuffleImages", x.shuffle_images);
  boolean(w, "isActive", x.is_active);
  text(w, "rejectionMode", to_string(x.rejection_mode));
  opt_text(w, "rejectionArchiveBucket", x.rejection_archive_bucket);
  opt_integer(w, "rejectionRouteWorkflowId", x.rejection_route_workflow_id);
  boolean(w, "rejectionReturnToOriginal", x.rejection_return_to_original);
  boolean(w, "rejectionFlagAnnotator", x.rejection_flag_annotator);
  opt_integer(w, "maxReworkIterations", x.max_rework_iterations);
}

domain::NewEvent encode(const Event& event) {
  return std::visit(domain::overloaded{
                        [](const WorkflowCreated& e) {
                          return domain::NewEvent{"workflow.created", 1, whole(e.workflow)};
                        },
                        [](const WorkflowUpdated& e) {
                          return domain::NewEvent{"workflow.updated", 1, whole(e.workflow)};
                        },
                        [](const WorkflowDeleted& e) {
                          return domain::NewEvent{"workflow.deleted", 1, R"({"id":)" + std::to_string(e.id) + "}"};
                        },
                    },
                    event);
}

std::optional<Event> decode_workflow(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  Reader r(event.data_json);
  if (event.type == "workflow.created" || event.type == "workflow.updated") {
    auto w = read_workflow(r);
    if (!r.ok()) {
      return std::nullopt;
    }
    if (event.type == "workflow.created") {
      return WorkflowCreated{std::move(w)};
    }
    return WorkflowUpdated{std::move(w)};
  }
  if (event.type == "workflow.deleted") {
    const auto id = r.int64("id");
    return r.ok() ? std::optional<Event>(WorkflowDeleted{id}) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
