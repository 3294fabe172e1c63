#include "adapters/codec/labeling_config_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/decode_support.hpp"
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
  PayloadReader r(event.data_json);
  if (event.type == "labeling_config.deleted") {
    return r.make<Event>(LabelingConfigDeleted{r.int64("id")});
  }
  if (event.type == "labeling_config.created") {
    return r.make<Event>(
        LabelingConfigCreated{r.int64("id"), r.text("name"), r.nullable_text("description"), r.text("configXml")});
  }
  if (event.type == "labeling_config.updated") {
    return r.make<Event>(
        LabelingConfigUpdated{r.int64("id"), r.text("name"), r.nullable_text("description"), r.text("configXml")});
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
