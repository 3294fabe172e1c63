#include "adapters/codec/api_key_codec.hpp"

#include "adapters/codec/decode_support.hpp"
#include "adapters/codec/json_writer.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {
using namespace domain::api_key;
}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(domain::overloaded{
                        [](const ApiKeyCreated& e) {
                          JsonWriter w;
                          w.begin_object()
                              .field("id", e.id)
                              .field("name", e.name)
                              .field("role", domain::to_string(e.role))
                              .field("keyHash", e.key_hash)
                              .field("prefix", e.prefix)
                              .field("createdBy", e.created_by);
                          return domain::NewEvent{"api_key.created", 1, w.end_object().str()};
                        },
                        [](const ApiKeyRevoked& e) {
                          JsonWriter w;
                          w.begin_object().field("id", e.id).field("revokedBy", e.revoked_by);
                          return domain::NewEvent{"api_key.revoked", 1, w.end_object().str()};
                        },
                    },
                    event);
}

std::optional<Event> decode_api_key(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  PayloadReader r(event.data_json);
  if (event.type == "api_key.created") {
    return r.make<Event>(ApiKeyCreated{r.int64("id"), r.text("name"), r.role("role"), r.secret("keyHash"),
                                       r.text("prefix"), r.int64("createdBy")});
  }
  if (event.type == "api_key.revoked") {
    return r.make<Event>(ApiKeyRevoked{r.int64("id"), r.int64("revokedBy")});
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
