#include "adapters/codec/setting_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/json_writer.hpp"
#include "adapters/json/json_util.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::setting;

std::string body(std::int64_t id, const std::string& key, const std::string& value_json,
                 const std::optional<std::string>& description) {
  JsonWriter w;
  w.begin_object().field("id", id).field("key", key).raw_field("value", value_json).field("description", description);
  return w.end_object().str();
}

}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(domain::overloaded{
                        [](const SettingCreated& e) {
                          return domain::NewEvent{"setting.created", 1, body(e.id, e.key, e.value_json, e.description)};
                        },
                        [](const SettingChanged& e) {
                          return domain::NewEvent{"setting.changed", 1, body(e.id, e.key, e.value_json, e.description)};
                        },
                    },
                    event);
}

std::optional<Event> decode_setting(const domain::RecordedEvent& event) {
  rapidjson::Document d;
  d.Parse<json::kParseFlags>(event.data_json.c_str(), event.data_json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsInt64() || !d.HasMember("value") ||
      !d.HasMember("key") || !d["key"].IsString()) {
    return std::nullopt;
  }
  // The value as the event carries it, numbers included.
  auto value = json::member_text(event.data_json, "value").value_or(json::to_string(d["value"]));
  std::optional<std::string> description;
  if (d.HasMember("description") && d["description"].IsString()) {
    description = d["description"].GetString();
  }
  const auto id = d["id"].GetInt64();
  std::string key = d["key"].GetString();
  if (event.type == "setting.created") {
    return SettingCreated{id, std::move(key), std::move(value), std::move(description)};
  }
  if (event.type == "setting.changed") {
    return SettingChanged{id, std::move(key), std::move(value), std::move(description)};
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
