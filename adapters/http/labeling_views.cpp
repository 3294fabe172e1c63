#include "adapters/http/labeling_views.hpp"

#include "adapters/codec/json_writer.hpp"

namespace lf::adapters::http {
namespace {

codec::JsonWriter& config_fields(codec::JsonWriter& w, const projections::LabelingConfigRow& row) {
  return w.begin_object()
      .field("id", row.id)
      .field("name", row.name)
      .field("description", row.description)
      .field("configXml", row.config_xml)
      .field("createdAt", row.created_at)
      .field("updatedAt", row.updated_at);
}

template <class Row, class Render>
std::string array_of(const std::vector<Row>& rows, Render render) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += (i == 0 ? "" : ",") + render(rows[i]);
  }
  return out + "]";
}

}  // namespace

std::string render_config(const projections::LabelingConfigRow& row) {
  codec::JsonWriter w;
  return config_fields(w, row).end_object().str();
}

std::string render_config(const projections::LabelingConfigRow& row, const ConfigUsage& usage) {
  codec::JsonWriter w;
  config_fields(w, row)
      .field("workflowCount", usage.workflows)
      .field("goldTaskCount", usage.gold_tasks)
      .field("isLocked", usage.gold_tasks > 0);
  return w.end_object().str();
}

std::string render_configs(const std::vector<projections::LabelingConfigRow>& rows) {
  return array_of(rows, [](const auto& row) { return render_config(row); });
}

std::string render_gold_task(const projections::GoldTaskRow& row, bool with_answers) {
  codec::JsonWriter w;
  w.begin_object().field("id", row.id).field("name", row.name).field("s3ImageKey", row.s3_image_key);
  if (with_answers) {
    w.raw_field("expectedLabels", row.expected_labels_json);
  }
  w.field("labelingConfigId", row.labeling_config_id)
      .field("category", row.category)
      .field("difficulty", row.difficulty)
      .field("createdAt", row.created_at)
      .field("updatedAt", row.updated_at);
  return w.end_object().str();
}

std::string render_gold_tasks(const std::vector<projections::GoldTaskRow>& rows, bool with_answers) {
  return array_of(rows, [&](const auto& row) { return render_gold_task(row, with_answers); });
}

}  // namespace lf::adapters::http
