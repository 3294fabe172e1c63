#include "projections/audit_events/audit_events_projection.hpp"

#include <map>

namespace lf::projections {
namespace {

// Annotator event type -> the audit trail's eventType and the details it keeps (a jsonb
// expression over the payload `d`; only non-secret members).
struct Mapping {
  const char* event_type;
  const char* details;
};

const std::map<std::string, Mapping>& mappings() {
  static const std::map<std::string, Mapping> kMappings{
      {"annotator.created",
       {"annotator_created",
        "jsonb_build_object('name', d->'name', 'email', d->'email', 'roleId', d->'roleId', 'status', d->'status', "
        "'subdomain', d->'subdomain')"}},
      {"annotator.updated",
       {"annotator_updated",
        "jsonb_build_object('name', d->'name', 'email', d->'email', 'roleId', d->'roleId', 'status', d->'status')"}},
      {"annotator.deleted", {"annotator_deleted", "jsonb_build_object('status', d->'status')"}},
      {"annotator.api_token_reported", {"api_token_reported", "'{}'::jsonb"}},
  };
  return kMappings;
}

const std::string kSelect = "SELECT id, type, annotator_id, event_type, details::text, " + iso_time("created_at") +
                            " FROM rm_audit_events WHERE ($1::text = '' OR type = $1) "
                            "AND ($2::bigint = 0 OR annotator_id = $2)";

// pqxx 6 has no NULL parameters from std::optional: "" and 0 stand for "any".
std::string type_param(const AuditEventFilter& f) { return f.type.value_or(""); }
std::int64_t annotator_param(const AuditEventFilter& f) { return f.annotator_id.value_or(0); }

}  // namespace

void AuditEventsProjection::create(pqxx::work& tx) const {
  tx.exec(R"sql(
    CREATE TABLE IF NOT EXISTS rm_audit_events (
      id           bigint      PRIMARY KEY,
      type         text        NOT NULL,
      annotator_id bigint,
      event_type   text        NOT NULL,
      details      jsonb       NOT NULL,
      created_at   timestamptz NOT NULL
    ))sql");
  tx.exec(
      "CREATE INDEX IF NOT EXISTS rm_audit_events_annotator ON rm_audit_events (annotator_id, created_at DESC, id "
      "DESC)");
  tx.exec("CREATE INDEX IF NOT EXISTS rm_audit_events_recent ON rm_audit_events (created_at DESC, id DESC)");
}

void AuditEventsProjection::drop(pqxx::work& tx) const { tx.exec("DROP TABLE IF EXISTS rm_audit_events"); }

void AuditEventsProjection::apply(SqlBatch& sql, const domain::RecordedEvent& e) const {
  const auto it = mappings().find(e.type);
  if (it == mappings().end()) {
    return;
  }
  // ON CONFLICT: the row's id is the event's position, so a redelivered event changes nothing.
  sql.add(
      "INSERT INTO rm_audit_events (id, type, annotator_id, event_type, details, created_at) "
      "SELECT $2::bigint, 'container', (d->>'id')::bigint, $3::text, " +
          std::string(it->second.details) +
          ", $4::timestamptz FROM (SELECT $1::jsonb AS d) AS ev ON CONFLICT (id) DO NOTHING",
      e.data_json, e.position, it->second.event_type, e.recorded_at);
}

std::vector<std::string> AuditEventsProjection::snapshot_queries() const {
  return {"SELECT id, type, annotator_id, event_type, details::text, created_at FROM rm_audit_events ORDER BY id"};
}

std::vector<AuditEventRow> AuditEventsProjection::list(pqxx::transaction_base& tx, const AuditEventFilter& filter,
                                                       std::int64_t limit, std::int64_t offset) {
  std::vector<AuditEventRow> out;
  for (const auto& r : tx.exec_params(kSelect + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
                                      type_param(filter), annotator_param(filter), limit, offset)) {
    AuditEventRow row;
    row.id = r[0].as<std::int64_t>();
    row.type = r[1].as<std::string>();
    if (!r[2].is_null()) {
      row.annotator_id = r[2].as<std::int64_t>();
    }
    row.event_type = r[3].as<std::string>();
    row.details_json = r[4].as<std::string>();
    row.created_at = r[5].as<std::string>();
    out.push_back(std::move(row));
  }
  return out;
}

std::int64_t AuditEventsProjection::count(pqxx::transaction_base& tx, const AuditEventFilter& filter) {
  return tx
      .exec_params("SELECT count(*) FROM (" + kSelect + ") AS matching", type_param(filter),
                   annotator_param(filter))[0][0]
      .as<std::int64_t>();
}

}  // namespace lf::projections
