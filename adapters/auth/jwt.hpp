#pragma once
// Access tokens: JSON Web Tokens (RFC 7519) signed with HMAC-SHA256 (JWS "HS256", RFC 7515), and
// nothing else. The algorithm is fixed by the server, never taken from the token: a header asking
// for "none", another algorithm or a key of its own is refused before anything else is read.
//
// Token: base64url({"alg":"HS256","typ":"JWT"}) "." base64url(payload) "." base64url(HMAC), with
// the payload {"iss":"labelfleet","sub":…,"role":…,"iat":…,"exp":…,"jti":…} (times in seconds
// since the Unix epoch).
//
// The key should be at least kJwtRecommendedKeyBytes random bytes (auth::random_token(32) decoded, or
// any 32+ byte secret from configuration); keys of any length work (HMAC hashes longer ones).
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace lf::adapters::auth {

inline constexpr std::string_view kJwtIssuer = "labelfleet";
inline constexpr std::size_t kJwtRecommendedKeyBytes = 32;
// How far in the future "iat" (and "nbf", if present) may lie: tolerates clock skew between api
// processes. "exp" gets no leeway: a token is expired from the second its "exp" names.
inline constexpr std::int64_t kJwtClockSkewSeconds = 60;
// Tokens longer than this are refused unread; ours are about 250 bytes.
inline constexpr std::size_t kJwtMaxBytes = 8192;

struct Claims {
  std::string subject;      // "sub": the account id, non-empty
  std::string role;         // "role"
  std::int64_t issued_at;   // "iat"
  std::int64_t expires_at;  // "exp"
  std::string token_id;     // "jti": lets a single token be revoked; may be empty

  bool operator==(const Claims&) const = default;
};

enum class JwtError {
  malformed,      // not three base64url parts, or a part is not a JSON object
  bad_algorithm,  // header alg is not exactly "HS256", or it names keys or critical extensions
  bad_signature,  // HMAC does not match: tampered, or signed with another key
  expired,        // exp <= now
  not_yet_valid,  // iat (or nbf) more than kJwtClockSkewSeconds in the future
  bad_claims,     // iss, sub, role, iat or exp missing or of the wrong type
};

const char* to_string(JwtError e);

// Signs `claims`. Throws std::invalid_argument on an empty key (a configuration error, and an empty
// HMAC key would make every token forgeable).
std::string sign(const Claims& claims, std::string_view key);

// Checks, in this order: shape and header (malformed, bad_algorithm), the signature in constant time
// (bad_signature), and only then the payload, which until that point is attacker-controlled
// (malformed, bad_claims, expired, not_yet_valid). Throws std::invalid_argument on an empty key.
std::expected<Claims, JwtError> verify(std::string_view token, std::string_view key, std::int64_t now_seconds);

}  // namespace lf::adapters::auth
