#pragma once
// Read model of roles: one row per live role (a deleted role's row is removed; its history
// stays in the log).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct RoleRow {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> color;
  std::string created_at;
};

class RolesProjection final : public Projection {
 public:
  static constexpr const char* kName = "roles";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"role"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  // Queries the API reads with.
  static std::vector<RoleRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx);
  static std::optional<RoleRow> find(pqxx::transaction_base& tx, std::int64_t id);
};

}  // namespace lf::projections
