#include "adapters/codec/gold_task_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/json_writer.hpp"
#include "adapters/json/json_util.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::gold_task;

std::string body(const GoldTaskFields& f) {
  JsonWriter w;
  w.begin_object()
      .field("id", f.id)
      .field("name", f.name)
      .field("s3ImageKey", f.s3_image_key)
      .raw_field("expectedLabels", f.expected_labels_json)
      .field("labelingConfigId", f.labeling_config_id)
      .field("category", f.category)
      .field("difficulty", f.difficulty);
  return w.end_object().str();
}

std::optional<std::string> opt_string(const rapidjson::Value& o, const char* key) {
  const auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<GoldTaskFields> fields(const rapidjson::Document& d, std::int64_t id) {
  const auto key = opt_string(d, "s3ImageKey");
  const auto labels = d.FindMember("expectedLabels");
  const auto config = d.FindMember("labelingConfigId");
  if (!key || labels == d.MemberEnd() || !labels->value.IsArray() || config == d.MemberEnd() ||
      !config->value.IsInt64()) {
    return std::nullopt;
  }
  GoldTaskFields f;
  f.id = id;
  f.name = opt_string(d, "name");
  f.s3_image_key = *key;
  f.expected_labels_json = json::to_string(labels->value);
  f.labeling_config_id = config->value.GetInt64();
  f.category = opt_string(d, "category");
  f.difficulty = opt_string(d, "difficulty");
  return f;
}

}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(
      domain::overloaded{
          [](const GoldTaskCreated& e) {
            return domain::NewEvent{"gold_task.created", 1, body(e)};
          },
          [](const GoldTaskUpdated& e) {
            return domain::NewEvent{"gold_task.updated", 1, body(e)};
          },
          [](const GoldTaskDeleted& e) {
            JsonWriter w;
            return domain::NewEvent{"gold_task.deleted", 1, w.begin_object().field("id", e.id).end_object().str()};
          },
      },
      event);
}

std::optional<Event> decode_gold_task(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  rapidjson::Document d;
  d.Parse<json::kParseFlags>(event.data_json.c_str(), event.data_json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsInt64()) {
    return std::nullopt;
  }
  const auto id = d["id"].GetInt64();
  if (event.type == "gold_task.deleted") {
    return GoldTaskDeleted{id};
  }
  auto f = fields(d, id);
  if (!f) {
    return std::nullopt;
  }
  if (event.type == "gold_task.created") {
    return GoldTaskCreated{std::move(*f)};
  }
  if (event.type == "gold_task.updated") {
    return GoldTaskUpdated{std::move(*f)};
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
