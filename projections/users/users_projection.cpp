#include "projections/users/users_projection.hpp"

namespace lf::projections {
namespace {

const std::string kSelect = "SELECT id, email, display_name, role, active, " + iso_time("created_at") + ", " +
                            iso_time("updated_at") + " FROM rm_users";

UserRow to_row(const pqxx::row& r) {
  return UserRow{r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                 r[4].as<bool>(),         r[5].as<std::string>(), r[6].as<std::string>()};
}

}  // namespace

void UsersProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_users (
      id           bigint      PRIMARY KEY,
      email        text        NOT NULL,
      display_name text        NOT NULL,
      role         text        NOT NULL,
      active       boolean     NOT NULL,
      created_at   timestamptz NOT NULL,
      updated_at   timestamptz NOT NULL,
      version      bigint      NOT NULL
    ))sql");
}

void UsersProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_users"); }

void UsersProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  if (e.type == "user.created") {
    sql.add(
        "INSERT INTO rm_users (id, email, display_name, role, active, created_at, updated_at, version) "
        "SELECT (d->>'id')::bigint, d->>'email', d->>'displayName', d->>'role', (d->>'active')::boolean, "
        "$2::timestamptz, $2::timestamptz, $3::bigint FROM (SELECT $1::jsonb AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "user.updated") {
    sql.add(
        "UPDATE rm_users SET email = d->>'email', display_name = d->>'displayName', role = d->>'role', "
        "active = (d->>'active')::boolean, updated_at = $2::timestamptz, version = $3::bigint "
        "FROM (SELECT $1::jsonb AS d) AS ev WHERE id = (d->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "user.password_changed") {
    sql.add(
        "UPDATE rm_users SET updated_at = $2::timestamptz, version = $3::bigint WHERE id = ($1::jsonb->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "user.deleted") {
    sql.add("DELETE FROM rm_users WHERE id = ($1::jsonb->>'id')::bigint", e.data_json);
  }
}

std::vector<std::string> UsersProjection::snapshot_queries() const {
  return {"SELECT id, email, display_name, role, active, created_at, updated_at, version FROM rm_users ORDER BY id"};
}

std::vector<UserRow> UsersProjection::list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset) {
  std::vector<UserRow> out;
  for (const auto& r : tx.exec_params(kSelect + " ORDER BY id LIMIT $1 OFFSET $2", limit, offset)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::int64_t UsersProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_users")[0][0].as<std::int64_t>();
}

std::optional<UserRow> UsersProjection::find(pqxx::transaction_base& tx, std::int64_t id) {
  const auto r = tx.exec_params(kSelect + " WHERE id = $1", id);
  return r.empty() ? std::nullopt : std::optional(to_row(r[0]));
}

}  // namespace lf::projections
