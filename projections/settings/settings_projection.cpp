#include "projections/settings/settings_projection.hpp"

namespace lf::projections {
namespace {

const std::string kSelect = "SELECT id, key, value_json, description, " + iso_time("updated_at") + " FROM rm_settings";

SettingRow to_row(const pqxx::row& r) {
  SettingRow row;
  row.id = r[0].as<std::int64_t>();
  row.key = r[1].as<std::string>();
  row.value_json = r[2].as<std::string>();
  if (!r[3].is_null()) {
    row.description = r[3].as<std::string>();
  }
  row.updated_at = r[4].as<std::string>();
  return row;
}

}  // namespace

void SettingsProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_settings (
      key         text        PRIMARY KEY,
      id          bigint      NOT NULL UNIQUE,
      value_json  text        NOT NULL,
      description text,
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL,
      version     bigint      NOT NULL
    ))sql");
}

void SettingsProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_settings"); }

void SettingsProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  // value_json keeps the value exactly as the event carries it (json, not jsonb, so key order
  // and number spelling survive).
  if (e.type == "setting.created") {
    sql.add(
        "INSERT INTO rm_settings (key, id, value_json, description, created_at, updated_at, version) "
        "SELECT d->>'key', (d->>'id')::bigint, (d->'value')::text, d->>'description', $2::timestamptz, "
        "$2::timestamptz, $3::bigint FROM (SELECT $1::json AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "setting.changed") {
    sql.add(
        "UPDATE rm_settings SET value_json = (d->'value')::text, description = d->>'description', "
        "updated_at = $2::timestamptz, version = $3::bigint FROM (SELECT $1::json AS d) AS ev WHERE key = d->>'key'",
        e.data_json, e.recorded_at, e.stream_version);
  }
}

std::vector<std::string> SettingsProjection::snapshot_queries() const {
  return {"SELECT key, id, value_json, description, created_at, updated_at, version FROM rm_settings ORDER BY key"};
}

std::vector<SettingRow> SettingsProjection::list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset) {
  std::vector<SettingRow> out;
  for (const auto& r : tx.exec_params(kSelect + " ORDER BY key LIMIT $1 OFFSET $2", limit, offset)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::int64_t SettingsProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_settings")[0][0].as<std::int64_t>();
}

std::optional<SettingRow> SettingsProjection::find(pqxx::transaction_base& tx, const std::string& key) {
  const auto r = tx.exec_params(kSelect + " WHERE key = $1", key);
  if (r.empty()) {
    return std::nullopt;
  }
  return to_row(r[0]);
}

}  // namespace lf::projections
