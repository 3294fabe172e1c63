// Access and refresh tokens end to end: the server accepts exactly the HS256 tokens signed with
// its key for a live account, and nothing else (tampered payload or signature, alg none, another
// algorithm's label, expired, malformed Authorization); refresh tokens rotate on every use, a
// rotated one presented again revokes its whole session, logout ends it; login takes JSON and
// form encoding and does not tell a wrong password from an unknown email.
// One `labelfleet serve` (on its own database) serves the suite; the test signs its own tokens
// with the key the server generated into <run dir>/jwt.secret.
#include <algorithm>
#include <atomic>
#include <ctime>
#include <thread>

#include "adapters/auth/crypto.hpp"
#include "adapters/auth/jwt.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

namespace auth = lf::adapters::auth;

Headers with_cookie(const std::string& value) { return {{"Authorization", ""}, {"Cookie", "lf_refresh=" + value}}; }

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

struct Jwt {
  std::string header;     // base64url
  std::string payload;    // base64url
  std::string signature;  // base64url
  std::string str() const { return header + "." + payload + "." + signature; }
};

Jwt split(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  EXPECT_NE(b, std::string::npos) << token;
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::string b64(const std::string& json) { return auth::base64url_encode(json); }
std::string unb64(const std::string& part) {
  const auto d = auth::base64url_decode(part);
  EXPECT_TRUE(d.has_value()) << part;
  return d.value_or("");
}

// The HS256 MAC of header.payload under `key`, base64url: what a valid signature looks like.
std::string mac(const std::string& header, const std::string& payload, const std::string& key) {
  return auth::base64url_encode(auth::hmac_sha256(key, header + "." + payload));
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

class AuthTokens : public ServedSuite<AuthTokens> {
 public:
  static std::map<std::string, std::string> suite_env() { return {{"LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE", "1000"}}; }
  static void after_start() {
    std::ifstream in(shared_server->run_dir() + "/jwt.secret");
    std::getline(in, jwt_key);
    admin_id = int_member(parse_json(call(port(), "GET", "/api/auth/me").body), "id").value_or(0);
    viewer_email = "tokens-viewer-" + unique_suffix() + "@e2e.local";
    const auto r = call(
        port(), "POST", "/api/users",
        R"({"email":")" + viewer_email + R"(","displayName":"Viewer","password":"viewer-password-1","role":"viewer"})");
    viewer_id = int_member(parse_json(r.body), "id").value_or(0);
  }

 protected:
  void SetUp() override {
    ServedSuite::SetUp();
    if (suite_setup_failed()) {
      return;
    }
    ASSERT_GE(jwt_key.size(), 32U) << "no key in " << shared_server->run_dir() << "/jwt.secret";
    ASSERT_GT(admin_id, 0);
    ASSERT_GT(viewer_id, 0);
  }

  static HttpResult login(const std::string& email, const std::string& password) {
    return call(port(), "POST", "/api/auth/login",
                R"({"email":)" + json_quote(email) + R"(,"password":)" + json_quote(password) + "}", kNoCredential);
  }
  static std::string viewer_token() {
    const auto r = login(viewer_email, "viewer-password-1");
    EXPECT_EQ(r.status, 200) << r.body;
    return string_member(parse_json(r.body), "access_token").value_or("");
  }
  static std::string signed_token(std::int64_t subject, const std::string& role, std::int64_t iat, std::int64_t exp) {
    return auth::sign({std::to_string(subject), role, iat, exp, "e2e-" + unique_suffix()}, jwt_key);
  }

  static void expect_unauthorized(const HttpResult& r, const std::string& what) {
    expect_error(r, 401, what);
    EXPECT_EQ(r.header("www-authenticate").rfind("Bearer", 0), 0U)
        << what << ": WWW-Authenticate '" << r.header("www-authenticate") << "'";
  }
  // The token must open nothing: not a read, not an admin read.
  static void expect_refused_everywhere(const std::string& token, const std::string& what) {
    expect_unauthorized(call(port(), "GET", "/api/auth/me", "", bearer(token)), what + " on /api/auth/me");
    expect_unauthorized(call(port(), "GET", "/api/users", "", bearer(token)), what + " on /api/users");
  }

  static std::vector<std::string> session_events(const std::string& session_id) {
    std::vector<std::string> out;
    for (const auto& row : query_rows(url(),
                                      "SELECT event_type || coalesce(':' || (data->>'reason'), '') FROM events "
                                      "WHERE stream_id = " +
                                          sql_text("session-" + session_id) + " ORDER BY stream_version")) {
      out.push_back(row[0]);
    }
    return out;
  }

  inline static std::string jwt_key;
  inline static std::int64_t admin_id = 0;
  inline static std::int64_t viewer_id = 0;
  inline static std::string viewer_email;
};

// ---------------------------------------------------------------------------------------
// Access tokens

// The control for everything below: the test signs tokens exactly as the server does, so
// each refusal is about the one thing the test changed.
TEST_F(AuthTokens, ATokenSignedWithTheServersKeyIsAccepted) {
  const auto now = now_seconds();
  const auto viewer = signed_token(viewer_id, "viewer", now, now + 300);
  const auto me = call(port(), "GET", "/api/auth/me", "", bearer(viewer));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(int_member(parse_json(me.body), "id"), viewer_id);
  EXPECT_EQ(string_member(parse_json(me.body), "role"), "viewer");
  expect_error(call(port(), "GET", "/api/users", "", bearer(viewer)), 403, "self-signed viewer token on /api/users");

  const auto admin = signed_token(admin_id, "admin", now, now + 300);
  EXPECT_EQ(call(port(), "GET", "/api/users", "", bearer(admin)).status, 200);

  // Built by hand, part by part, the same way the tampering tests below build theirs.
  const auto header = b64(R"({"alg":"HS256","typ":"JWT"})");
  const auto payload =
      b64(R"({"iss":"labelfleet","sub":")" + std::to_string(viewer_id) + R"(","role":"viewer","iat":)" +
          std::to_string(now) + R"(,"exp":)" + std::to_string(now + 300) + R"(,"jti":"by-hand"})");
  EXPECT_EQ(
      call(port(), "GET", "/api/auth/me", "", bearer(header + "." + payload + "." + mac(header, payload, jwt_key)))
          .status,
      200);
  // And the server's own token has the documented shape.
  const auto issued = split(viewer_token());
  EXPECT_EQ(unb64(issued.header), R"({"alg":"HS256","typ":"JWT"})");
  const auto claims = parse_json(unb64(issued.payload));
  EXPECT_EQ(string_member(claims, "sub"), std::to_string(viewer_id));
  EXPECT_EQ(string_member(claims, "role"), "viewer");
  EXPECT_EQ(string_member(claims, "iss"), "labelfleet");
}

TEST_F(AuthTokens, TheGeneratedKeyFileIsReadableByItsOwnerOnly) {
  namespace fs = std::filesystem;
  const auto perms = fs::status(shared_server->run_dir() + "/jwt.secret").permissions();
  EXPECT_EQ(perms & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write)
      << "jwt.secret mode " << std::oct << static_cast<unsigned>(perms & fs::perms::all);
  EXPECT_EQ(jwt_key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << "one line of base64url";
}

TEST_F(AuthTokens, TamperedPayloadIsRefused) {
  const auto token = viewer_token();
  ASSERT_EQ(call(port(), "GET", "/api/auth/me", "", bearer(token)).status, 200);
  const auto parts = split(token);
  const auto payload = unb64(parts.payload);
  ASSERT_NE(payload.find(R"("role":"viewer")"), std::string::npos) << payload;

  // role viewer -> admin, signature kept.
  const auto as_admin = replace_all(payload, R"("role":"viewer")", R"("role":"admin")");
  expect_refused_everywhere(Jwt{parts.header, b64(as_admin), parts.signature}.str(), "role changed to admin");
  // And the subject changed to the admin's account as well.
  const auto as_admin_account = replace_all(as_admin, R"("sub":")" + std::to_string(viewer_id) + "\"",
                                            R"("sub":")" + std::to_string(admin_id) + "\"");
  ASSERT_NE(as_admin_account, as_admin);
  expect_refused_everywhere(Jwt{parts.header, b64(as_admin_account), parts.signature}.str(),
                            "subject changed to admin");
  // A later expiry.
  const auto longer = replace_all(payload, R"("exp":)", R"("exp":9)");
  expect_refused_everywhere(Jwt{parts.header, b64(longer), parts.signature}.str(), "exp extended");
}

TEST_F(AuthTokens, TamperedSignatureIsRefused) {
  const auto token = viewer_token();
  ASSERT_EQ(call(port(), "GET", "/api/auth/me", "", bearer(token)).status, 200);
  auto parts = split(token);
  auto flipped = parts;
  flipped.signature[5] = flipped.signature[5] == 'A' ? 'B' : 'A';
  expect_refused_everywhere(flipped.str(), "one signature character changed");
  auto empty = parts;
  empty.signature.clear();
  expect_refused_everywhere(empty.str(), "empty signature");
  auto shorter = parts;
  shorter.signature.pop_back();
  expect_refused_everywhere(shorter.str(), "truncated signature");
  // Signed correctly, but with another key.
  const auto now = now_seconds();
  expect_refused_everywhere(
      auth::sign({std::to_string(viewer_id), "viewer", now, now + 300, "x"}, std::string(48, 'k')),
      "signed with another key");
}

TEST_F(AuthTokens, AlgNoneIsRefused) {
  const auto now = now_seconds();
  const auto payload = b64(R"({"iss":"labelfleet","sub":")" + std::to_string(admin_id) + R"(","role":"admin","iat":)" +
                           std::to_string(now) + R"(,"exp":)" + std::to_string(now + 300) + R"(,"jti":"none"})");
  for (const std::string header_json :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None","typ":"JWT"})", R"({"alg":"NONE"})", R"({"typ":"JWT"})"}) {
    const auto header = b64(header_json);
    expect_refused_everywhere(Jwt{header, payload, ""}.str(), std::string("unsigned, header ").append(header_json));
    // Even with a valid HS256 MAC attached, the header's alg decides nothing.
    expect_refused_everywhere(Jwt{header, payload, mac(header, payload, jwt_key)}.str(),
                              std::string("header ").append(header_json).append(" with a valid MAC"));
  }
}

TEST_F(AuthTokens, OtherAlgorithmLabelsAreRefused) {
  const auto now = now_seconds();
  const auto payload =
      b64(R"({"iss":"labelfleet","sub":")" + std::to_string(viewer_id) + R"(","role":"viewer","iat":)" +
          std::to_string(now) + R"(,"exp":)" + std::to_string(now + 300) + R"(,"jti":"alg"})");
  // The MAC is the right HS256 MAC under the server's key: only the label differs from a
  // token the server accepts.
  for (const std::string header_json :
       {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"HS384","typ":"JWT"})", R"({"alg":"hs256","typ":"JWT"})",
        R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"HS256","typ":"JWT","jwk":{"kty":"oct","k":"a2V5"}})"}) {
    const auto header = b64(header_json);
    expect_refused_everywhere(Jwt{header, payload, mac(header, payload, jwt_key)}.str(),
                              std::string("header ").append(header_json));
  }
}

TEST_F(AuthTokens, ExpiredTokenIsRefusedAsExpired) {
  const auto now = now_seconds();
  const auto token = signed_token(viewer_id, "viewer", now - 1000, now - 10);
  const auto r = call(port(), "GET", "/api/auth/me", "", bearer(token));
  expect_unauthorized(r, "expired token");
  const auto message = string_member(parse_json(r.body), "error").value_or("");
  EXPECT_NE(message.find("expired"), std::string::npos) << "the refusal should say the token expired: " << r.body;
  // exp == now is already expired.
  expect_unauthorized(
      call(port(), "GET", "/api/auth/me", "", bearer(signed_token(viewer_id, "viewer", now - 100, now))),
      "token expiring now");
  // Issued in the future (beyond clock skew) is not valid yet.
  expect_unauthorized(
      call(port(), "GET", "/api/auth/me", "", bearer(signed_token(viewer_id, "viewer", now + 3600, now + 7200))),
      "token issued an hour from now");
}

TEST_F(AuthTokens, ValidlySignedTokenForNoAccountIsRefused) {
  const auto now = now_seconds();
  expect_refused_everywhere(signed_token(999999, "admin", now, now + 300), "token for a user that does not exist");
  expect_refused_everywhere(signed_token(0, "admin", now, now + 300), "token for user 0");
}

TEST_F(AuthTokens, MalformedAuthorizationIsRefused) {
  const auto token = viewer_token();
  for (const auto& value :
       {std::string("Bearer"), std::string("Bearer "), std::string("Basic x"), std::string("Basic ") + token,
        std::string("garbage"), std::string("Bearer garbage"), std::string("Bearer a.b.c"), std::string("Bearer ..."),
        "Bearer " + token + ".extra", "Bearer " + token + " trailing", token}) {
    expect_unauthorized(call(port(), "GET", "/api/auth/me", "", {{"Authorization", value}}),
                        "Authorization: " + value.substr(0, 40));
  }
  // The scheme is case-insensitive (RFC 7235).
  EXPECT_EQ(call(port(), "GET", "/api/auth/me", "", {{"Authorization", "bearer " + token}}).status, 200);
}

// ---------------------------------------------------------------------------------------
// Refresh tokens

TEST_F(AuthTokens, LoginSetsTheRefreshCookieAndRefreshRotatesIt) {
  const auto login_r = login(viewer_email, "viewer-password-1");
  ASSERT_EQ(login_r.status, 200) << login_r.body;
  const auto body = parse_json(login_r.body);
  EXPECT_EQ(string_member(body, "token_type"), "bearer") << login_r.body;
  EXPECT_GT(int_member(body, "expires_in").value_or(0), 0) << login_r.body;
  const auto cookie = login_r.header("set-cookie");
  EXPECT_NE(cookie.find("; Path=/api/auth"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  const auto first = refresh_cookie_value(login_r);
  ASSERT_GT(first.size(), 37U) << cookie;
  EXPECT_EQ(first[36], '.') << "<session uuid>.<random>: " << first;
  EXPECT_EQ(login_r.body.find(first), std::string::npos) << "the refresh token belongs in the cookie, not the body";

  const auto refreshed = call(port(), "POST", "/api/auth/refresh", "", with_cookie(first));
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto second = refresh_cookie_value(refreshed);
  ASSERT_FALSE(second.empty()) << refreshed.header("set-cookie");
  EXPECT_NE(second, first) << "refresh must rotate the token";
  EXPECT_EQ(second.substr(0, 36), first.substr(0, 36)) << "same session";
  EXPECT_EQ(refreshed.body.find(second), std::string::npos);
  const auto access = string_member(parse_json(refreshed.body), "access_token").value_or("");
  const auto me = call(port(), "GET", "/api/auth/me", "", bearer(access));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(int_member(parse_json(me.body), "id"), viewer_id);

  // The JSON body form, for clients without cookies.
  const auto third_r =
      call(port(), "POST", "/api/auth/refresh", R"({"refresh_token":)" + json_quote(second) + "}", kNoCredential);
  ASSERT_EQ(third_r.status, 200) << third_r.body;
  const auto third = refresh_cookie_value(third_r);
  EXPECT_NE(third, second);
  EXPECT_EQ(session_events(first.substr(0, 36)),
            (std::vector<std::string>{"session.started", "session.refreshed", "session.refreshed"}));
}

TEST_F(AuthTokens, ReusingARotatedRefreshTokenRevokesTheWholeSession) {
  const auto login_r = login(viewer_email, "viewer-password-1");
  ASSERT_EQ(login_r.status, 200) << login_r.body;
  const auto old_value = refresh_cookie_value(login_r);
  const auto session = old_value.substr(0, 36);
  const auto refreshed = call(port(), "POST", "/api/auth/refresh", "", with_cookie(old_value));
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto new_value = refresh_cookie_value(refreshed);
  ASSERT_NE(new_value, old_value);

  const auto reused = call(port(), "POST", "/api/auth/refresh", "", with_cookie(old_value));
  expect_error(reused, 401, "the rotated token presented again");
  EXPECT_FALSE(string_member(parse_json(reused.body), "access_token").has_value());
  EXPECT_TRUE(refresh_cookie_value(reused).empty()) << "the refusal clears the cookie: " << reused.header("set-cookie");

  const auto family = call(port(), "POST", "/api/auth/refresh", "", with_cookie(new_value));
  expect_error(family, 401, "the newest token of a revoked session");

  const auto events = session_events(session);
  EXPECT_EQ(events, (std::vector<std::string>{"session.started", "session.refreshed", "session.refresh_reuse_detected",
                                              "session.revoked:refresh_reuse"}));
  // A later logout with it does not bring it back either.
  expect_error(call(port(), "POST", "/api/auth/logout", "", with_cookie(new_value)), 401,
               "logout of a revoked session");
}

TEST_F(AuthTokens, ConcurrentRefreshesWithOneTokenGrantAtMostOneAndRevokeTheSession) {
  const auto login_r = login(viewer_email, "viewer-password-1");
  ASSERT_EQ(login_r.status, 200) << login_r.body;
  const auto value = refresh_cookie_value(login_r);
  constexpr int kRacers = 8;
  std::vector<HttpResult> results(kRacers);
  std::atomic<int> ready{0};
  std::vector<std::thread> racers;
  racers.reserve(kRacers);
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kRacers) {
        std::this_thread::yield();
      }
      results[i] = lf::testing::http(port(), "POST", "/api/auth/refresh", "", with_cookie(value));
    });
  }
  for (auto& t : racers) {
    t.join();
  }
  int granted = 0;
  std::string winner;
  for (const auto& r : results) {
    if (r.status == 200) {
      ++granted;
      winner = refresh_cookie_value(r);
    } else {
      EXPECT_EQ(r.status, 401) << r.body;
    }
  }
  EXPECT_LE(granted, 1) << "one refresh token must not be exchanged twice";
  const auto events = session_events(value.substr(0, 36));
  EXPECT_LE(std::count(events.begin(), events.end(), "session.refreshed"), 1);
  if (granted == 1) {
    // The others presented a token the family had rotated: reuse, the session is revoked.
    EXPECT_EQ(events, (std::vector<std::string>{"session.started", "session.refreshed",
                                                "session.refresh_reuse_detected", "session.revoked:refresh_reuse"}));
    expect_error(call(port(), "POST", "/api/auth/refresh", "", with_cookie(winner)), 401,
                 "the winner's token after the session was revoked");
  }
}

TEST_F(AuthTokens, LoginFollowsAnEmailChangeAtOnce) {
  const auto before = "Tokens.Rename-" + unique_suffix() + "@E2E.local";
  const auto created = call(port(), "POST", "/api/users",
                            R"({"email":")" + before + R"(","displayName":"Rename","password":"rename-password-1"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = int_member(parse_json(created.body), "id").value_or(0);
  // Emails compare case-insensitively.
  std::string lowered = before;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(login(lowered, "rename-password-1").status, 200);
  EXPECT_EQ(login(before, "rename-password-1").status, 200);

  const auto after = "tokens-renamed-" + unique_suffix() + "@e2e.local";
  ASSERT_EQ(call(port(), "PUT", "/api/users/" + std::to_string(id), R"({"email":")" + after + R"("})").status, 200);
  EXPECT_EQ(login(after, "rename-password-1").status, 200) << "the new email logs in right away";
  expect_error(login(before, "rename-password-1"), 401, "the old email after the change");
}

TEST_F(AuthTokens, LogoutEndsTheSession) {
  const auto login_r = login(viewer_email, "viewer-password-1");
  ASSERT_EQ(login_r.status, 200) << login_r.body;
  const auto value = refresh_cookie_value(login_r);
  const auto out = call(port(), "POST", "/api/auth/logout", "", with_cookie(value));
  ASSERT_EQ(out.status, 200) << out.body;
  const auto cleared = out.header("set-cookie");
  EXPECT_EQ(cleared.rfind("lf_refresh=;", 0), 0U) << "logout clears the cookie: " << cleared;
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;

  expect_error(call(port(), "POST", "/api/auth/refresh", "", with_cookie(value)), 401, "refresh after logout");
  expect_error(
      call(port(), "POST", "/api/auth/refresh", R"({"refresh_token":)" + json_quote(value) + "}", kNoCredential), 401,
      "refresh after logout, JSON form");
  EXPECT_EQ(session_events(value.substr(0, 36)),
            (std::vector<std::string>{"session.started", "session.revoked:logout"}));
}

TEST_F(AuthTokens, GarbageRefreshTokensAreRefused) {
  for (const auto& value : {std::string("x"), std::string(36, 'a') + ".b", std::string("not-a-token.at-all"),
                            std::string("00000000-0000-0000-0000-000000000000.") + std::string(43, 'A')}) {
    expect_error(call(port(), "POST", "/api/auth/refresh", "", with_cookie(value)), 401, "refresh with " + value);
  }
  expect_error(call(port(), "POST", "/api/auth/refresh", "", kNoCredential), 401, "refresh with nothing");
}

// ---------------------------------------------------------------------------------------
// Login

TEST_F(AuthTokens, LoginWorksWithFormEncoding) {
  // A password with every character form encoding has to escape.
  const std::string password = "f&rm+p%ss w=rd?#1";
  const auto email = "tokens-form-" + unique_suffix() + "@e2e.local";
  ASSERT_EQ(call(port(), "POST", "/api/users",
                 R"({"email":")" + email + R"(","displayName":"Form","password":)" + json_quote(password) + "}")
                .status,
            201);
  const std::string encoded_password = "f%26rm%2Bp%25ss+w%3Drd%3F%231";
  const auto r = call(port(), "POST", "/api/auth/login",
                      "email=" + replace_all(email, "@", "%40") + "&password=" + encoded_password,
                      {{"Authorization", ""}, {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto token = string_member(parse_json(r.body), "access_token").value_or("");
  EXPECT_EQ(call(port(), "GET", "/api/auth/me", "", bearer(token)).status, 200);
  EXPECT_FALSE(refresh_cookie_value(r).empty());

  const auto wrong = call(port(), "POST", "/api/auth/login", "email=" + email + "&password=f%26rm",
                          {{"Authorization", ""}, {"Content-Type", "application/x-www-form-urlencoded"}});
  expect_error(wrong, 401, "form login with a wrong password");
}

TEST_F(AuthTokens, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  const auto wrong = login(viewer_email, "not-the-password");
  expect_error(wrong, 401, "wrong password");
  EXPECT_EQ(string_member(parse_json(wrong.body), "error"), "Invalid email or password") << wrong.body;
  EXPECT_TRUE(wrong.header("set-cookie").empty()) << wrong.header("set-cookie");

  const auto unknown_email = "tokens-nobody-" + unique_suffix() + "@e2e.local";
  const auto unknown = login(unknown_email, "not-the-password");
  expect_error(unknown, 401, "unknown email");
  EXPECT_EQ(unknown.body, wrong.body) << "the answers must not tell the two cases apart";
  EXPECT_TRUE(unknown.header("set-cookie").empty());

  EXPECT_GE(query_int(url(),
                      "SELECT count(*) FROM events WHERE event_type = 'auth.login_failed' AND "
                      "stream_id LIKE 'auth-audit-%' AND data->>'reason' = 'wrong_password' AND data->>'email' = " +
                          sql_text(viewer_email)),
            1);
  EXPECT_EQ(query_int(url(),
                      "SELECT count(*) FROM events WHERE event_type = 'auth.login_failed' AND "
                      "stream_id LIKE 'auth-audit-%' AND data->>'reason' = 'unknown_user' AND data->>'email' = " +
                          sql_text(unknown_email)),
            1);
  EXPECT_EQ(query_int(url(), "SELECT count(*) FROM events WHERE data::text LIKE '%not-the-password%'"), 0)
      << "the password tried is never recorded";
  // The right password still works (the failures did not lock the account).
  EXPECT_EQ(login(viewer_email, "viewer-password-1").status, 200);
  EXPECT_GE(query_int(url(),
                      "SELECT count(*) FROM events WHERE event_type = 'auth.login_succeeded' AND "
                      "data->>'email' = " +
                          sql_text(viewer_email)),
            1);
}

}  // namespace
}  // namespace lf::e2e
