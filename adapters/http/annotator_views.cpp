#include "adapters/http/annotator_views.hpp"

#include "adapters/codec/json_writer.hpp"

namespace lf::adapters::http {
namespace {

codec::JsonWriter& nullable_int(codec::JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  if (v) {
    return w.field(key, *v);
  }
  return w.raw_field(key, "null");
}

void write_annotator(codec::JsonWriter& w, const projections::AnnotatorRow& a, bool with_assignments) {
  w.begin_object().field("id", a.id).field("name", a.name).field("email", a.email);
  nullable_int(w, "roleId", a.role_id);
  w.field("status", a.status).field("containerId", a.container_id).field("containerIp", a.container_ip);
  nullable_int(w, "containerPort", a.container_port);
  w.field("subdomain", a.subdomain).field("databaseName", a.database_name);
  w.field("apiToken", a.api_token_hint ? std::optional<std::string>("\u2026" + *a.api_token_hint) : std::nullopt);
  w.field("webhookSecret", "whs_\u2026" + a.webhook_secret_hint);
  nullable_int(w, "lsUserId", a.ls_user_id);
  w.field("notes", a.notes)
      .field("lastActiveAt", a.last_active_at)
      .field("rejectionCount", a.rejection_count)
      .field("reviewedCount", a.reviewed_count)
      .field("createdAt", a.created_at)
      .field("updatedAt", a.updated_at);
  if (a.role) {
    w.key("role").begin_object().field("id", a.role->id).field("name", a.role->name).field("color", a.role->color);
    w.end_object();
  } else {
    w.raw_field("role", "null");
  }
  if (with_assignments) {
    w.begin_array("assignments").end_array();  // the assignments issue fills this
  }
  w.end_object();
}

}  // namespace

std::string render_annotator(const projections::AnnotatorRow& row, bool with_assignments) {
  codec::JsonWriter w;
  write_annotator(w, row, with_assignments);
  return w.str();
}

std::string render_annotators(const std::vector<projections::AnnotatorRow>& rows) {
  codec::JsonWriter w;
  w.begin_array();
  for (const auto& row : rows) {
    write_annotator(w, row, false);
  }
  return w.end_array().str();
}

std::string render_audit_events(const std::vector<projections::AuditEventRow>& rows) {
  codec::JsonWriter w;
  w.begin_array();
  for (const auto& e : rows) {
    w.begin_object().field("id", e.id).field("type", e.type);
    nullable_int(w, "annotatorId", e.annotator_id);
    w.field("eventType", e.event_type).raw_field("details", e.details_json).field("createdAt", e.created_at);
    w.end_object();
  }
  return w.end_array().str();
}

std::string render_annotator_status(const projections::AnnotatorRow& row, const std::string& domain) {
  codec::JsonWriter w;
  w.begin_object()
      .field("status", row.status)
      .field("containerId", row.container_id)
      .field("containerIp", row.container_ip)
      .field("subdomain", row.subdomain)
      .field("url", "http://" + row.subdomain + "." + domain);
  return w.end_object().str();
}

}  // namespace lf::adapters::http
