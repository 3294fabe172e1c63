#pragma once
// The door of the API: who is calling (JWT bearer token, API key, or an annotator's webhook
// secret), whether the route lets them in (401 / 403), and the general rate limit per
// credential (429, X-RateLimit-Limit / X-RateLimit-Remaining). See docs/adr/0006.
#include <chrono>
#include <expected>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "adapters/auth/rate_limiter.hpp"
#include "adapters/http/server.hpp"
#include "domain/api_key/api_key.hpp"
#include "domain/ports/event_store.hpp"
#include "domain/ports/webhook_secrets.hpp"
#include "domain/user/user.hpp"

namespace lf::adapters::auth {

struct GateOptions {
  std::string jwt_key;
  std::size_t requests_per_minute = 1200;  // per credential; LABELFLEET_RATE_LIMIT_PER_MINUTE
  // How long a folded user or API key is reused (LABELFLEET_PRINCIPAL_CACHE_MS; 0 = fold on
  // every request). Changes appended by this process drop the entry at once (forget()); the
  // window only bounds how late a change made by another api process is seen (ADR 0006).
  std::chrono::milliseconds principal_ttl{1000};
};

class AuthGate final : public http::Gate {
 public:
  AuthGate(GateOptions options, ports::EventStore& store, ports::WebhookSecrets& secrets);
  std::optional<http::HttpResponse> admit(http::HttpRequest& request, http::Access access) override;
  void decorate(const http::HttpRequest& request, http::HttpResponse& response) override;

  // Resolves a credential to its principal; the message says why not (never echoes it).
  std::expected<http::Principal, std::string> from_authorization(const std::string& header);
  // The streams were appended to: drop what the cache holds of them.
  void forget(const std::vector<std::string>& stream_ids);

 private:
  std::expected<http::Principal, std::string> from_bearer(const std::string& token);
  std::expected<http::Principal, std::string> from_api_key(const std::string& key);
  std::optional<http::HttpResponse> admit_webhook(http::HttpRequest& request);
  // The user or API key behind a credential: cached for principal_ttl, else folded.
  template <class State, class Decode, class Evolve>
  State cached_state(const std::string& stream_id, Decode decode, Evolve evolve);

  GateOptions options_;
  ports::EventStore& store_;
  ports::WebhookSecrets& secrets_;
  RateLimiter limiter_;
  struct Cached {
    std::variant<domain::user::State, domain::api_key::State> state;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;
  std::uint64_t generation_ = 0;  // bumped by forget(): a fold that spans one is not cached
};

// 401 in the contract's error shape, with WWW-Authenticate.
http::HttpResponse unauthorized(const std::string& message);

}  // namespace lf::adapters::auth
