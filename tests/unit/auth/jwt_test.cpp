// HS256 JSON Web Tokens of adapters/auth/jwt: round trip, known answers, and the attacks a verifier
// must refuse (algorithm confusion, tampering, expiry).
#include "adapters/auth/jwt.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "adapters/auth/crypto.hpp"

namespace lf::adapters::auth {
namespace {

constexpr std::string_view kKey = "labelfleet-test-key-0123456789abcdef";
constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

Claims claims() { return {"42", "labeler", kNow, kNow + 900, "tok-1"}; }

// A token with any header and payload, correctly signed with `key`: so that a test refusing it shows
// the check under test at work, not the signature check.
std::string forge(std::string_view header_json, std::string_view payload_json, std::string_view key = kKey) {
  std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(hmac_sha256(key, input));
}

constexpr std::string_view kHs256 = R"({"alg":"HS256","typ":"JWT"})";

std::string payload_with(std::string_view members) {
  return R"({"iss":"labelfleet","sub":"42","role":"labeler",)" + std::string(members) + "}";
}

std::string valid_times() { return R"("iat":)" + std::to_string(kNow) + R"(,"exp":)" + std::to_string(kNow + 900); }

JwtError error_of(std::string_view token, std::int64_t now = kNow, std::string_view key = kKey) {
  const auto result = verify(token, key, now);
  EXPECT_FALSE(result.has_value()) << token;
  return result ? JwtError{} : result.error();
}

TEST(JwtSign, RoundTrip) {
  const auto verified = verify(sign(claims(), kKey), kKey, kNow + 1);
  ASSERT_TRUE(verified.has_value()) << to_string(verified.error());
  EXPECT_EQ(*verified, claims());
}

TEST(JwtSign, KnownAnswer) {
  // Computed independently of this code, with Python 3:
  //   b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
  //   si = b(b'{"alg":"HS256","typ":"JWT"}') + "." + b(b'{"iss":"labelfleet","sub":"42",'
  //        b'"role":"labeler","iat":1767225600,"exp":1767226500,"jti":"tok-1"}')
  //   b(hmac.new(b"labelfleet-test-key-0123456789abcdef", si.encode(), hashlib.sha256).digest())
  // and the MAC cross-checked with
  //   printf '%s' "$si" | openssl dgst -sha256 -hmac labelfleet-test-key-0123456789abcdef
  //   -> ffb2674592ee2d0983e415593de627ca8e9e817e02e9dafe0a6335e2655908e5
  EXPECT_EQ(sign(claims(), kKey),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJpc3MiOiJsYWJlbGZsZWV0Iiwic3ViIjoiNDIiLCJyb2xlIjoibGFiZWxlciIsImlhdCI6MTc2NzIyNTYwMCwiZXhwIjoxNzY3MjI2"
            "NTAwLCJqdGkiOiJ0b2stMSJ9."
            "_7JnRZLuLQmD5BVZPeYnyo6egX4C6dr-CmM14mVZCOU");
}

TEST(JwtVerify, Rfc7515AppendixA1SignatureIsAccepted) {
  // RFC 7515 A.1: its HS256 example token and key (the JWK "k", base64url). The signature is the
  // RFC's own; the token then fails only on its claims (iss "joe", no sub), which shows the HMAC
  // over the exact bytes of header.payload matched.
  constexpr std::string_view kRfcToken =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const auto rfc_key =
      base64url_decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(rfc_key);
  EXPECT_EQ(error_of(kRfcToken, 1300819000, *rfc_key), JwtError::bad_claims);
  std::string other_key = *rfc_key;
  other_key[0] = static_cast<char>(other_key[0] ^ 1);
  EXPECT_EQ(error_of(kRfcToken, 1300819000, other_key), JwtError::bad_signature);
}

TEST(JwtVerify, TamperedPayloadIsABadSignature) {
  const std::string token = sign(claims(), kKey);
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.find('.', dot1 + 1);
  std::string payload = *base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find("labeler"), 7, "admin");
  const std::string tampered =
      token.substr(0, dot1 + 1) + base64url_encode(payload) + token.substr(dot2);  // old signature
  EXPECT_EQ(error_of(tampered), JwtError::bad_signature);
}

TEST(JwtVerify, TamperedSignatureIsABadSignature) {
  const std::string token = sign(claims(), kKey);
  const std::size_t sig = token.rfind('.') + 1;
  std::string flipped = token;
  flipped[sig + 5] = flipped[sig + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(flipped), JwtError::bad_signature);
  EXPECT_EQ(error_of(token.substr(0, token.size() - 1)), JwtError::bad_signature);  // truncated
  EXPECT_EQ(error_of(token + "A"), JwtError::bad_signature);                        // extended
  EXPECT_EQ(error_of(token.substr(0, sig)), JwtError::bad_signature);               // empty
}

TEST(JwtVerify, WrongKeyIsABadSignature) {
  EXPECT_EQ(error_of(sign(claims(), "another key entirely, also 32+ bytes")), JwtError::bad_signature);
}

TEST(JwtVerify, AlgNoneIsRefused) {
  // The classic forgery: {"alg":"none"} and an empty signature.
  const std::string payload = base64url_encode(payload_with(valid_times()));
  EXPECT_EQ(error_of(base64url_encode(R"({"alg":"none"})") + "." + payload + "."), JwtError::bad_algorithm);
  EXPECT_EQ(error_of(base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + payload + "."), JwtError::bad_algorithm);
  // Even carrying a MAC that would be valid.
  EXPECT_EQ(error_of(forge(R"({"alg":"none"})", payload_with(valid_times()))), JwtError::bad_algorithm);
}

TEST(JwtVerify, AnyAlgorithmButExactlyHs256IsRefused) {
  for (const char* header :
       {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"alg":"RS256"})",
        R"({"typ":"JWT"})", R"({"alg":256})", R"({"alg":null})", R"({"alg":["HS256"]})"}) {
    EXPECT_EQ(error_of(forge(header, payload_with(valid_times()))), JwtError::bad_algorithm) << header;
  }
}

TEST(JwtVerify, HeadersNamingKeysOrCriticalExtensionsAreRefused) {
  for (const char* header :
       {R"({"alg":"HS256","crit":["exp"]})", R"({"alg":"HS256","jku":"https://evil.example/jwks"})",
        R"({"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}})", R"({"alg":"HS256","x5u":"https://evil.example/c"})",
        R"({"alg":"HS256","x5c":["MIIB"]})"}) {
    EXPECT_EQ(error_of(forge(header, payload_with(valid_times()))), JwtError::bad_algorithm) << header;
  }
  // Harmless parameters are ignored.
  EXPECT_TRUE(verify(forge(R"({"alg":"HS256","kid":"2026-01"})", payload_with(valid_times())), kKey, kNow));
}

TEST(JwtVerify, DuplicateHeaderNamesAreMalformed) {
  EXPECT_EQ(error_of(forge(R"({"alg":"HS256","alg":"none"})", payload_with(valid_times()))), JwtError::malformed);
}

TEST(JwtVerify, ExpiryHasNoLeeway) {
  const std::string token = sign(claims(), kKey);  // exp = kNow + 900
  EXPECT_TRUE(verify(token, kKey, kNow + 899));
  EXPECT_EQ(error_of(token, kNow + 900), JwtError::expired);
  EXPECT_EQ(error_of(token, kNow + 100000), JwtError::expired);
}

TEST(JwtVerify, IssuedAtMayBeAtMostSixtySecondsAhead) {
  Claims c = claims();
  c.issued_at = kNow + 60;
  EXPECT_TRUE(verify(sign(c, kKey), kKey, kNow));
  c.issued_at = kNow + 61;
  EXPECT_EQ(error_of(sign(c, kKey)), JwtError::not_yet_valid);
  c.issued_at = std::numeric_limits<std::int64_t>::max();
  c.expires_at = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(error_of(sign(c, kKey)), JwtError::not_yet_valid);
}

TEST(JwtVerify, NotBeforeIsHonoured) {
  const std::string future = R"(,"nbf":)" + std::to_string(kNow + 61);
  EXPECT_EQ(error_of(forge(kHs256, payload_with(valid_times() + future))), JwtError::not_yet_valid);
  const std::string past = R"(,"nbf":)" + std::to_string(kNow - 1);
  EXPECT_TRUE(verify(forge(kHs256, payload_with(valid_times() + past)), kKey, kNow));
}

TEST(JwtVerify, ClaimsMustBePresentAndWellTyped) {
  const std::string times = valid_times();
  const std::string exp = R"("exp":)" + std::to_string(kNow + 900);
  const std::string iat = R"("iat":)" + std::to_string(kNow);
  for (const std::string& payload : {
           R"({"sub":"42","role":"labeler",)" + times + "}",  // no iss
           R"({"iss":"someone-else","sub":"42","role":"labeler",)" + times + "}",
           R"({"iss":"labelfleet","role":"labeler",)" + times + "}",           // no sub
           R"({"iss":"labelfleet","sub":"","role":"labeler",)" + times + "}",  // empty sub
           R"({"iss":"labelfleet","sub":42,"role":"labeler",)" + times + "}",
           R"({"iss":"labelfleet","sub":"42",)" + times + "}",  // no role
           payload_with(iat),                                   // no exp
           payload_with(exp),                                   // no iat
           payload_with(iat + R"(,"exp":"1767226500")"),
           payload_with(iat + R"(,"exp":1767226500.5)"),
           payload_with(times + R"(,"jti":7)"),
           payload_with(times + R"(,"nbf":"soon")"),
       }) {
    EXPECT_EQ(error_of(forge(kHs256, payload)), JwtError::bad_claims) << payload;
  }
}

TEST(JwtVerify, SignedButUnparseablePayloadIsMalformed) {
  EXPECT_EQ(error_of(forge(kHs256, "not json")), JwtError::malformed);
  EXPECT_EQ(error_of(forge(kHs256, "[1,2]")), JwtError::malformed);
}

TEST(JwtVerify, GarbageIsMalformed) {
  const std::string token = sign(claims(), kKey);
  for (const std::string& garbage : {
           std::string{},
           std::string{"garbage"},
           std::string{"a.b"},
           std::string{".."},
           std::string{"a.b.c.d"},
           std::string{"!!!.e30.e30"},                                        // header not base64url
           base64url_encode("not json") + ".e30.",                            // header not JSON
           base64url_encode(R"(["HS256"])") + ".e30.",                        // header not an object
           base64url_encode(R"({"alg":"HS256"} x)") + ".e30.",                // trailing bytes
           base64url_encode("{\"alg\":\"HS256\",\"x\":\"\xff\"}") + ".e30.",  // not UTF-8
           token + "." + "e30",                                               // four parts
           std::string(kJwtMaxBytes + 1, 'a'),
       }) {
    EXPECT_EQ(error_of(garbage), JwtError::malformed) << garbage;
  }
}

TEST(JwtVerify, EmptyKeyIsAProgrammingError) {
  EXPECT_THROW((void)sign(claims(), ""), std::invalid_argument);
  EXPECT_THROW((void)verify(sign(claims(), kKey), "", kNow), std::invalid_argument);
}

TEST(JwtErrors, HaveNames) {
  EXPECT_STREQ(to_string(JwtError::malformed), "malformed");
  EXPECT_STREQ(to_string(JwtError::bad_algorithm), "bad_algorithm");
  EXPECT_STREQ(to_string(JwtError::bad_signature), "bad_signature");
  EXPECT_STREQ(to_string(JwtError::expired), "expired");
  EXPECT_STREQ(to_string(JwtError::not_yet_valid), "not_yet_valid");
  EXPECT_STREQ(to_string(JwtError::bad_claims), "bad_claims");
}

}  // namespace
}  // namespace lf::adapters::auth
