#include "domain/workflow/workflow.hpp"

#include <algorithm>
#include <cmath>

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::workflow {
namespace {

// Which references the command sets (and so must exist).
struct Given {
  bool role = false;
  bool labeling_config = false;
  bool previous = false;
  bool rejection_route = false;
  bool archive_bucket = false;  // a non-null rejectionArchiveBucket was sent
};

void check_text(const std::string& value, const char* path, std::size_t max, std::vector<FieldIssue>& issues) {
  const auto n = text::length(value);
  if (text::trim(value).empty()) {
    issues.push_back({path, "must not be empty"});
  } else if (n > max) {
    issues.push_back({path, "must be at most " + std::to_string(max) + " characters"});
  }
}

void check_at_least_one(const std::optional<std::int64_t>& value, const char* path, std::vector<FieldIssue>& issues) {
  if (value && *value < 1) {
    issues.push_back({path, "must be at least 1"});
  }
}

// The rules every workflow must satisfy, and the references the command sets must exist.
std::vector<FieldIssue> check(const Workflow& w, const Given& given, const Facts& facts) {
  std::vector<FieldIssue> issues;
  check_text(w.name, "name", kMaxName, issues);
  if (given.role && !facts.role_found) {
    issues.push_back({"roleId", "role not found"});
  }
  if (given.labeling_config && !facts.labeling_config_found) {
    issues.push_back({"labelingConfigId", "labeling config not found"});
  }
  if (given.previous && !facts.previous_found) {
    issues.push_back({"previousWorkflowId", "workflow not found"});
  }
  check_text(w.s3_source_path, "s3SourcePath", kMaxPath, issues);
  check_text(w.s3_export_path, "s3ExportPath", kMaxPath, issues);
  if (w.images_per_project < 1 || w.images_per_project > kMaxImagesPerProject) {
    issues.push_back({"imagesPerProject", "must be between 1 and 10000"});
  }
  check_at_least_one(w.max_projects, "maxProjects", issues);
  check_at_least_one(w.estimated_time_minutes, "estimatedTimeMinutes", issues);
  if (!std::isfinite(w.gold_standard_rate) || w.gold_standard_rate < 0.0 || w.gold_standard_rate > 1.0) {
    issues.push_back({"goldStandardRate", "must be between 0 and 1"});
  }
  if (w.rejection_archive_bucket) {
    if (given.archive_bucket && w.rejection_mode != RejectionMode::archive) {
      issues.push_back({"rejectionArchiveBucket", "is only allowed when rejectionMode is archive"});
    } else {
      check_text(*w.rejection_archive_bucket, "rejectionArchiveBucket", kMaxPath, issues);
    }
  }
  if (w.rejection_mode == RejectionMode::route_to_workflow) {
    if (!w.rejection_route_workflow_id) {
      issues.push_back({"rejectionRouteWorkflowId", "is required when rejectionMode is route_to_workflow"});
    } else if (*w.rejection_route_workflow_id == w.id) {
      issues.push_back({"rejectionRouteWorkflowId", "must not be the workflow itself"});
    } else if (given.rejection_route && !facts.rejection_route_found) {
      issues.push_back({"rejectionRouteWorkflowId", "workflow not found"});
    }
  } else if (given.rejection_route) {
    issues.push_back({"rejectionRouteWorkflowId", "is only allowed when rejectionMode is route_to_workflow"});
  }
  check_at_least_one(w.max_rework_iterations, "maxReworkIterations", issues);
  return issues;
}

Result<std::vector<Event>> invalid(std::vector<FieldIssue> issues) {
  return fail(Errc::invalid, "Validation failed", std::move(issues));
}

// 409 when the workflow would become its own ancestor.
std::optional<Error> cycle(const Workflow& w, const Facts& facts) {
  if (!w.previous_workflow_id) {
    return std::nullopt;
  }
  if (std::find(facts.ancestors.begin(), facts.ancestors.end(), w.id) == facts.ancestors.end()) {
    return std::nullopt;
  }
  return Error{Errc::conflict,
               "previousWorkflowId would form a cycle: " + describe_cycle(w.id, facts.ancestors),
               {{"previousWorkflowId", "would form a cycle"}}};
}

Result<std::vector<Event>> create(const CreateWorkflow& c, const State& s) {
  if (s.exists) {
    return fail(Errc::conflict, "Workflow already exists");
  }
  Workflow w = c.workflow;
  w.name = text::trim(w.name);
  w.is_active = true;  // a new workflow starts active; isActive is set by PUT only
  const Given given{w.role_id.has_value(), w.labeling_config_id.has_value(), w.previous_workflow_id.has_value(),
                    w.rejection_route_workflow_id.has_value(), w.rejection_archive_bucket.has_value()};
  if (auto issues = check(w, given, c.facts); !issues.empty()) {
    return invalid(std::move(issues));
  }
  if (auto e = cycle(w, c.facts)) {
    return std::unexpected(std::move(*e));
  }
  return std::vector<Event>{WorkflowCreated{std::move(w)}};
}

template <class T>
void apply(T& field, const std::optional<T>& change) {
  if (change) {
    field = *change;
  }
}

template <class T>
bool sets(const std::optional<std::optional<T>>& change) {
  return change.has_value() && change->has_value();
}

Result<std::vector<Event>> update(const UpdateWorkflow& c, const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Workflow not found");
  }
  if (c.empty()) {
    return invalid({{"", "at least one field is required"}});
  }
  Workflow w = s.workflow;
  if (c.name) {
    w.name = text::trim(*c.name);
  }
  apply(w.role_id, c.role_id);
  apply(w.labeling_config_id, c.labeling_config_id);
  apply(w.previous_workflow_id, c.previous_workflow_id);
  apply(w.s3_source_path, c.s3_source_path);
  apply(w.s3_export_path, c.s3_export_path);
  apply(w.images_per_project, c.images_per_project);
  apply(w.max_projects, c.max_projects);
  apply(w.estimated_time_minutes, c.estimated_time_minutes);
  apply(w.auto_assign, c.auto_assign);
  apply(w.gold_standard_rate, c.gold_standard_rate);
  apply(w.shuffle_images, c.shuffle_images);
  apply(w.is_active, c.is_active);
  apply(w.rejection_mode, c.rejection_mode);
  apply(w.rejection_archive_bucket, c.rejection_archive_bucket);
  apply(w.rejection_route_workflow_id, c.rejection_route_workflow_id);
  apply(w.rejection_return_to_original, c.rejection_return_to_original);
  apply(w.rejection_flag_annotator, c.rejection_flag_annotator);
  apply(w.max_rework_iterations, c.max_rework_iterations);
  // Leaving a rejection mode drops its settings unless the command restates them (then they
  // are refused below, as on create).
  if (w.rejection_mode != RejectionMode::archive && !c.rejection_archive_bucket) {
    w.rejection_archive_bucket.reset();
  }
  if (w.rejection_mode != RejectionMode::route_to_workflow && !c.rejection_route_workflow_id) {
    w.rejection_route_workflow_id.reset();
  }
  const Given given{sets(c.role_id), sets(c.labeling_config_id), sets(c.previous_workflow_id),
                    sets(c.rejection_route_workflow_id), sets(c.rejection_archive_bucket)};
  if (auto issues = check(w, given, c.facts); !issues.empty()) {
    return invalid(std::move(issues));
  }
  if (given.previous) {
    if (auto e = cycle(w, c.facts)) {
      return std::unexpected(std::move(*e));
    }
  }
  if (w == s.workflow) {
    return std::vector<Event>{};  // nothing changes: nothing to record
  }
  return std::vector<Event>{WorkflowUpdated{std::move(w)}};
}

Result<std::vector<Event>> remove(const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Workflow not found");
  }
  return std::vector<Event>{WorkflowDeleted{s.workflow.id}};
}

}  // namespace

const char* to_string(RejectionMode mode) {
  switch (mode) {
    case RejectionMode::none: return "none";
    case RejectionMode::archive: return "archive";
    case RejectionMode::route_to_workflow: return "route_to_workflow";
  }
  return "none";
}

std::optional<RejectionMode> parse_rejection_mode(const std::string& text) {
  for (const auto mode : {RejectionMode::none, RejectionMode::archive, RejectionMode::route_to_workflow}) {
    if (text == to_string(mode)) {
      return mode;
    }
  }
  return std::nullopt;
}

bool UpdateWorkflow::empty() const {
  return !name && !role_id && !labeling_config_id && !previous_workflow_id && !s3_source_path && !s3_export_path &&
         !images_per_project && !max_projects && !estimated_time_minutes && !auto_assign && !gold_standard_rate &&
         !shuffle_images && !is_active && !rejection_mode && !rejection_archive_bucket &&
         !rejection_route_workflow_id && !rejection_return_to_original && !rejection_flag_annotator &&
         !max_rework_iterations;
}

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  return std::visit(overloaded{
                        [&](const CreateWorkflow& c) { return create(c, state); },
                        [&](const UpdateWorkflow& c) { return update(c, state); },
                        [&](const DeleteWorkflow&) { return remove(state); },
                    },
                    command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const WorkflowCreated& e) {
                   state.exists = true;
                   state.workflow = e.workflow;
                 },
                 [&](const WorkflowUpdated& e) { state.workflow = e.workflow; },
                 [&](const WorkflowDeleted&) { state.deleted = true; },
             },
             event);
  ++state.version;
  return state;
}

std::vector<Reference> references_of(const Workflow& w) {
  std::vector<Reference> out;
  if (w.role_id) {
    out.push_back({refs::kWorkflowRole, refs::role_stream(*w.role_id)});
  }
  if (w.labeling_config_id) {
    out.push_back({refs::kWorkflowLabelingConfig, refs::labeling_config_stream(*w.labeling_config_id)});
  }
  if (w.previous_workflow_id) {
    out.push_back({refs::kWorkflowPrevious, refs::workflow_stream(*w.previous_workflow_id)});
  }
  if (w.rejection_route_workflow_id) {
    out.push_back({refs::kWorkflowRejectionRoute, refs::workflow_stream(*w.rejection_route_workflow_id)});
  }
  return out;
}

std::string describe_cycle(std::int64_t self, const std::vector<std::int64_t>& ancestors) {
  std::string out = std::to_string(self);
  for (const auto id : ancestors) {
    out += " \xE2\x86\x92 " + std::to_string(id);  // " → "
    if (id == self) {
      break;
    }
  }
  return out;
}

}  // namespace lf::domain::workflow
