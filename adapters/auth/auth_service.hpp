#pragma once
// Login, refresh-token rotation with reuse detection, logout: the shell around the User and
// Session deciders. Tokens: a short-lived HS256 JWT for API calls, and a refresh token
// "<session id>.<random>" kept by the browser in an httpOnly cookie scoped to /api/auth.
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "adapters/auth/rate_limiter.hpp"
#include "domain/common/access.hpp"
#include "domain/ports/event_store.hpp"

namespace lf::adapters::auth {

struct AuthOptions {
  std::string jwt_key;
  std::chrono::seconds access_ttl{900};
  std::chrono::seconds refresh_ttl{30 * 24 * 3600};
  std::size_t login_attempts_per_minute = 10;  // per client address and per email
  bool secure_cookie = false;                  // LABELFLEET_COOKIE_SECURE: set behind HTTPS
};

struct Tokens {
  std::string access_token;
  std::int64_t expires_in = 0;
  std::string refresh_token;  // goes into the cookie, never into a body
};

enum class AuthErrc { invalid_credentials, rate_limited, invalid_refresh, refresh_reuse, unavailable };
struct AuthError {
  AuthErrc code;
  std::string message;
  std::int64_t retry_after = 0;  // seconds, for rate_limited
};

class AuthService {
 public:
  AuthService(AuthOptions options, ports::EventStore& store);
  std::expected<Tokens, AuthError> login(const std::string& email, const std::string& password,
                                         const std::string& client_address);
  std::expected<Tokens, AuthError> refresh(const std::string& refresh_token);
  std::expected<void, AuthError> logout(const std::string& refresh_token);
  const AuthOptions& options() const { return options_; }

  // The user holding `email` (case-insensitive), from the uniqueness claims: never stale.
  std::optional<std::int64_t> user_id_by_email(const std::string& email);

 private:
  std::string access_token(std::int64_t user_id, domain::Role role) const;
  void audit(domain::NewEvent event, const std::string& actor);
  std::expected<void, AuthError> append(const std::string& stream, std::int64_t expected,
                                        std::vector<domain::NewEvent> events, const std::string& actor);

  AuthOptions options_;
  ports::EventStore& store_;
  RateLimiter by_address_;
  RateLimiter by_email_;
};

}  // namespace lf::adapters::auth
