#include "adapters/codec/setting_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "adapters/codec/json_writer.hpp"
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

std::string canonical_json(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) {
    return std::string(json);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

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
  d.Parse(event.data_json.c_str(), event.data_json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsInt64() || !d.HasMember("value") ||
      !d.HasMember("key") || !d["key"].IsString()) {
    return std::nullopt;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d["value"].Accept(w);
  std::string value(buf.GetString(), buf.GetSize());
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
