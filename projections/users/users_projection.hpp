#pragma once
// Read model of accounts: public fields only (the password hash stays in the log).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct UserRow {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
  std::string role;
  bool active = true;
  std::string created_at;
  std::string updated_at;
};

class UsersProjection final : public Projection {
 public:
  static constexpr const char* kName = "users";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"user"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  static std::vector<UserRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx);
  static std::optional<UserRow> find(pqxx::transaction_base& tx, std::int64_t id);
};

}  // namespace lf::projections
