#pragma once
// Webhook secrets as events: stream "webhook-secret-<annotator id>", event
// webhook_secret.issued carrying only the SHA-256 of a 32-byte random secret (writeOnly: never
// published). The last issued secret is the valid one.
#include <cstdint>
#include <string>

#include "domain/ports/event_store.hpp"
#include "domain/ports/webhook_secrets.hpp"

namespace lf::adapters::auth {

inline constexpr const char* kWebhookSecretStreamType = "webhook_secret";
// The stream holding annotator `annotator_id`'s secret hashes.
inline std::string webhook_secret_stream(std::int64_t annotator_id) {
  return "webhook-secret-" + std::to_string(annotator_id);
}

class EventSourcedWebhookSecrets final : public ports::WebhookSecrets {
 public:
  explicit EventSourcedWebhookSecrets(ports::EventStore& store) : store_(store) {}
  std::string issue(std::int64_t annotator_id) override;
  bool verify(std::int64_t annotator_id, std::string_view presented) override;

 private:
  ports::EventStore& store_;
};

}  // namespace lf::adapters::auth
