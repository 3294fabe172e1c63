#include "adapters/http/views.hpp"

#include "adapters/codec/json_writer.hpp"

namespace lf::adapters::http {

std::string render(const projections::RoleRow& role) {
  codec::JsonWriter w;
  w.begin_object()
      .field("id", role.id)
      .field("name", role.name)
      .field("description", role.description)
      .field("color", role.color)
      .field("createdAt", role.created_at);
  return w.end_object().str();
}

std::string render(const projections::SettingRow& setting) {
  codec::JsonWriter w;
  w.begin_object()
      .field("id", setting.id)
      .field("key", setting.key)
      .raw_field("value", setting.value_json)
      .field("description", setting.description)
      .field("updatedAt", setting.updated_at);
  return w.end_object().str();
}

std::string render(const projections::UserRow& user) {
  codec::JsonWriter w;
  w.begin_object()
      .field("id", user.id)
      .field("email", user.email)
      .field("displayName", user.display_name)
      .field("role", user.role)
      .field("active", user.active)
      .field("createdAt", user.created_at)
      .field("updatedAt", user.updated_at);
  return w.end_object().str();
}

std::string render(const projections::ApiKeyRow& key) {
  codec::JsonWriter w;
  w.begin_object()
      .field("id", key.id)
      .field("name", key.name)
      .field("role", key.role)
      .field("prefix", key.prefix)
      .field("createdBy", key.created_by)
      .field("revoked", key.revoked)
      .field("createdAt", key.created_at);
  return w.end_object().str();
}

}  // namespace lf::adapters::http
