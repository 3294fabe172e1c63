#pragma once
// Read model of API keys: names, roles, prefixes, revocation — never the key or its hash.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct ApiKeyRow {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  std::string prefix;
  std::int64_t created_by = 0;
  bool revoked = false;
  std::string created_at;
};

class ApiKeysProjection final : public Projection {
 public:
  static constexpr const char* kName = "api_keys";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"api_key"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  static std::vector<ApiKeyRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx);
};

}  // namespace lf::projections
