#include "projections/api_keys/api_keys_projection.hpp"

namespace lf::projections {

void ApiKeysProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_api_keys (
      id         bigint      PRIMARY KEY,
      name       text        NOT NULL,
      role       text        NOT NULL,
      prefix     text        NOT NULL,
      created_by bigint      NOT NULL,
      revoked    boolean     NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      version    bigint      NOT NULL
    ))sql");
}

void ApiKeysProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_api_keys"); }

void ApiKeysProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  if (e.type == "api_key.created") {
    sql.add(
        "INSERT INTO rm_api_keys (id, name, role, prefix, created_by, created_at, version) "
        "SELECT (d->>'id')::bigint, d->>'name', d->>'role', d->>'prefix', (d->>'createdBy')::bigint, $2::timestamptz, "
        "$3::bigint "
        "FROM (SELECT $1::jsonb AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "api_key.revoked") {
    sql.add("UPDATE rm_api_keys SET revoked = true, version = $2::bigint WHERE id = ($1::jsonb->>'id')::bigint",
            e.data_json, e.stream_version);
  }
}

std::vector<std::string> ApiKeysProjection::snapshot_queries() const {
  return {"SELECT id, name, role, prefix, created_by, revoked, created_at, version FROM rm_api_keys ORDER BY id"};
}

std::vector<ApiKeyRow> ApiKeysProjection::list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset) {
  std::vector<ApiKeyRow> out;
  for (const auto& r : tx.exec_params("SELECT id, name, role, prefix, created_by, revoked, " + iso_time("created_at") +
                                          " FROM rm_api_keys ORDER BY id LIMIT $1 OFFSET $2",
                                      limit, offset)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                   r[4].as<std::int64_t>(), r[5].as<bool>(), r[6].as<std::string>()});
  }
  return out;
}

std::int64_t ApiKeysProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_api_keys")[0][0].as<std::int64_t>();
}

}  // namespace lf::projections
