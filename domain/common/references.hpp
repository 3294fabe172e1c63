#pragma once
// Stream names of the fleet's aggregates and the kinds of reference between them. The event
// store keeps each stream's current references (ports::StreamRef) so that "delete while in use"
// and "edit while locked" are decided atomically with the append (docs/adr/0008).
#include <cstdint>
#include <string>

namespace lf::domain::refs {

// Stream types and ids: "<prefix>-<id>".
inline constexpr const char* kAnnotatorType = "annotator";
inline constexpr const char* kLabelingConfigType = "labeling_config";
inline constexpr const char* kGoldTaskType = "gold_task";
inline constexpr const char* kWorkflowType = "workflow";

inline std::string annotator_stream(std::int64_t id) { return "annotator-" + std::to_string(id); }
inline std::string labeling_config_stream(std::int64_t id) { return "labeling-config-" + std::to_string(id); }
inline std::string gold_task_stream(std::int64_t id) { return "gold-task-" + std::to_string(id); }
inline std::string workflow_stream(std::int64_t id) { return "workflow-" + std::to_string(id); }
// Same as role::stream_id, here so that referring aggregates need not include the role.
inline std::string role_stream(std::int64_t id) { return "role-" + std::to_string(id); }

// Reference kinds: "<source type>.<field>".
inline constexpr const char* kAnnotatorRole = "annotator.role";
inline constexpr const char* kWorkflowRole = "workflow.role";
inline constexpr const char* kWorkflowLabelingConfig = "workflow.labeling_config";
inline constexpr const char* kWorkflowPrevious = "workflow.previous";
inline constexpr const char* kWorkflowRejectionRoute = "workflow.rejection_route";
inline constexpr const char* kGoldTaskLabelingConfig = "gold_task.labeling_config";

}  // namespace lf::domain::refs
