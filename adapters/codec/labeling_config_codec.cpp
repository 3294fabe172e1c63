#include "adapters/codec/labeling_config_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/json_writer.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::labeling_config;

std::string body(std::int64_t id, const std::string& name, const std::optional<std::string>& description,
                 const std::string& config_xml) {
  JsonWriter w;
  w.begin_object().field("id", id).field("name", name).field("description", description).field("configXml", config_xml);
  return w.end_object().str();
}

std::optional<std::string> opt_string(const rapidjson::Value& o, const char* key) {
  const auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(
      domain::overloaded{
          [](const LabelingConfigCreated& e) {
            return domain::NewEvent{"labeling_config.created", 1, body(e.id, e.name, e.description, e.config_xml)};
          },
          [](const LabelingConfigUpdated& e) {
            return domain::NewEvent{"labeling_config.updated", 1, body(e.id, e.name, e.description, e.config_xml)};
          },
          [](const LabelingConfigDeleted& e) {
            JsonWriter w;
            return domain::NewEvent{"labeling_config.deleted", 1,
                                    w.begin_object().field("id", e.id).end_object().str()};
          },
      },
      event);
}

std::optional<Event> decode_labeling_config(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  rapidjson::Document d;
  d.Parse(event.data_json.c_str(), event.data_json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsInt64()) {
    return std::nullopt;
  }
  const auto id = d["id"].GetInt64();
  if (event.type == "labeling_config.deleted") {
    return LabelingConfigDeleted{id};
  }
  const auto name = opt_string(d, "name");
  const auto xml = opt_string(d, "configXml");
  if (!name || !xml) {
    return std::nullopt;
  }
  if (event.type == "labeling_config.created") {
    return LabelingConfigCreated{id, *name, opt_string(d, "description"), *xml};
  }
  if (event.type == "labeling_config.updated") {
    return LabelingConfigUpdated{id, *name, opt_string(d, "description"), *xml};
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
