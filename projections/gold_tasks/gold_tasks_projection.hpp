#pragma once
// Read model of gold tasks: one row per live task, expected labels included (as the JSON text
// of the event). Whether a caller may see them is the API's decision (docs/adr/0009).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace lf::projections {

struct GoldTaskRow {
  std::int64_t id = 0;
  std::optional<std::string> name;
  std::string s3_image_key;
  std::string expected_labels_json;  // a JSON array
  std::int64_t labeling_config_id = 0;
  std::optional<std::string> category;
  std::optional<std::string> difficulty;
  std::string created_at;
  std::string updated_at;
};

struct GoldTaskFilter {
  std::optional<std::int64_t> labeling_config_id;
  std::optional<std::string> category;
};

class GoldTasksProjection final : public Projection {
 public:
  static constexpr const char* kName = "gold_tasks";
  std::string name() const override { return kName; }
  std::vector<std::string> stream_types() const override { return {"gold_task"}; }
  void create(pqxx::work& tx) const override;
  void drop(pqxx::work& tx) const override;
  void apply(SqlBatch& sql, const domain::RecordedEvent& event) const override;
  std::vector<std::string> snapshot_queries() const override;

  // Queries the API reads with.
  static std::vector<GoldTaskRow> list(pqxx::transaction_base& tx, const GoldTaskFilter& filter, std::int64_t limit,
                                       std::int64_t offset);
  static std::int64_t count(pqxx::transaction_base& tx, const GoldTaskFilter& filter);
  static std::optional<GoldTaskRow> find(pqxx::transaction_base& tx, std::int64_t id);
};

}  // namespace lf::projections
