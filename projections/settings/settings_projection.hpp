#pragma once
// Read model of settings: one row per key, the value kept as the canonical JSON text.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct SettingRow {
  std::int64_t id = 0;
  std::string key;
  std::string value_json;
  std::optional<std::string> description;
  std::string updated_at;
};

class SettingsProjection final : public Projection {
 public:
  static constexpr const char* kName = "settings";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"setting"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  static std::vector<SettingRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx);
  static std::optional<SettingRow> find(pqxx::transaction_base& tx, const std::string& key);
};

}  // namespace lf::projections
