#include "projections/labeling_configs/labeling_configs_projection.hpp"

namespace lf::projections {
namespace {

const std::string kSelect = "SELECT id, name, description, config_xml, " + iso_time("created_at") + ", " +
                            iso_time("updated_at") + " FROM rm_labeling_configs";

LabelingConfigRow to_row(const pqxx::row& r) {
  LabelingConfigRow row;
  row.id = r[0].as<std::int64_t>();
  row.name = r[1].as<std::string>();
  if (!r[2].is_null()) {
    row.description = r[2].as<std::string>();
  }
  row.config_xml = r[3].as<std::string>();
  row.created_at = r[4].as<std::string>();
  row.updated_at = r[5].as<std::string>();
  return row;
}

}  // namespace

void LabelingConfigsProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_labeling_configs (
      id          bigint      PRIMARY KEY,
      name        text        NOT NULL,
      description text,
      config_xml  text        NOT NULL,
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL,
      version     bigint      NOT NULL
    ))sql");
}

void LabelingConfigsProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_labeling_configs"); }

void LabelingConfigsProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  // The payload is decoded by Postgres itself: the projection is pure SQL over the event.
  if (e.type == "labeling_config.created") {
    sql.add(
        "INSERT INTO rm_labeling_configs (id, name, description, config_xml, created_at, updated_at, version) "
        "SELECT (d->>'id')::bigint, d->>'name', d->>'description', d->>'configXml', $2::timestamptz, "
        "$2::timestamptz, $3::bigint FROM (SELECT $1::jsonb AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "labeling_config.updated") {
    sql.add(
        "UPDATE rm_labeling_configs SET name = d->>'name', description = d->>'description', "
        "config_xml = d->>'configXml', updated_at = $2::timestamptz, version = $3::bigint "
        "FROM (SELECT $1::jsonb AS d) AS ev WHERE id = (d->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "labeling_config.deleted") {
    sql.add("DELETE FROM rm_labeling_configs WHERE id = ($1::jsonb->>'id')::bigint", e.data_json);
  }
}

std::vector<std::string> LabelingConfigsProjection::snapshot_queries() const {
  return {
      "SELECT id, name, description, config_xml, created_at, updated_at, version FROM rm_labeling_configs ORDER BY id"};
}

std::vector<LabelingConfigRow> LabelingConfigsProjection::list(pqxx::transaction_base& tx, std::int64_t limit,
                                                               std::int64_t offset) {
  std::vector<LabelingConfigRow> out;
  for (const auto& r : tx.exec_params(kSelect + " ORDER BY id LIMIT $1 OFFSET $2", limit, offset)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::int64_t LabelingConfigsProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_labeling_configs")[0][0].as<std::int64_t>();
}

std::optional<LabelingConfigRow> LabelingConfigsProjection::find(pqxx::transaction_base& tx, std::int64_t id) {
  const auto r = tx.exec_params(kSelect + " WHERE id = $1", id);
  if (r.empty()) {
    return std::nullopt;
  }
  return to_row(r[0]);
}

}  // namespace lf::projections
