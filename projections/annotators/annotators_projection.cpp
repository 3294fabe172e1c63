#include "projections/annotators/annotators_projection.hpp"

namespace lf::projections {
namespace {

const std::string kSelect =
    "SELECT a.id, a.name, a.email, a.role_id, a.status, a.container_id, a.container_ip, a.container_port, "
    "a.subdomain, a.database_name, a.webhook_secret_hint, a.api_token_hint, a.ls_user_id, a.notes, " +
    iso_time("a.last_active_at") + ", a.rejection_count, a.reviewed_count, " + iso_time("a.created_at") + ", " +
    iso_time("a.updated_at") +
    ", r.id, r.name, r.color "
    "FROM rm_annotators a LEFT JOIN rm_roles r ON r.id = a.role_id";

template <class T>
std::optional<T> opt(const pqxx::field& f) {
  if (f.is_null()) {
    return std::nullopt;
  }
  return f.as<T>();
}

AnnotatorRow to_row(const pqxx::row& r) {
  AnnotatorRow row;
  row.id = r[0].as<std::int64_t>();
  row.name = r[1].as<std::string>();
  row.email = r[2].as<std::string>();
  row.role_id = opt<std::int64_t>(r[3]);
  row.status = r[4].as<std::string>();
  row.container_id = opt<std::string>(r[5]);
  row.container_ip = opt<std::string>(r[6]);
  row.container_port = opt<std::int64_t>(r[7]);
  row.subdomain = r[8].as<std::string>();
  row.database_name = r[9].as<std::string>();
  row.webhook_secret_hint = r[10].as<std::string>();
  row.api_token_hint = opt<std::string>(r[11]);
  row.ls_user_id = opt<std::int64_t>(r[12]);
  row.notes = opt<std::string>(r[13]);
  row.last_active_at = opt<std::string>(r[14]);
  row.rejection_count = r[15].as<std::int64_t>();
  row.reviewed_count = r[16].as<std::int64_t>();
  row.created_at = r[17].as<std::string>();
  row.updated_at = r[18].as<std::string>();
  if (!r[19].is_null()) {
    row.role = AnnotatorRoleRef{r[19].as<std::int64_t>(), r[20].as<std::string>(), opt<std::string>(r[21])};
  }
  return row;
}

}  // namespace

void AnnotatorsProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_annotators (
      id                  bigint      PRIMARY KEY,
      name                text        NOT NULL,
      email               text        NOT NULL,
      role_id             bigint,
      status              text        NOT NULL,
      container_id        text,
      container_ip        text,
      container_port      integer,
      subdomain           text        NOT NULL,
      database_name       text        NOT NULL,
      webhook_secret_hint text        NOT NULL,
      api_token_hint      text,
      ls_user_id          bigint,
      notes               text,
      last_active_at      timestamptz,
      rejection_count     bigint      NOT NULL DEFAULT 0,
      reviewed_count      bigint      NOT NULL DEFAULT 0,
      created_at          timestamptz NOT NULL,
      updated_at          timestamptz NOT NULL,
      version             bigint      NOT NULL
    ))sql");
}

void AnnotatorsProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_annotators"); }

void AnnotatorsProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  // The payload is decoded by Postgres itself: the projection is pure SQL over the event.
  if (e.type == "annotator.created") {
    sql.add(
        "INSERT INTO rm_annotators (id, name, email, role_id, status, subdomain, database_name, "
        "webhook_secret_hint, notes, created_at, updated_at, version) "
        "SELECT (d->>'id')::bigint, d->>'name', d->>'email', (d->>'roleId')::bigint, d->>'status', d->>'subdomain', "
        "d->>'databaseName', d->>'webhookSecretHint', d->>'notes', $2::timestamptz, $2::timestamptz, $3::bigint "
        "FROM (SELECT $1::jsonb AS d) AS ev",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "annotator.updated" || e.type == "annotator.deleted") {
    // annotator.deleted carries no notes: they stay as they were.
    sql.add(
        "UPDATE rm_annotators SET name = d->>'name', email = d->>'email', role_id = (d->>'roleId')::bigint, "
        "status = d->>'status', notes = CASE WHEN d ? 'notes' THEN d->>'notes' ELSE notes END, "
        "updated_at = $2::timestamptz, version = $3::bigint FROM (SELECT $1::jsonb AS d) AS ev "
        "WHERE id = (d->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  } else if (e.type == "annotator.api_token_reported") {
    // Only the hint: the token itself is writeOnly and never reaches a read model.
    sql.add(
        "UPDATE rm_annotators SET api_token_hint = d->>'tokenHint', updated_at = $2::timestamptz, version = $3::bigint "
        "FROM (SELECT $1::jsonb AS d) AS ev WHERE id = (d->>'id')::bigint",
        e.data_json, e.recorded_at, e.stream_version);
  }
}

std::vector<std::string> AnnotatorsProjection::snapshot_queries() const {
  return {
      "SELECT id, name, email, role_id, status, container_id, container_ip, container_port, subdomain, "
      "database_name, webhook_secret_hint, api_token_hint, ls_user_id, notes, last_active_at, rejection_count, "
      "reviewed_count, created_at, updated_at, version FROM rm_annotators ORDER BY id"};
}

std::vector<AnnotatorRow> AnnotatorsProjection::list(pqxx::transaction_base& tx, std::int64_t limit,
                                                     std::int64_t offset) {
  std::vector<AnnotatorRow> out;
  for (const auto& r : tx.exec_params(kSelect + " ORDER BY a.id LIMIT $1 OFFSET $2", limit, offset)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::int64_t AnnotatorsProjection::count(pqxx::transaction_base& tx) {
  return tx.exec("SELECT count(*) FROM rm_annotators")[0][0].as<std::int64_t>();
}

std::optional<AnnotatorRow> AnnotatorsProjection::find(pqxx::transaction_base& tx, std::int64_t id) {
  const auto r = tx.exec_params(kSelect + " WHERE a.id = $1", id);
  if (r.empty()) {
    return std::nullopt;
  }
  return to_row(r[0]);
}

}  // namespace lf::projections
