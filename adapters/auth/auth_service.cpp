#include "adapters/auth/auth_service.hpp"

#include "adapters/app/aggregate_loader.hpp"
#include "adapters/auth/crypto.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/codec/audit_codec.hpp"
#include "adapters/codec/session_codec.hpp"
#include "adapters/codec/user_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/common/log.hpp"
#include "domain/common/text.hpp"
#include "domain/session/session.hpp"
#include "domain/user/user.hpp"

namespace lf::adapters::auth {
namespace {

namespace session = domain::session;
namespace user = domain::user;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

AuthError invalid_refresh() { return {AuthErrc::invalid_refresh, "Refresh token is invalid, expired or revoked"}; }

// "<session id>.<secret>" -> session id; nullopt when it cannot be one of ours.
std::optional<std::string> session_of(const std::string& refresh_token) {
  const auto dot = refresh_token.find('.');
  if (dot != 36 || refresh_token.size() < 40 || refresh_token.size() > 200) {
    return std::nullopt;
  }
  return refresh_token.substr(0, dot);
}

app::Loaded<session::State> load_session(ports::EventStore& store, const std::string& id) {
  return app::load<session::State>(store, session::stream_id(id), codec::decode_session, session::evolve);
}

// Verifying against a fixed hash when the email is unknown costs the same time as a real
// check, so response times do not tell which emails have accounts.
const std::string& decoy_hash() {
  static const std::string kHash = hash_password("labelfleet decoy password");
  return kHash;
}

}  // namespace

AuthService::AuthService(AuthOptions options, ports::EventStore& store)
    : options_(std::move(options)),
      store_(store),
      by_address_(options_.login_attempts_per_minute, std::chrono::seconds(60)),
      by_email_(options_.login_attempts_per_minute, std::chrono::seconds(60)) {}

std::optional<std::int64_t> AuthService::user_id_by_email(const std::string& email) {
  const auto holder = store_.claim_holder(user::kEmailScope, domain::text::lower_ascii(domain::text::trim(email)));
  if (!holder) {
    return std::nullopt;
  }
  return std::stoll(holder->substr(std::string("user-").size()));
}

std::string AuthService::access_token(std::int64_t user_id, domain::Role role) const {
  const auto now = now_seconds();
  return sign({std::to_string(user_id), domain::to_string(role), now, now + options_.access_ttl.count(), new_uuid()},
              options_.jwt_key);
}

std::expected<void, AuthError> AuthService::append(const std::string& stream, std::int64_t expected,
                                                   std::vector<domain::NewEvent> events, const std::string& actor) {
  ports::AppendRequest request;
  request.stream_id = stream;
  request.stream_type = stream.rfind("session-", 0) == 0 ? session::kStreamType : "auth_audit";
  request.expected_version = expected;
  request.events = std::move(events);
  const auto id = new_uuid();
  request.metadata = {id, id, id, actor};
  request.recorded_at = now_rfc3339();
  const auto r = store_.append(std::move(request)).get();
  if (!r) {
    if (r.error().code == ports::AppendErrc::version_conflict) {
      return std::unexpected(AuthError{AuthErrc::invalid_refresh, "conflict"});
    }
    return std::unexpected(AuthError{AuthErrc::unavailable, "The event store is unavailable; retry later"});
  }
  return {};
}

void AuthService::audit(domain::NewEvent event, const std::string& actor) {
  // One audit stream per UTC day keeps streams short; order within it is the log's order.
  const auto day = now_rfc3339().substr(0, 10);
  if (!append("auth-audit-" + day, ports::kAnyVersion, {std::move(event)}, actor)) {
    log::warn("auth audit event not recorded", {{"actor", actor}});
  }
}

std::expected<Tokens, AuthError> AuthService::login(const std::string& email, const std::string& password,
                                                    const std::string& client_address) {
  const auto normalized = domain::text::lower_ascii(domain::text::trim(email));
  const auto by_address = by_address_.hit(client_address);
  const auto by_email = by_email_.hit(normalized);
  if (!by_address.allowed || !by_email.allowed) {
    audit(codec::encode(codec::LoginFailed{normalized, client_address, "rate_limited"}), "anonymous");
    return std::unexpected(AuthError{AuthErrc::rate_limited, "Too many login attempts; retry later",
                                     std::max(by_address.retry_after, by_email.retry_after).count()});
  }
  const auto id = user_id_by_email(normalized);
  std::optional<app::Loaded<user::State>> loaded;
  if (id) {
    loaded = app::load<user::State>(store_, user::stream_id(*id), codec::decode_user, user::evolve);
  }
  const bool known = loaded && loaded->state.exists && !loaded->state.deleted;
  const bool password_ok = verify_password(known ? loaded->state.password_hash : decoy_hash(), password);
  if (!known || !password_ok || !loaded->state.active) {
    const char* reason = !known ? "unknown_user" : !password_ok ? "wrong_password" : "disabled";
    audit(codec::encode(codec::LoginFailed{normalized, client_address, reason}), "anonymous");
    return std::unexpected(AuthError{AuthErrc::invalid_credentials, "Invalid email or password"});
  }
  const auto session_id = new_uuid();
  Tokens tokens;
  tokens.refresh_token = session_id + "." + random_token(32);
  const auto started = session::decide(session::StartSession{session_id, *id, sha256_hex(tokens.refresh_token),
                                                             now_seconds() + options_.refresh_ttl.count()},
                                       {});
  std::vector<domain::NewEvent> events;
  for (const auto& e : *started) {
    events.push_back(codec::encode(e));
  }
  const auto actor = "user:" + std::to_string(*id);
  if (auto ok = append(session::stream_id(session_id), 0, std::move(events), actor); !ok) {
    return std::unexpected(ok.error());
  }
  audit(codec::encode(codec::LoginSucceeded{*id, normalized, client_address, session_id}), actor);
  tokens.access_token = access_token(*id, loaded->state.role);
  tokens.expires_in = options_.access_ttl.count();
  return tokens;
}

std::expected<Tokens, AuthError> AuthService::refresh(const std::string& refresh_token) {
  const auto id = session_of(refresh_token);
  if (!id) {
    return std::unexpected(invalid_refresh());
  }
  // Two attempts: a concurrent refresh of the same token moves the stream first; deciding
  // again on the new state then sees a rotated token, which is reuse.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto loaded = load_session(store_, *id);
    Tokens tokens;
    tokens.refresh_token = *id + "." + random_token(32);
    const auto decided =
        session::decide(session::RefreshSession{sha256_hex(refresh_token), sha256_hex(tokens.refresh_token),
                                                now_seconds() + options_.refresh_ttl.count(), now_seconds()},
                        loaded.state);
    if (!decided) {
      return std::unexpected(invalid_refresh());
    }
    std::vector<domain::NewEvent> events;
    for (const auto& e : *decided) {
      events.push_back(codec::encode(e));
    }
    const auto actor = "user:" + std::to_string(loaded.state.user_id);
    const auto appended = append(session::stream_id(*id), loaded.state.version, std::move(events), actor);
    if (!appended) {
      if (appended.error().code == AuthErrc::invalid_refresh) {
        continue;  // lost a race on the stream: decide again
      }
      return std::unexpected(appended.error());
    }
    if (!session::refresh_granted(*decided)) {
      log::warn("refresh token reuse detected; session revoked", {{"session_id", *id}, {"actor", actor}});
      return std::unexpected(
          AuthError{AuthErrc::refresh_reuse, "Refresh token was already used; the session is revoked"});
    }
    const auto user_state =
        app::load<user::State>(store_, user::stream_id(loaded.state.user_id), codec::decode_user, user::evolve).state;
    if (!user_state.exists || user_state.deleted || !user_state.active) {
      return std::unexpected(invalid_refresh());
    }
    tokens.access_token = access_token(loaded.state.user_id, user_state.role);
    tokens.expires_in = options_.access_ttl.count();
    return tokens;
  }
  return std::unexpected(invalid_refresh());
}

std::expected<void, AuthError> AuthService::logout(const std::string& refresh_token) {
  const auto id = session_of(refresh_token);
  if (!id) {
    return std::unexpected(invalid_refresh());
  }
  const auto loaded = load_session(store_, *id);
  const auto decided = session::decide(session::EndSession{sha256_hex(refresh_token)}, loaded.state);
  if (!decided) {
    return std::unexpected(invalid_refresh());
  }
  std::vector<domain::NewEvent> events;
  for (const auto& e : *decided) {
    events.push_back(codec::encode(e));
  }
  return append(session::stream_id(*id), loaded.state.version, std::move(events),
                "user:" + std::to_string(loaded.state.user_id));
}

}  // namespace lf::adapters::auth
