#include "projections/roles/roles_projection.hpp"

namespace lf::projections {
namespace {

const std::string kSelect = "SELECT id, name, description, color, " + iso_time("created_at") + " FROM rm_roles";

RoleRow to_row(const pqxx::row& r) {
  RoleRow row;
  row.id = r[0].as<std::int64_t>();
  row.name = r[1].as<std::string>();
  if (!r[2].is_null()) {
    row.description = r[2].as<std::string>();
  }
  if (!r[3].is_null()) {
    row.color = r[3].as<std::string>();
  }
  row.created_at = r[4].as<std::string>();
  return row;
}

}  // namespace

void RolesProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_roles (
      id          bigint      PRIMARY KEY,
      name        text        NOT NULL,
      description text,
      color       text,
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL,
      version     bigint      NOT NULL
    ))sql");
}

void RolesProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_roles"); }

void RolesProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  // The payload is decoded by Postgres itself: the projection is pure SQL over the event.
  if (e.type == "role.created") {
    sql.add(
        "INSERT INTO rm_roles (id, name, description, color, created_at, updated_at, version) "
        "SELECT (d->>'id')::bigint, d->>'name', d->>'description', d->>'color', $2::timestamptz, $2::timestamptz, "
        "$3::bigint "
        "FROM (SELECT $1::jsonb AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "role.updated") {
    sql.add(
        "UPDATE rm_roles SET name = d->>'name', description = d->>'description', color = d->>'color', "
        "updated_at = $2::timestamptz, version = $3::bigint FROM (SELECT $1::jsonb AS d) AS ev WHERE id = "
        "(d->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "role.deleted") {
    sql.add("DELETE FROM rm_roles WHERE id = ($1::jsonb->>'id')::bigint", e.data_json);
  }
}

std::vector<std::string> RolesProjection::snapshot_queries() const {
  return {"SELECT id, name, description, color, created_at, updated_at, version FROM rm_roles ORDER BY id"};
}

std::vector<RoleRow> RolesProjection::list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset) {
  std::vector<RoleRow> out;
  for (const auto& r : tx.exec_params(kSelect + " ORDER BY id LIMIT $1 OFFSET $2", limit, offset)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::int64_t RolesProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_roles")[0][0].as<std::int64_t>();
}

std::optional<RoleRow> RolesProjection::find(pqxx::transaction_base& tx, std::int64_t id) {
  const auto r = tx.exec_params(kSelect + " WHERE id = $1", id);
  if (r.empty()) {
    return std::nullopt;
  }
  return to_row(r[0]);
}

}  // namespace lf::projections
