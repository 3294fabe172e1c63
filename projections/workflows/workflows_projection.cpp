#include "projections/workflows/workflows_projection.hpp"

namespace lf::projections {
namespace {

// The columns both the insert and the update take from the event payload, in this order.
const char* const kPayloadColumns =
    "name, role_id, labeling_config_id, previous_workflow_id, s3_source_path, s3_export_path, images_per_project, "
    "max_projects, estimated_time_minutes, auto_assign, gold_standard_rate, shuffle_images, is_active, "
    "rejection_mode, rejection_archive_bucket, rejection_route_workflow_id, rejection_return_to_original, "
    "rejection_flag_annotator, max_rework_iterations";
const char* const kPayloadValues =
    "d->>'name', (d->>'roleId')::bigint, (d->>'labelingConfigId')::bigint, (d->>'previousWorkflowId')::bigint, "
    "d->>'s3SourcePath', d->>'s3ExportPath', (d->>'imagesPerProject')::bigint, (d->>'maxProjects')::bigint, "
    "(d->>'estimatedTimeMinutes')::bigint, (d->>'autoAssign')::boolean, (d->>'goldStandardRate')::double precision, "
    "(d->>'shuffleImages')::boolean, (d->>'isActive')::boolean, d->>'rejectionMode', d->>'rejectionArchiveBucket', "
    "(d->>'rejectionRouteWorkflowId')::bigint, (d->>'rejectionReturnToOriginal')::boolean, "
    "(d->>'rejectionFlagAnnotator')::boolean, (d->>'maxReworkIterations')::bigint";

// Every process creates every read model's tables before it serves, so the joined roles and
// labeling configs tables are always there.
std::string select_rows() {
  return "SELECT w.id, w.name, w.role_id, w.labeling_config_id, w.previous_workflow_id, w.s3_source_path, "
         "w.s3_export_path, w.images_per_project, w.max_projects, w.estimated_time_minutes, w.auto_assign, "
         "w.gold_standard_rate, w.shuffle_images, w.is_active, w.total_images_available, w.total_images_assigned, "
         "w.rejection_mode, w.rejection_archive_bucket, w.rejection_route_workflow_id, "
         "w.rejection_return_to_original, w.rejection_flag_annotator, w.max_rework_iterations, " +
         iso_time("w.created_at") + ", " + iso_time("w.updated_at") + ", r.id, r.name, r.color, " +
         "c.id, c.name FROM rm_workflows w LEFT JOIN rm_roles r ON r.id = w.role_id "
         "LEFT JOIN rm_labeling_configs c ON c.id = w.labeling_config_id";
}

template <class T>
std::optional<T> opt(const pqxx::field& f) {
  if (f.is_null()) {
    return std::nullopt;
  }
  return f.as<T>();
}

WorkflowRow to_row(const pqxx::row& r) {
  WorkflowRow w;
  w.id = r[0].as<std::int64_t>();
  w.name = r[1].as<std::string>();
  w.role_id = opt<std::int64_t>(r[2]);
  w.labeling_config_id = opt<std::int64_t>(r[3]);
  w.previous_workflow_id = opt<std::int64_t>(r[4]);
  w.s3_source_path = r[5].as<std::string>();
  w.s3_export_path = r[6].as<std::string>();
  w.images_per_project = r[7].as<std::int64_t>();
  w.max_projects = opt<std::int64_t>(r[8]);
  w.estimated_time_minutes = opt<std::int64_t>(r[9]);
  w.auto_assign = r[10].as<bool>();
  w.gold_standard_rate = r[11].as<double>();
  w.shuffle_images = r[12].as<bool>();
  w.is_active = r[13].as<bool>();
  w.total_images_available = r[14].as<std::int64_t>();
  w.total_images_assigned = r[15].as<std::int64_t>();
  w.rejection_mode = r[16].as<std::string>();
  w.rejection_archive_bucket = opt<std::string>(r[17]);
  w.rejection_route_workflow_id = opt<std::int64_t>(r[18]);
  w.rejection_return_to_original = r[19].as<bool>();
  w.rejection_flag_annotator = r[20].as<bool>();
  w.max_rework_iterations = opt<std::int64_t>(r[21]);
  w.created_at = r[22].as<std::string>();
  w.updated_at = r[23].as<std::string>();
  if (!r[24].is_null()) {
    w.role = WorkflowRow::Role{r[24].as<std::int64_t>(), r[25].as<std::string>(), opt<std::string>(r[26])};
  }
  if (!r[27].is_null()) {
    w.labeling_config = WorkflowRow::LabelingConfig{r[27].as<std::int64_t>(), r[28].as<std::string>()};
  }
  return w;
}

std::vector<WorkflowRow> rows(const pqxx::result& result) {
  std::vector<WorkflowRow> out;
  out.reserve(result.size());
  for (const auto& r : result) {
    out.push_back(to_row(r));
  }
  return out;
}

// Far more than any real pipeline: bounds the walks should the data ever hold a loop.
constexpr int kMaxDepth = 10000;

}  // namespace

void WorkflowsProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_workflows (
      id                           bigint           PRIMARY KEY,
      name                         text             NOT NULL,
      role_id                      bigint,
      labeling_config_id           bigint,
      previous_workflow_id         bigint,
      s3_source_path               text             NOT NULL,
      s3_export_path               text             NOT NULL,
      images_per_project           bigint           NOT NULL,
      max_projects                 bigint,
      estimated_time_minutes       bigint,
      auto_assign                  boolean          NOT NULL,
      gold_standard_rate           double precision NOT NULL,
      shuffle_images               boolean          NOT NULL,
      is_active                    boolean          NOT NULL,
      total_images_available       bigint           NOT NULL DEFAULT 0,
      total_images_assigned        bigint           NOT NULL DEFAULT 0,
      rejection_mode               text             NOT NULL,
      rejection_archive_bucket     text,
      rejection_route_workflow_id  bigint,
      rejection_return_to_original boolean          NOT NULL,
      rejection_flag_annotator     boolean          NOT NULL,
      max_rework_iterations        bigint,
      created_at                   timestamptz      NOT NULL,
      updated_at                   timestamptz      NOT NULL,
      version                      bigint           NOT NULL
    ))sql");
  tx.exec("CREATE INDEX IF NOT EXISTS rm_workflows_previous ON rm_workflows (previous_workflow_id)");
}

void WorkflowsProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_workflows"); }

void WorkflowsProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  if (e.type == "workflow.created") {
    sql.add(std::string("INSERT INTO rm_workflows (id, ") + kPayloadColumns +
                ", created_at, updated_at, version) SELECT (d->>'id')::bigint, " + kPayloadValues +
                ", $2::timestamptz, $2::timestamptz, $3::bigint FROM (SELECT $1::jsonb AS d) AS ev",
            e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "workflow.updated") {
    sql.add(std::string("UPDATE rm_workflows SET (") + kPayloadColumns + ", updated_at, version) = (SELECT " +
                kPayloadValues + ", $2::timestamptz, $3::bigint) FROM (SELECT $1::jsonb AS d) AS ev " +
                "WHERE id = (d->>'id')::bigint",
            e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "workflow.deleted") {
    sql.add("DELETE FROM rm_workflows WHERE id = ($1::jsonb->>'id')::bigint", e.data_json);
  }
}

std::vector<std::string> WorkflowsProjection::snapshot_queries() const {
  return {std::string("SELECT id, ") + kPayloadColumns +
          ", total_images_available, total_images_assigned, created_at, updated_at, version FROM rm_workflows "
          "ORDER BY id"};
}

std::vector<WorkflowRow> WorkflowsProjection::list(pqxx::transaction_base& tx, std::int64_t limit,
                                                   std::int64_t offset) {
  return rows(tx.exec_params(select_rows() + " ORDER BY w.id LIMIT $1 OFFSET $2", limit, offset));
}

std::vector<WorkflowRow> WorkflowsProjection::all(pqxx::transaction_base& tx) {
  return rows(tx.exec(select_rows() + " ORDER BY w.id"));
}

std::int64_t WorkflowsProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_workflows")[0][0].as<std::int64_t>();
}

std::optional<WorkflowRow> WorkflowsProjection::find(pqxx::transaction_base& tx, std::int64_t id) {
  const auto r = tx.exec_params(select_rows() + " WHERE w.id = $1", id);
  if (r.empty()) {
    return std::nullopt;
  }
  return to_row(r[0]);
}

std::vector<ChainNode> WorkflowsProjection::chain(pqxx::transaction_base& tx, std::int64_t id) {
  // Up: this workflow and its ancestors, nearest first.
  const auto up = tx.exec_params(
      "WITH RECURSIVE up(id, prev, depth) AS ("
      "  SELECT id, previous_workflow_id, 0 FROM rm_workflows WHERE id = $1"
      "  UNION ALL"
      "  SELECT w.id, w.previous_workflow_id, up.depth + 1 FROM rm_workflows w JOIN up ON w.id = up.prev"
      "  WHERE up.depth < $2)"
      " SELECT w.id, w.name, w.is_active, w.previous_workflow_id FROM up JOIN rm_workflows w ON w.id = up.id"
      " ORDER BY up.depth DESC",
      id, kMaxDepth);
  // Down: the workflows chained below it, by depth, then id.
  const auto down = tx.exec_params(
      "WITH RECURSIVE down(id, depth) AS ("
      "  SELECT id, 0 FROM rm_workflows WHERE id = $1"
      "  UNION ALL"
      "  SELECT w.id, down.depth + 1 FROM rm_workflows w JOIN down ON w.previous_workflow_id = down.id"
      "  WHERE down.depth < $2)"
      " SELECT w.id, w.name, w.is_active, w.previous_workflow_id, down.depth,"
      "  NOT EXISTS (SELECT 1 FROM rm_workflows n WHERE n.previous_workflow_id = w.id)"
      " FROM down JOIN rm_workflows w ON w.id = down.id WHERE down.depth > 0 ORDER BY down.depth, w.id",
      id, kMaxDepth);
  std::vector<ChainNode> out;
  std::int64_t position = 0;
  for (const auto& r : up) {
    out.push_back(
        {r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<bool>(), opt<std::int64_t>(r[3]), position++, false});
  }
  if (out.empty()) {
    return out;
  }
  out.back().terminal = down.empty();
  const auto self_position = out.back().position;
  for (const auto& r : down) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<bool>(), opt<std::int64_t>(r[3]),
                   self_position + r[4].as<std::int64_t>(), r[5].as<bool>()});
  }
  return out;
}

std::optional<WorkflowRow::Role> WorkflowsProjection::role(pqxx::transaction_base& tx, std::int64_t role_id) {
  const auto r = tx.exec_params("SELECT id, name, color FROM rm_roles WHERE id = $1", role_id);
  if (r.empty()) {
    return std::nullopt;
  }
  return WorkflowRow::Role{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(), opt<std::string>(r[0][2])};
}

std::optional<WorkflowRow::LabelingConfig> WorkflowsProjection::labeling_config(pqxx::transaction_base& tx,
                                                                                std::int64_t config_id) {
  const auto r = tx.exec_params("SELECT id, name FROM rm_labeling_configs WHERE id = $1", config_id);
  if (r.empty()) {
    return std::nullopt;
  }
  return WorkflowRow::LabelingConfig{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>()};
}

}  // namespace lf::projections
