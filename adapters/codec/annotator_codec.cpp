#include "adapters/codec/annotator_codec.hpp"

#include <rapidjson/document.h>

#include "adapters/codec/decode_support.hpp"
#include "adapters/codec/json_writer.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::annotator;

JsonWriter& optional_int(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  if (v) {
    return w.field(key, *v);
  }
  return w.raw_field(key, "null");
}

// The members annotator.created, .updated and .deleted share; the object is left open.
JsonWriter& identity(JsonWriter& w, std::int64_t id, const std::string& name, const std::string& email,
                     const std::optional<std::int64_t>& role_id) {
  w.begin_object().field("id", id).field("name", name).field("email", email);
  return optional_int(w, "roleId", role_id);
}

// A status member: one of the seven names, else the payload is unreadable.
Status status_of(PayloadReader& r, const char* key) {
  const auto s = parse_status(r.text(key));
  if (!s) {
    r.invalidate();
    return Status::error;
  }
  return *s;
}

}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(
      domain::overloaded{
          [](const AnnotatorCreated& e) {
            JsonWriter w;
            identity(w, e.id, e.name, e.email, e.role_id)
                .field("notes", e.notes)
                .field("status", to_string(e.status))
                .field("subdomain", e.subdomain)
                .field("databaseName", e.database_name)
                .field("webhookSecretHint", e.webhook_secret_hint);
            return domain::NewEvent{"annotator.created", 1, w.end_object().str()};
          },
          [](const AnnotatorUpdated& e) {
            JsonWriter w;
            identity(w, e.id, e.name, e.email, e.role_id).field("notes", e.notes).field("status", to_string(e.status));
            return domain::NewEvent{"annotator.updated", 1, w.end_object().str()};
          },
          [](const AnnotatorDeleted& e) {
            JsonWriter w;
            identity(w, e.id, e.name, e.email, e.role_id).field("status", to_string(Status::deleted));
            return domain::NewEvent{"annotator.deleted", 1, w.end_object().str()};
          },
          [](const ApiTokenReported& e) {
            JsonWriter w;
            w.begin_object().field("id", e.id).field("token", e.token).field("tokenHint", e.token_hint);
            return domain::NewEvent{"annotator.api_token_reported", 1, w.end_object().str()};
          },
      },
      event);
}

std::optional<Event> decode_annotator(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  PayloadReader r(event.data_json);
  if (event.type == "annotator.created") {
    AnnotatorCreated e{r.int64("id"),
                       r.text("name"),
                       r.text("email"),
                       r.nullable_int64("roleId"),
                       r.nullable_text("notes"),
                       status_of(r, "status"),
                       r.text("subdomain"),
                       r.text("databaseName"),
                       r.text("webhookSecretHint")};
    return r.make<Event>(std::move(e));
  }
  if (event.type == "annotator.updated") {
    AnnotatorUpdated e{
        r.int64("id"),         r.text("name"), r.text("email"), r.nullable_int64("roleId"), r.nullable_text("notes"),
        status_of(r, "status")};
    return r.make<Event>(std::move(e));
  }
  if (event.type == "annotator.deleted") {
    AnnotatorDeleted e{r.int64("id"), r.text("name"), r.text("email"), r.nullable_int64("roleId")};
    return r.make<Event>(std::move(e));
  }
  if (event.type == "annotator.api_token_reported") {
    ApiTokenReported e{r.int64("id"), r.secret("token"), r.text("tokenHint")};
    return r.make<Event>(std::move(e));
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
