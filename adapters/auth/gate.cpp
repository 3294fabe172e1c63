#include "adapters/auth/gate.hpp"

#include <chrono>

#include "adapters/app/aggregate_loader.hpp"
#include "adapters/auth/crypto.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/codec/api_key_codec.hpp"
#include "adapters/codec/user_codec.hpp"
#include "adapters/common/ascii.hpp"
#include "adapters/http/pagination.hpp"
#include "domain/api_key/api_key.hpp"
#include "domain/user/user.hpp"

namespace lf::adapters::auth {
namespace {

using http::Access;
using http::HttpRequest;
using http::HttpResponse;
using http::Principal;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

HttpResponse unauthorized(const std::string& message) {
  auto r = http::error(401, message);
  r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="labelfleet")");
  return r;
}

AuthGate::AuthGate(GateOptions options, ports::EventStore& store, ports::WebhookSecrets& secrets)
    : options_(std::move(options)),
      store_(store),
      secrets_(secrets),
      limiter_(options_.requests_per_minute, std::chrono::seconds(60)) {}

template <class State, class Decode, class Evolve>
State AuthGate::cached_state(const std::string& stream_id, Decode decode, Evolve evolve) {
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t generation = 0;
  if (options_.principal_ttl.count() > 0) {
    const std::lock_guard lock(cache_mu_);
    const auto it = cache_.find(stream_id);
    if (it != cache_.end() && it->second.expires > now && std::holds_alternative<State>(it->second.state)) {
      return std::get<State>(it->second.state);
    }
    generation = generation_;
  }
  auto state = app::load<State>(store_, stream_id, decode, evolve).state;
  if (options_.principal_ttl.count() > 0) {
    const std::lock_guard lock(cache_mu_);
    if (generation != generation_) {
      return state;  // something was forgotten while we read: this fold may predate it
    }
    if (cache_.size() > 10000) {
      cache_.clear();  // a bound, not an eviction policy: credentials in use come back at once
    }
    cache_[stream_id] = Cached{state, now + options_.principal_ttl};
  }
  return state;
}

void AuthGate::forget(const std::vector<std::string>& stream_ids) {
  const std::lock_guard lock(cache_mu_);
  ++generation_;
  for (const auto& id : stream_ids) {
    cache_.erase(id);
  }
}

std::expected<Principal, std::string> AuthGate::from_bearer(const std::string& token) {
  const auto claims = verify(token, options_.jwt_key, now_seconds());
  if (!claims) {
    return std::unexpected(claims.error() == JwtError::expired ? "Access token has expired"
                                                               : "Access token is invalid");
  }
  const auto id = http::parse_id(claims->subject);
  if (!id) {
    return std::unexpected("Access token is invalid");
  }
  // The user as the log has it now: disabling or deleting a user cuts access at once, and a
  // role change applies to tokens already issued.
  const auto user =
      cached_state<domain::user::State>(domain::user::stream_id(*id), codec::decode_user, domain::user::evolve);
  if (!user.exists || user.deleted || !user.active) {
    return std::unexpected("Account is disabled or no longer exists");
  }
  return Principal{Principal::Kind::user, *id, user.role, "user:" + std::to_string(*id)};
}

std::expected<Principal, std::string> AuthGate::from_api_key(const std::string& key) {
  // Keys look like lfk_<id>_<secret>: the id finds the key's stream, the hash decides.
  constexpr std::string_view kPrefix = "lfk_";
  const auto sep = key.find('_', kPrefix.size());
  if (key.rfind(kPrefix, 0) != 0 || sep == std::string::npos) {
    return std::unexpected("API key is invalid");
  }
  const auto id = http::parse_id(key.substr(kPrefix.size(), sep - kPrefix.size()));
  if (!id) {
    return std::unexpected("API key is invalid");
  }
  const auto api_key = cached_state<domain::api_key::State>(domain::api_key::stream_id(*id), codec::decode_api_key,
                                                            domain::api_key::evolve);
  // The hash is compared on every request, cached or not.
  if (!api_key.exists || !constant_time_equals(api_key.key_hash, sha256_hex(key))) {
    return std::unexpected("API key is invalid");
  }
  if (api_key.revoked) {
    return std::unexpected("API key has been revoked");
  }
  return Principal{Principal::Kind::api_key, *id, api_key.role, "api-key:" + std::to_string(*id)};
}

std::expected<Principal, std::string> AuthGate::from_authorization(const std::string& header) {
  const auto space = header.find(' ');
  if (space == std::string::npos) {
    return std::unexpected("Authorization header is malformed");
  }
  const auto scheme = ascii::lowered(header.substr(0, space));
  const auto credential = header.substr(space + 1);
  if (scheme == "bearer") {
    return from_bearer(credential);
  }
  if (scheme == "token") {
    return from_api_key(credential);
  }
  return std::unexpected("Authorization scheme must be Bearer or Token");
}

std::optional<HttpResponse> AuthGate::admit_webhook(HttpRequest& request) {
  // /api/annotators/:id/token names the annotator in its path; /api/webhook in X-Annotator-Id.
  const auto from_path = request.params.find("id");
  const auto id_text =
      from_path != request.params.end() ? from_path->second : request.header("x-annotator-id").value_or("");
  const auto id = http::parse_id(id_text);
  const auto secret = request.header("x-webhook-secret");
  if (!id || !secret || secret->empty()) {
    return unauthorized("X-Annotator-Id and X-Webhook-Secret are required");
  }
  if (!secrets_.verify(*id, *secret)) {
    return unauthorized("Webhook secret is invalid");
  }
  request.principal =
      Principal{Principal::Kind::annotator, *id, domain::Role::viewer, "annotator:" + std::to_string(*id)};
  return std::nullopt;
}

std::optional<HttpResponse> AuthGate::admit(HttpRequest& request, Access access) {
  if (access == Access::open) {
    return std::nullopt;
  }
  if (access == Access::webhook) {
    return admit_webhook(request);
  }
  const auto header = request.header("authorization");
  if (!header) {
    return unauthorized("Authentication required: send Authorization: Bearer <token> or Token <api key>");
  }
  auto principal = from_authorization(*header);
  if (!principal) {
    return unauthorized(principal.error());
  }
  request.principal = *principal;
  const auto decision = limiter_.hit(principal->label);
  if (!decision.allowed) {
    return http::too_many_requests("Too many requests; retry later", decision.retry_after.count());
  }
  if (access == Access::admin && principal->role != domain::Role::admin) {
    return http::error(403, "This needs an admin; your role may only read");
  }
  return std::nullopt;
}

void AuthGate::decorate(const HttpRequest& request, HttpResponse& response) {
  if (!request.principal || request.principal->kind == Principal::Kind::annotator) {
    return;
  }
  const auto d = limiter_.peek(request.principal->label);
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  response.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
}

}  // namespace lf::adapters::auth
