#pragma once
// Audit and webhook-secret events, which have no aggregate of their own, <-> their JSON
// payloads (schemas/events/auth.login_*.v1.json, schemas/events/webhook_secret.issued.v1.json).
#include <cstdint>
#include <optional>
#include <string>

#include "domain/common/event.hpp"

namespace lf::adapters::codec {

// A user logged in with email and password and session_id began.
struct LoginSucceeded {
  std::int64_t user_id = 0;
  std::string email;
  std::string client_address;
  std::string session_id;
  bool operator==(const LoginSucceeded&) const = default;
};

// A login was refused. `email` is what the client sent (at most 255 characters; never a
// password); `reason` is "unknown_user", "wrong_password", "disabled" or "rate_limited".
struct LoginFailed {
  std::string email;
  std::string client_address;
  std::string reason;
  bool operator==(const LoginFailed&) const = default;
};

// A webhook secret was issued to an annotator; only its SHA-256 (hex) is recorded.
struct WebhookSecretIssued {
  std::int64_t annotator_id = 0;
  std::string secret_hash;
  bool operator==(const WebhookSecretIssued&) const = default;
};

domain::NewEvent encode(const LoginSucceeded& event);
domain::NewEvent encode(const LoginFailed& event);
domain::NewEvent encode(const WebhookSecretIssued& event);

// nullopt for any other event type or schema version, and for a payload that does not match
// the schema. A payload without its secret hash (the published form) decodes with an empty hash.
std::optional<WebhookSecretIssued> decode_webhook_secret(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
