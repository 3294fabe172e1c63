#pragma once
// Read model of annotators: one row per annotator ever created. A deleted annotator keeps its
// row with status "deleted" (deleting is an event, not a row delete); lists show it too.
// Container fields, counters and the Label Studio user id are filled by later read-side
// events (container lifecycle, reviews); until then they are null or 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

// The role an annotator has, as lists and details nest it.
struct AnnotatorRoleRef {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> color;
};

struct AnnotatorRow {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::optional<std::int64_t> role_id;
  std::string status;
  std::optional<std::string> container_id;
  std::optional<std::string> container_ip;
  std::optional<std::int64_t> container_port;
  std::string subdomain;
  std::string database_name;
  std::string webhook_secret_hint;            // last 4 characters of the webhook secret
  std::optional<std::string> api_token_hint;  // "" when reported but too short to show any of it
  std::optional<std::int64_t> ls_user_id;
  std::optional<std::string> notes;
  std::optional<std::string> last_active_at;
  std::int64_t rejection_count = 0;
  std::int64_t reviewed_count = 0;
  std::string created_at;
  std::string updated_at;
  std::optional<AnnotatorRoleRef> role;  // joined from rm_roles at query time; null when none or gone
};

class AnnotatorsProjection final : public Projection {
 public:
  static constexpr const char* kName = "annotators";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"annotator"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  // Queries the API reads with (ordered by id).
  static std::vector<AnnotatorRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx);
  static std::optional<AnnotatorRow> find(pqxx::transaction_base& tx, std::int64_t id);
};

}  // namespace lf::projections
