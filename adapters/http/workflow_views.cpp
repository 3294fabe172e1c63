#include "adapters/http/workflow_views.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lf::adapters::http {
namespace {

using projections::ChainNode;
using projections::WorkflowRow;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, const std::string& v) { w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size())); }
void opt_str(Writer& w, const std::optional<std::string>& v) {
  if (v) {
    str(w, *v);
  } else {
    w.Null();
  }
}
void opt_int(Writer& w, const std::optional<std::int64_t>& v) {
  if (v) {
    w.Int64(*v);
  } else {
    w.Null();
  }
}

void write_fields(Writer& w, const WorkflowRow& x) {
  w.Key("id");
  w.Int64(x.id);
  w.Key("name");
  str(w, x.name);
  w.Key("roleId");
  opt_int(w, x.role_id);
  w.Key("labelingConfigId");
  opt_int(w, x.labeling_config_id);
  w.Key("previousWorkflowId");
  opt_int(w, x.previous_workflow_id);
  w.Key("s3SourcePath");
  str(w, x.s3_source_path);
  w.Key("s3ExportPath");
  str(w, x.s3_export_path);
  w.Key("imagesPerProject");
  w.Int64(x.images_per_project);
  w.Key("maxProjects");
  opt_int(w, x.max_projects);
  w.Key("estimatedTimeMinutes");
  opt_int(w, x.estimated_time_minutes);
  w.Key("autoAssign");
  w.Bool(x.auto_assign);
  w.Key("goldStandardRate");
  w.Double(x.gold_standard_rate);
  w.Key("shuffleImages");
  w.Bool(x.shuffle_images);
  w.Key("isActive");
  w.Bool(x.is_active);
  w.Key("totalImagesAvailable");
  w.Int64(x.total_images_available);
  w.Key("totalImagesAssigned");
  w.Int64(x.total_images_assigned);
  w.Key("rejectionMode");
  str(w, x.rejection_mode);
  w.Key("rejectionArchiveBucket");
  opt_str(w, x.rejection_archive_bucket);
  w.Key("rejectionRouteWorkflowId");
  opt_int(w, x.rejection_route_workflow_id);
  w.Key("rejectionReturnToOriginal");
  w.Bool(x.rejection_return_to_original);
  w.Key("rejectionFlagAnnotator");
  w.Bool(x.rejection_flag_annotator);
  w.Key("maxReworkIterations");
  opt_int(w, x.max_rework_iterations);
  w.Key("createdAt");
  str(w, x.created_at);
  w.Key("updatedAt");
  str(w, x.updated_at);
  w.Key("role");
  if (x.role) {
    w.StartObject();
    w.Key("id");
    w.Int64(x.role->id);
    w.Key("name");
    str(w, x.role->name);
    w.Key("color");
    opt_str(w, x.role->color);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("labelingConfig");
  if (x.labeling_config) {
    w.StartObject();
    w.Key("id");
    w.Int64(x.labeling_config->id);
    w.Key("name");
    str(w, x.labeling_config->name);
    w.EndObject();
  } else {
    w.Null();
  }
}

std::string text(const rapidjson::StringBuffer& buf) { return {buf.GetString(), buf.GetSize()}; }

std::string archive_id(std::int64_t id) { return "archive-" + std::to_string(id); }

void edge(Writer& w, std::int64_t source, std::int64_t target, const char* type, const char* label) {
  w.StartObject();
  w.Key("source");
  w.Int64(source);
  w.Key("target");
  w.Int64(target);
  w.Key("type");
  w.String(type);
  w.Key("label");
  w.String(label);
  w.EndObject();
}

}  // namespace

std::string render(const WorkflowRow& workflow) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  write_fields(w, workflow);
  w.EndObject();
  return text(buf);
}

std::string render_workflows(const std::vector<WorkflowRow>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += (i == 0 ? "" : ",") + render(rows[i]);
  }
  return out + "]";
}

std::string render_with_chain(const WorkflowRow& workflow, const std::vector<ChainNode>& chain) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  write_fields(w, workflow);
  w.Key("chain");
  w.StartArray();
  for (const auto& n : chain) {
    w.StartObject();
    w.Key("id");
    w.Int64(n.id);
    w.Key("name");
    str(w, n.name);
    w.Key("isActive");
    w.Bool(n.is_active);
    w.Key("previousWorkflowId");
    opt_int(w, n.previous_workflow_id);
    w.Key("position");
    w.Int64(n.position);
    w.Key("terminal");
    w.Bool(n.terminal);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return text(buf);
}

std::string render_graph(const std::vector<WorkflowRow>& rows) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("nodes");
  w.StartArray();
  for (const auto& x : rows) {
    w.StartObject();
    w.Key("id");
    w.Int64(x.id);
    w.Key("name");
    str(w, x.name);
    w.Key("type");
    w.String("workflow");
    w.Key("roleId");
    opt_int(w, x.role_id);
    w.Key("roleName");
    opt_str(w, x.role ? std::optional<std::string>(x.role->name) : std::nullopt);
    w.Key("roleColor");
    opt_str(w, x.role ? x.role->color : std::nullopt);
    w.Key("isActive");
    w.Bool(x.is_active);
    w.Key("rejectionMode");
    str(w, x.rejection_mode);
    // Assignments do not exist yet: every workflow's stats are zero until they do.
    w.Key("stats");
    w.StartObject();
    w.Key("totalAssignments");
    w.Int64(0);
    w.Key("completedAssignments");
    w.Int64(0);
    w.Key("activeAnnotators");
    w.Int64(0);
    w.Key("rejectionRate");
    w.Int64(0);
    w.EndObject();
    w.EndObject();
  }
  for (const auto& x : rows) {
    if (x.rejection_mode == "archive") {
      w.StartObject();
      w.Key("id");
      str(w, archive_id(x.id));
      w.Key("name");
      w.String("Archive");
      w.Key("type");
      w.String("terminal");
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("edges");
  w.StartArray();
  for (const auto& x : rows) {
    if (x.previous_workflow_id) {
      edge(w, *x.previous_workflow_id, x.id, "chain", "accept");
    }
  }
  for (const auto& x : rows) {
    if (x.rejection_mode == "route_to_workflow" && x.rejection_route_workflow_id) {
      edge(w, x.id, *x.rejection_route_workflow_id, "rejection", "reject");
    } else if (x.rejection_mode == "archive") {
      w.StartObject();
      w.Key("source");
      w.Int64(x.id);
      w.Key("target");
      str(w, archive_id(x.id));
      w.Key("type");
      w.String("rejection");
      w.Key("label");
      w.String("reject");
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return text(buf);
}

}  // namespace lf::adapters::http
