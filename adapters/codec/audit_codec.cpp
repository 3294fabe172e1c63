#include "adapters/codec/audit_codec.hpp"

#include "adapters/codec/decode_support.hpp"
#include "adapters/codec/json_writer.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const LoginSucceeded& event) {
  JsonWriter w;
  w.begin_object()
      .field("userId", event.user_id)
      .field("email", event.email)
      .field("clientAddress", event.client_address)
      .field("sessionId", event.session_id);
  return {"auth.login_succeeded", 1, w.end_object().str()};
}

domain::NewEvent encode(const LoginFailed& event) {
  JsonWriter w;
  w.begin_object()
      .field("email", event.email)
      .field("clientAddress", event.client_address)
      .field("reason", event.reason);
  return {"auth.login_failed", 1, w.end_object().str()};
}

domain::NewEvent encode(const WebhookSecretIssued& event) {
  JsonWriter w;
  w.begin_object().field("annotatorId", event.annotator_id).field("secretHash", event.secret_hash);
  return {"webhook_secret.issued", 1, w.end_object().str()};
}

std::optional<WebhookSecretIssued> decode_webhook_secret(const domain::RecordedEvent& event) {
  if (event.type != "webhook_secret.issued" || event.schema_version != 1) {
    return std::nullopt;
  }
  PayloadReader r(event.data_json);
  return r.make<WebhookSecretIssued>(WebhookSecretIssued{r.int64("annotatorId"), r.secret("secretHash")});
}

}  // namespace lf::adapters::codec
