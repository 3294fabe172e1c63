#pragma once
// Read model of labeling configs: one row per live config (a deleted config's row is removed;
// its history stays in the log). Other read models join rm_labeling_configs (id, name).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct LabelingConfigRow {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  std::string config_xml;
  std::string created_at;
  std::string updated_at;
};

class LabelingConfigsProjection final : public Projection {
 public:
  static constexpr const char* kName = "labeling_configs";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"labeling_config"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  // Queries the API reads with.
  static std::vector<LabelingConfigRow> list(pqxx::transaction_base& tx, std::int64_t limit, std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx);
  static std::optional<LabelingConfigRow> find(pqxx::transaction_base& tx, std::int64_t id);
};

}  // namespace lf::projections
