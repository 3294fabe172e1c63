#pragma once
// The door of the API: who is calling (JWT bearer token, API key, or an annotator's webhook
// secret), whether the route lets them in (401 / 403), and the general rate limit per
// credential (429, X-RateLimit-Limit / X-RateLimit-Remaining). See docs/adr/0006.
#include <chrono>
#include <expected>
#include <string>

#include "adapters/auth/rate_limiter.hpp"
#include "adapters/http/server.hpp"
#include "domain/ports/event_store.hpp"
#include "domain/ports/webhook_secrets.hpp"

namespace lf::adapters::auth {

struct GateOptions {
  std::string jwt_key;
  std::size_t requests_per_minute = 1200;  // per credential; LABELFLEET_RATE_LIMIT_PER_MINUTE
};

class AuthGate final : public http::Gate {
 public:
  AuthGate(GateOptions options, ports::EventStore& store, ports::WebhookSecrets& secrets);
  std::optional<http::HttpResponse> admit(http::HttpRequest& request, http::Access access) override;
  void decorate(const http::HttpRequest& request, http::HttpResponse& response) override;

  // Resolves a credential to its principal; the message says why not (never echoes it).
  std::expected<http::Principal, std::string> from_authorization(const std::string& header);

 private:
  std::expected<http::Principal, std::string> from_bearer(const std::string& token);
  std::expected<http::Principal, std::string> from_api_key(const std::string& key);
  std::optional<http::HttpResponse> admit_webhook(http::HttpRequest& request);

  GateOptions options_;
  ports::EventStore& store_;
  ports::WebhookSecrets& secrets_;
  RateLimiter limiter_;
};

// 401 in the contract's error shape, with WWW-Authenticate.
http::HttpResponse unauthorized(const std::string& message);

}  // namespace lf::adapters::auth
