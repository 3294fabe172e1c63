#include "adapters/auth/webhook_secrets.hpp"

#include <stdexcept>

#include "adapters/auth/crypto.hpp"
#include "adapters/codec/audit_codec.hpp"
#include "adapters/common/clock.hpp"

namespace lf::adapters::auth {
std::string EventSourcedWebhookSecrets::issue(std::int64_t annotator_id) {
  auto secret = "whs_" + random_token(32);
  ports::AppendRequest request;
  request.stream_id = webhook_secret_stream(annotator_id);
  request.stream_type = kWebhookSecretStreamType;
  request.expected_version = ports::kAnyVersion;  // a rotation replaces whatever was there
  request.events.push_back(codec::encode(codec::WebhookSecretIssued{annotator_id, sha256_hex(secret)}));
  request.metadata = {new_uuid(), "", "", "system"};
  request.recorded_at = now_rfc3339();
  const auto appended = store_.append(std::move(request)).get();
  if (!appended) {
    throw std::runtime_error("could not store the webhook secret: " + appended.error().message);
  }
  return secret;
}

bool EventSourcedWebhookSecrets::verify(std::int64_t annotator_id, std::string_view presented) {
  std::string hash;
  for (const auto& e : store_.read_stream(webhook_secret_stream(annotator_id))) {
    if (auto issued = codec::decode_webhook_secret(e)) {
      hash = issued->secret_hash;
    }
  }
  // Hash first, then compare in constant time: no early exit on the secret's characters.
  return !hash.empty() && constant_time_equals(hash, sha256_hex(presented));
}

}  // namespace lf::adapters::auth
