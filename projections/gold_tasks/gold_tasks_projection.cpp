#include "projections/gold_tasks/gold_tasks_projection.hpp"

namespace lf::projections {
namespace {

const std::string kSelect =
    "SELECT id, name, s3_image_key, expected_labels, labeling_config_id, category, difficulty, " +
    iso_time("created_at") + ", " + iso_time("updated_at") + " FROM rm_gold_tasks";

// NULL parameters match everything: one statement for every combination of filters.
const std::string kWhere =
    " WHERE ($1::bigint IS NULL OR labeling_config_id = $1::bigint) AND ($2::text IS NULL OR category = $2::text)";

std::optional<std::string> opt(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

GoldTaskRow to_row(const pqxx::row& r) {
  GoldTaskRow row;
  row.id = r[0].as<std::int64_t>();
  row.name = opt(r[1]);
  row.s3_image_key = r[2].as<std::string>();
  row.expected_labels_json = r[3].as<std::string>();
  row.labeling_config_id = r[4].as<std::int64_t>();
  row.category = opt(r[5]);
  row.difficulty = opt(r[6]);
  row.created_at = r[7].as<std::string>();
  row.updated_at = r[8].as<std::string>();
  return row;
}

}  // namespace

void GoldTasksProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_gold_tasks (
      id                 bigint      PRIMARY KEY,
      name               text,
      s3_image_key       text        NOT NULL,
      expected_labels    text        NOT NULL,
      labeling_config_id bigint      NOT NULL,
      category           text,
      difficulty         text,
      created_at         timestamptz NOT NULL,
      updated_at         timestamptz NOT NULL,
      version            bigint      NOT NULL
    ))sql");
  tx.exec("CREATE INDEX IF NOT EXISTS rm_gold_tasks_config ON rm_gold_tasks (labeling_config_id)");
}

void GoldTasksProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_gold_tasks"); }

void GoldTasksProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  // The payload is read as json, not jsonb: json keeps the text of expectedLabels exactly as
  // the event holds it, so the read model answers the same bytes as the write did.
  if (e.type == "gold_task.created") {
    sql.add(
        "INSERT INTO rm_gold_tasks (id, name, s3_image_key, expected_labels, labeling_config_id, category, "
        "difficulty, created_at, updated_at, version) "
        "SELECT (d->>'id')::bigint, d->>'name', d->>'s3ImageKey', (d->'expectedLabels')::text, "
        "(d->>'labelingConfigId')::bigint, d->>'category', d->>'difficulty', $2::timestamptz, $2::timestamptz, "
        "$3::bigint "
        "FROM (SELECT $1::json AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "gold_task.updated") {
    sql.add(
        "UPDATE rm_gold_tasks SET name = d->>'name', s3_image_key = d->>'s3ImageKey', "
        "expected_labels = (d->'expectedLabels')::text, labeling_config_id = (d->>'labelingConfigId')::bigint, "
        "category = d->>'category', difficulty = d->>'difficulty', updated_at = $2::timestamptz, version = $3::bigint "
        "FROM (SELECT $1::json AS d) AS ev WHERE id = (d->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "gold_task.deleted") {
    sql.add("DELETE FROM rm_gold_tasks WHERE id = ($1::json->>'id')::bigint", e.data_json);
  }
}

std::vector<std::string> GoldTasksProjection::snapshot_queries() const {
  return {
      "SELECT id, name, s3_image_key, expected_labels, labeling_config_id, category, difficulty, created_at, "
      "updated_at, version FROM rm_gold_tasks ORDER BY id"};
}

std::vector<GoldTaskRow> GoldTasksProjection::list(pqxx::transaction_base& tx, const GoldTaskFilter& filter,
                                                   std::int64_t limit, std::int64_t offset) {
  std::vector<GoldTaskRow> out;
  for (const auto& r : tx.exec_params(kSelect + kWhere + " ORDER BY id LIMIT $3 OFFSET $4", filter.labeling_config_id,
                                      filter.category, limit, offset)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::int64_t GoldTasksProjection::count(pqxx::transaction_base& tx, const GoldTaskFilter& filter) {
  return tx.exec_params("SELECT count(*) FROM rm_gold_tasks" + kWhere, filter.labeling_config_id, filter.category)[0][0]
      .as<std::int64_t>();
}

std::optional<GoldTaskRow> GoldTasksProjection::find(pqxx::transaction_base& tx, std::int64_t id) {
  const auto r = tx.exec_params(kSelect + " WHERE id = $1", id);
  if (r.empty()) {
    return std::nullopt;
  }
  return to_row(r[0]);
}

}  // namespace lf::projections
