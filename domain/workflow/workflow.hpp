#pragma once
// The Workflow aggregate: how data flows to annotators (source and export paths, batch size,
// gold rate), chained to an upstream workflow (previousWorkflowId) and, on rejection, archived
// or routed to another workflow (docs/adr/0010-workflow-graph.md).
// Decider: decide(command, state) -> events | error; evolve(state, event) -> state.
// Whether the referenced role, labeling config and workflows exist, and the chain above the
// proposed predecessor, are facts the shell looks up and hands in with the command.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/error.hpp"
#include "domain/common/references.hpp"

namespace lf::domain::workflow {

inline constexpr const char* kStreamType = refs::kWorkflowType;
inline constexpr std::size_t kMaxName = 255;
inline constexpr std::size_t kMaxPath = 1024;
inline constexpr std::int64_t kMaxImagesPerProject = 10000;
inline constexpr std::int64_t kDefaultImagesPerProject = 100;

inline std::string stream_id(std::int64_t id) { return refs::workflow_stream(id); }

enum class RejectionMode { none, archive, route_to_workflow };
const char* to_string(RejectionMode mode);
std::optional<RejectionMode> parse_rejection_mode(const std::string& text);

// Every field of a workflow, with the contract's defaults.
struct Workflow {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> role_id;
  std::optional<std::int64_t> labeling_config_id;
  std::optional<std::int64_t> previous_workflow_id;
  std::string s3_source_path;
  std::string s3_export_path;
  std::int64_t images_per_project = kDefaultImagesPerProject;
  std::optional<std::int64_t> max_projects;
  std::optional<std::int64_t> estimated_time_minutes;
  bool auto_assign = true;
  double gold_standard_rate = 0.0;
  bool shuffle_images = true;
  bool is_active = true;
  RejectionMode rejection_mode = RejectionMode::none;
  std::optional<std::string> rejection_archive_bucket;
  std::optional<std::int64_t> rejection_route_workflow_id;
  bool rejection_return_to_original = false;
  bool rejection_flag_annotator = true;
  std::optional<std::int64_t> max_rework_iterations;
  bool operator==(const Workflow&) const = default;
};

struct State {
  bool exists = false;
  bool deleted = false;
  std::int64_t version = 0;  // stream version the state was folded to
  Workflow workflow;
};

// ---- events (created and updated carry the whole workflow after the change)
struct WorkflowCreated {
  Workflow workflow;
};
struct WorkflowUpdated {
  Workflow workflow;
};
struct WorkflowDeleted {
  std::int64_t id = 0;
};
using Event = std::variant<WorkflowCreated, WorkflowUpdated, WorkflowDeleted>;

// ---- facts the shell looked up (only those for references the command sets are read)
struct Facts {
  bool role_found = false;             // roleId names a live role
  bool labeling_config_found = false;  // labelingConfigId names a live labeling config
  bool previous_found = false;         // previousWorkflowId names a live workflow
  bool rejection_route_found = false;  // rejectionRouteWorkflowId names a live workflow
  // previousWorkflowId, its predecessor, and so on up to the origin; the walk stops early when
  // it reaches the workflow being decided (that is a cycle).
  std::vector<std::int64_t> ancestors;
};

// ---- commands
struct CreateWorkflow {
  Workflow workflow;  // id allocated by the shell; absent fields hold their defaults
  Facts facts;
};
// Absent members are left as they are; a present null clears a nullable field. Changing
// rejectionMode clears the settings of the old mode that the command does not restate.
struct UpdateWorkflow {
  std::optional<std::string> name;
  std::optional<std::optional<std::int64_t>> role_id;
  std::optional<std::optional<std::int64_t>> labeling_config_id;
  std::optional<std::optional<std::int64_t>> previous_workflow_id;
  std::optional<std::string> s3_source_path;
  std::optional<std::string> s3_export_path;
  std::optional<std::int64_t> images_per_project;
  std::optional<std::optional<std::int64_t>> max_projects;
  std::optional<std::optional<std::int64_t>> estimated_time_minutes;
  std::optional<bool> auto_assign;
  std::optional<double> gold_standard_rate;
  std::optional<bool> shuffle_images;
  std::optional<bool> is_active;
  std::optional<RejectionMode> rejection_mode;
  std::optional<std::optional<std::string>> rejection_archive_bucket;
  std::optional<std::optional<std::int64_t>> rejection_route_workflow_id;
  std::optional<bool> rejection_return_to_original;
  std::optional<bool> rejection_flag_annotator;
  std::optional<std::optional<std::int64_t>> max_rework_iterations;
  Facts facts;
  bool empty() const;
};
struct DeleteWorkflow {};
using Command = std::variant<CreateWorkflow, UpdateWorkflow, DeleteWorkflow>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// The references a workflow holds (role, labeling config, predecessor, rejection route), as
// (kind, target stream) pairs: what the stream's reference set must be after the change.
struct Reference {
  std::string kind;
  std::string target;
};
std::vector<Reference> references_of(const Workflow& workflow);

// "3 → 1 → 2 → 3": the cycle setting `self`'s predecessor to ancestors.front() would close.
std::string describe_cycle(std::int64_t self, const std::vector<std::int64_t>& ancestors);

}  // namespace lf::domain::workflow
