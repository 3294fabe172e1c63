#pragma once
// Read model of the audit trail (GET /api/events): one row per audited event of the log, its
// id the event's global position. Reads the annotator streams: their lifecycle events are
// "container" events. Annotation events (type "annotation") come with the webhook issue, from
// their own projection writing the same shape; this table already has the columns they need.
// Details never hold secrets: tokens and webhook secrets are not copied, not even their hints.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct AuditEventRow {
  std::int64_t id = 0;  // global position of the event in the log
  std::string type;     // "container" or "annotation"
  std::optional<std::int64_t> annotator_id;
  std::string event_type;    // e.g. "annotator_created", "api_token_reported"
  std::string details_json;  // a JSON object
  std::string created_at;
};

struct AuditEventFilter {
  std::optional<std::string> type;
  std::optional<std::int64_t> annotator_id;
};

class AuditEventsProjection final : public Projection {
 public:
  static constexpr const char* kName = "audit_events";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"annotator"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  // Newest first (created_at, then id, descending).
  static std::vector<AuditEventRow> list(pqxx::transaction_base& tx, const AuditEventFilter& filter, std::int64_t limit,
                                         std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx, const AuditEventFilter& filter);
};

}  // namespace lf::projections
