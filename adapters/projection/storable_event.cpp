#include "adapters/projection/storable_event.hpp"

#include "adapters/json/json_util.hpp"

namespace lf::adapters::projection {

void apply_storable(const projections::Projection& projection, projections::SqlBatch& sql,
                    const domain::RecordedEvent& event) {
  auto storable = json::without_nul_characters(event.data_json);
  if (!storable) {
    projection.apply(sql, event);
    return;
  }
  auto copy = event;
  copy.data_json = std::move(*storable);
  projection.apply(sql, copy);
}

}  // namespace lf::adapters::projection
