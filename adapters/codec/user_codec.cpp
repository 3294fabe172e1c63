#include "adapters/codec/user_codec.hpp"

#include "adapters/codec/decode_support.hpp"
#include "adapters/codec/json_writer.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::user;

// The fields user.created and user.updated share; the object is left open.
JsonWriter& profile(JsonWriter& w, std::int64_t id, const std::string& email, const std::string& display_name,
                    Role role, bool active) {
  return w.begin_object()
      .field("id", id)
      .field("email", email)
      .field("displayName", display_name)
      .field("role", domain::to_string(role))
      .field("active", active);
}

}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(
      domain::overloaded{
          [](const UserCreated& e) {
            JsonWriter w;
            profile(w, e.id, e.email, e.display_name, e.role, e.active).field("passwordHash", e.password_hash);
            return domain::NewEvent{"user.created", 1, w.end_object().str()};
          },
          [](const UserUpdated& e) {
            JsonWriter w;
            profile(w, e.id, e.email, e.display_name, e.role, e.active);
            return domain::NewEvent{"user.updated", 1, w.end_object().str()};
          },
          [](const PasswordChanged& e) {
            JsonWriter w;
            w.begin_object().field("id", e.id).field("passwordHash", e.password_hash);
            return domain::NewEvent{"user.password_changed", 1, w.end_object().str()};
          },
          [](const UserDeleted& e) {
            JsonWriter w;
            return domain::NewEvent{"user.deleted", 1, w.begin_object().field("id", e.id).end_object().str()};
          },
      },
      event);
}

std::optional<Event> decode_user(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  PayloadReader r(event.data_json);
  if (event.type == "user.created") {
    return r.make<Event>(UserCreated{r.int64("id"), r.text("email"), r.text("displayName"), r.role("role"),
                                     r.boolean("active"), r.secret("passwordHash")});
  }
  if (event.type == "user.updated") {
    return r.make<Event>(
        UserUpdated{r.int64("id"), r.text("email"), r.text("displayName"), r.role("role"), r.boolean("active")});
  }
  if (event.type == "user.password_changed") {
    return r.make<Event>(PasswordChanged{r.int64("id"), r.secret("passwordHash")});
  }
  if (event.type == "user.deleted") {
    return r.make<Event>(UserDeleted{r.int64("id")});
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
