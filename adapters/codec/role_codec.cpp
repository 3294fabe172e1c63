#include "adapters/codec/role_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/json_writer.hpp"
#include "adapters/json/json_util.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::role;

std::string body(std::int64_t id, const std::string& name, const std::optional<std::string>& description,
                 const std::optional<std::string>& color) {
  JsonWriter w;
  w.begin_object().field("id", id).field("name", name).field("description", description).field("color", color);
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
          [](const RoleCreated& e) {
            return domain::NewEvent{"role.created", 1, body(e.id, e.name, e.description, e.color)};
          },
          [](const RoleUpdated& e) {
            return domain::NewEvent{"role.updated", 1, body(e.id, e.name, e.description, e.color)};
          },
          [](const RoleDeleted& e) {
            JsonWriter w;
            return domain::NewEvent{"role.deleted", 1, w.begin_object().field("id", e.id).end_object().str()};
          },
      },
      event);
}

std::optional<Event> decode_role(const domain::RecordedEvent& event) {
  rapidjson::Document d;
  d.Parse<json::kParseFlags>(event.data_json.c_str(), event.data_json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsInt64()) {
    return std::nullopt;
  }
  const auto id = d["id"].GetInt64();
  if (event.type == "role.created") {
    return RoleCreated{id, opt_string(d, "name").value_or(""), opt_string(d, "description"), opt_string(d, "color")};
  }
  if (event.type == "role.updated") {
    return RoleUpdated{id, opt_string(d, "name").value_or(""), opt_string(d, "description"), opt_string(d, "color")};
  }
  if (event.type == "role.deleted") {
    return RoleDeleted{id};
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
