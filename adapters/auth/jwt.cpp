#include "adapters/auth/jwt.hpp"

#include <array>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "adapters/auth/crypto.hpp"

namespace lf::adapters::auth {
namespace {

constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

// Header parameters that would make the token choose its own key ("jku", "jwk", "x5u", "x5c") or
// demand processing we do not implement ("crit", RFC 7515 section 4.1.11: a recipient that does not
// understand a critical extension must reject the token).
constexpr std::array<std::string_view, 5> kForbiddenHeaderParams = {"crit", "jku", "jwk", "x5u", "x5c"};

void require_key(std::string_view key) {
  if (key.empty()) {
    throw std::invalid_argument("JWT: empty signing key");
  }
}

std::string signature_of(std::string_view signing_input, std::string_view key) {
  return base64url_encode(hmac_sha256(key, signing_input));
}

rapidjson::Value::ConstMemberIterator find(const rapidjson::Value& object, std::string_view name) {
  return object.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
}

bool has_duplicate_names(const rapidjson::Value& object) {
  for (auto i = object.MemberBegin(); i != object.MemberEnd(); ++i) {
    for (auto j = std::next(i); j != object.MemberEnd(); ++j) {
      if (i->name == j->name) {
        return true;
      }
    }
  }
  return false;
}

// A base64url part that decodes to a JSON object with unique member names. Duplicates are refused
// because parsers disagree on which one wins, and a header {"alg":"HS256","alg":"none"} should not
// mean different things to different readers.
std::optional<rapidjson::Document> decode_object(std::string_view part) {
  const auto json = base64url_decode(part);
  if (!json) {
    return std::nullopt;
  }
  rapidjson::Document doc;
  // Iterative: a deeply nested value cannot exhaust the stack. ValidateEncoding: UTF-8 only.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json->data(), json->size());
  if (doc.HasParseError() || !doc.IsObject() || has_duplicate_names(doc)) {
    return std::nullopt;
  }
  return doc;
}

std::optional<JwtError> check_header(const rapidjson::Value& header) {
  const auto alg = find(header, "alg");
  // Exactly "HS256": not "none", not "hs256", not "HS512"; the server's choice, never the token's.
  if (alg == header.MemberEnd() || !alg->value.IsString() ||
      std::string_view(alg->value.GetString(), alg->value.GetStringLength()) != "HS256") {
    return JwtError::bad_algorithm;
  }
  for (const std::string_view name : kForbiddenHeaderParams) {
    if (find(header, name) != header.MemberEnd()) {
      return JwtError::bad_algorithm;
    }
  }
  return std::nullopt;
}

std::optional<std::string> string_claim(const rapidjson::Value& payload, std::string_view name) {
  const auto it = find(payload, name);
  if (it == payload.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// NumericDate claims must be integers here: we only issue integers, and 1.5e9 or 1e400 have no
// business in our tokens.
std::optional<std::int64_t> time_claim(const rapidjson::Value& payload, std::string_view name) {
  const auto it = find(payload, name);
  if (it == payload.MemberEnd() || !it->value.IsInt64()) {
    return std::nullopt;
  }
  return it->value.GetInt64();
}

// t > now + kJwtClockSkewSeconds, without the overflow that sum or t - skew could have for
// extreme (attacker-chosen or test) values: for t > now the difference is exact as unsigned.
bool beyond_skew(std::int64_t t, std::int64_t now) {
  return t > now && static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(now) >
                        static_cast<std::uint64_t>(kJwtClockSkewSeconds);
}

std::expected<Claims, JwtError> check_payload(const rapidjson::Value& payload, std::int64_t now_seconds) {
  if (string_claim(payload, "iss") != kJwtIssuer) {
    return std::unexpected(JwtError::bad_claims);
  }
  auto subject = string_claim(payload, "sub");
  auto role = string_claim(payload, "role");
  const auto issued_at = time_claim(payload, "iat");
  const auto expires_at = time_claim(payload, "exp");
  if (!subject || subject->empty() || !role || !issued_at || !expires_at) {
    return std::unexpected(JwtError::bad_claims);
  }
  const bool has_jti = find(payload, "jti") != payload.MemberEnd();
  auto token_id = string_claim(payload, "jti");
  const bool has_nbf = find(payload, "nbf") != payload.MemberEnd();
  const auto not_before = time_claim(payload, "nbf");
  if ((has_jti && !token_id) || (has_nbf && !not_before)) {
    return std::unexpected(JwtError::bad_claims);
  }

  if (*expires_at <= now_seconds) {
    return std::unexpected(JwtError::expired);
  }
  if (beyond_skew(*issued_at, now_seconds) || (not_before && beyond_skew(*not_before, now_seconds))) {
    return std::unexpected(JwtError::not_yet_valid);
  }
  return Claims{std::move(*subject), std::move(*role), *issued_at, *expires_at, std::move(token_id).value_or("")};
}

}  // namespace

const char* to_string(JwtError e) {
  switch (e) {
    case JwtError::malformed: return "malformed";
    case JwtError::bad_algorithm: return "bad_algorithm";
    case JwtError::bad_signature: return "bad_signature";
    case JwtError::expired: return "expired";
    case JwtError::not_yet_valid: return "not_yet_valid";
    case JwtError::bad_claims: return "bad_claims";
  }
  return "unknown";
}

std::string sign(const Claims& claims, std::string_view key) {
  require_key(key);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto string_field = [&writer](std::string_view name, std::string_view value) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  string_field("iss", kJwtIssuer);
  string_field("sub", claims.subject);
  string_field("role", claims.role);
  writer.Key("iat");
  writer.Int64(claims.issued_at);
  writer.Key("exp");
  writer.Int64(claims.expires_at);
  string_field("jti", claims.token_id);
  writer.EndObject();

  std::string token = base64url_encode(kHeaderJson);
  token += '.';
  token += base64url_encode(std::string_view(buffer.GetString(), buffer.GetSize()));
  const std::string signature = signature_of(token, key);
  token += '.';
  token += signature;
  return token;
}

std::expected<Claims, JwtError> verify(std::string_view token, std::string_view key, std::int64_t now_seconds) {
  require_key(key);
  if (token.size() > kJwtMaxBytes) {
    return std::unexpected(JwtError::malformed);
  }
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return std::unexpected(JwtError::malformed);
  }
  const std::string_view signing_input = token.substr(0, second_dot);
  const std::string_view header_part = token.substr(0, first_dot);
  const std::string_view payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_part = token.substr(second_dot + 1);

  const auto header = decode_object(header_part);
  if (!header) {
    return std::unexpected(JwtError::malformed);
  }
  if (const auto error = check_header(*header)) {
    return std::unexpected(*error);
  }

  // Our encoder is canonical and base64url_decode strict, so comparing the encoded forms is the
  // same as comparing the MACs, and any signature part that is not the one valid encoding of the
  // right MAC (other bytes, other length, stray characters) is simply a bad signature.
  if (!constant_time_equals(signature_of(signing_input, key), signature_part)) {
    return std::unexpected(JwtError::bad_signature);
  }

  // From here on the payload is ours: we signed it.
  const auto payload = decode_object(payload_part);
  if (!payload) {
    return std::unexpected(JwtError::malformed);
  }
  return check_payload(*payload, now_seconds);
}

}  // namespace lf::adapters::auth
