#include "adapters/codec/session_codec.hpp"

#include "adapters/codec/decode_support.hpp"
#include "adapters/codec/json_writer.hpp"
#include "domain/common/overloaded.hpp"

namespace lf::adapters::codec {
namespace {
using namespace domain::session;
}  // namespace

domain::NewEvent encode(const Event& event) {
  return std::visit(domain::overloaded{
                        [](const SessionStarted& e) {
                          JsonWriter w;
                          w.begin_object()
                              .field("sessionId", e.session_id)
                              .field("userId", e.user_id)
                              .field("refreshTokenHash", e.refresh_token_hash)
                              .field("expiresAt", e.expires_at);
                          return domain::NewEvent{"session.started", 1, w.end_object().str()};
                        },
                        [](const SessionRefreshed& e) {
                          JsonWriter w;
                          w.begin_object()
                              .field("sessionId", e.session_id)
                              .field("refreshTokenHash", e.refresh_token_hash)
                              .field("expiresAt", e.expires_at);
                          return domain::NewEvent{"session.refreshed", 1, w.end_object().str()};
                        },
                        [](const RefreshReuseDetected& e) {
                          JsonWriter w;
                          w.begin_object().field("sessionId", e.session_id).field("userId", e.user_id);
                          return domain::NewEvent{"session.refresh_reuse_detected", 1, w.end_object().str()};
                        },
                        [](const SessionRevoked& e) {
                          JsonWriter w;
                          w.begin_object().field("sessionId", e.session_id).field("reason", e.reason);
                          return domain::NewEvent{"session.revoked", 1, w.end_object().str()};
                        },
                    },
                    event);
}

std::optional<Event> decode_session(const domain::RecordedEvent& event) {
  if (event.schema_version != 1) {
    return std::nullopt;
  }
  PayloadReader r(event.data_json);
  if (event.type == "session.started") {
    return r.make<Event>(
        SessionStarted{r.text("sessionId"), r.int64("userId"), r.secret("refreshTokenHash"), r.int64("expiresAt")});
  }
  if (event.type == "session.refreshed") {
    return r.make<Event>(SessionRefreshed{r.text("sessionId"), r.secret("refreshTokenHash"), r.int64("expiresAt")});
  }
  if (event.type == "session.refresh_reuse_detected") {
    return r.make<Event>(RefreshReuseDetected{r.text("sessionId"), r.int64("userId")});
  }
  if (event.type == "session.revoked") {
    return r.make<Event>(SessionRevoked{r.text("sessionId"), r.text("reason")});
  }
  return std::nullopt;
}

}  // namespace lf::adapters::codec
