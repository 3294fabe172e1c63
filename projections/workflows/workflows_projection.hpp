#pragma once
// Read model of workflows: one row per live workflow (a deleted workflow's row is removed; its
// history stays in the log). Reads join the roles read model (and the labeling configs one,
// when the build has it) for the nested role and labelingConfig objects.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct WorkflowRow {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> role_id;
  std::optional<std::int64_t> labeling_config_id;
  std::optional<std::int64_t> previous_workflow_id;
  std::string s3_source_path;
  std::string s3_export_path;
  std::int64_t images_per_project = 100;
  std::optional<std::int64_t> max_projects;
  std::optional<std::int64_t> estimated_time_minutes;
  bool auto_assign = true;
  double gold_standard_rate = 0.0;
  bool shuffle_images = true;
  bool is_active = true;
  std::int64_t total_images_available = 0;
  std::int64_t total_images_assigned = 0;
  std::string rejection_mode = "none";
  std::optional<std::string> rejection_archive_bucket;
  std::optional<std::int64_t> rejection_route_workflow_id;
  bool rejection_return_to_original = false;
  bool rejection_flag_annotator = true;
  std::optional<std::int64_t> max_rework_iterations;
  std::string created_at;
  std::string updated_at;
  // Nested objects, from the roles / labeling configs read models (unset: none or not found).
  struct Role {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> color;
  };
  struct LabelingConfig {
    std::int64_t id = 0;
    std::string name;
  };
  std::optional<Role> role;
  std::optional<LabelingConfig> labeling_config;
};

// One node of a workflow's chain (GET /api/workflows/:id): depth from the origin.
struct ChainNode {
  std::int64_t id = 0;
  std::string name;
  bool is_active = true;
  std::optional<std::int64_t> previous_workflow_id;
  std::int64_t position = 0;
  bool terminal = false;  // no workflow chains to it
};

class WorkflowsProjection final : public Projection {
 public:
  static constexpr const char* kName = "workflows";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"workflow"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  // Queries the API reads with (ordered by id).
  static std::vector<WorkflowRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::vector<WorkflowRow> all(pqxx::transaction_base& tx);
  static std::int64_t count(pqxx::transaction_base& tx);
  static std::optional<WorkflowRow> find(pqxx::transaction_base& tx, std::int64_t id);
  // From the origin (following previous_workflow_id up) through `id` down to the terminal
  // workflows (those chaining to it, breadth-first, by id within one depth).
  static std::vector<ChainNode> chain(pqxx::transaction_base& tx, std::int64_t id);
  // The nested objects for a role / labeling config id, as reads would show them.
  static std::optional<WorkflowRow::Role> role(pqxx::transaction_base& tx, std::int64_t role_id);
  static std::optional<WorkflowRow::LabelingConfig> labeling_config(pqxx::transaction_base& tx, std::int64_t config_id);
};

}  // namespace lf::projections
