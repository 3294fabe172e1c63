// Who may do what, end to end: the door (adapters/auth/gate.cpp) in front of every route of the
// built binary. No credential -> 401 with WWW-Authenticate; a viewer reads roles, settings and
// /api/auth/me and writes nothing (403), and may not even read users or API keys; an admin
// may do everything; API keys act with their role; revoking a key, disabling or deleting a
// user cuts the access of credentials already issued at once.
// One `labelfleet serve` (on its own database) serves the suite.
#include <ctime>

#include "adapters/auth/jwt.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

Headers api_key(const std::string& key) { return {{"Authorization", "Token " + key}}; }

struct Route {
  std::string method;
  std::string path;
  std::string body;
  std::string label() const { return method + " " + path; }
};

// The targets a table of routes points at (they exist when the table is used).
struct Targets {
  std::int64_t role_id = 0;
  std::string setting_key;
  std::int64_t user_id = 0;
  std::int64_t key_id = 0;
};

std::vector<Route> read_routes(const Targets& t) {
  return {{"GET", "/api/roles", ""},
          {"GET", "/api/roles/" + std::to_string(t.role_id), ""},
          {"GET", "/api/settings", ""},
          {"GET", "/api/settings/" + t.setting_key, ""},
          {"GET", "/api/auth/me", ""}};
}

std::vector<Route> admin_reads(const Targets& t) {
  return {
      {"GET", "/api/users", ""}, {"GET", "/api/users/" + std::to_string(t.user_id), ""}, {"GET", "/api/api-keys", ""}};
}

// Every write, each with a body that an admin would get through (so that a refusal is the
// door's doing, not validation's). Order matters for the admin: deletions come last.
std::vector<Route> writes(const Targets& t) {
  const auto u = unique_suffix();
  return {
      {"POST", "/api/roles", R"({"name":"door-role-)" + u + R"("})"},
      {"PUT", "/api/roles/" + std::to_string(t.role_id), R"({"description":"changed by )" + u + R"("})"},
      {"PUT", "/api/settings/" + t.setting_key, R"({"value":{"changed":")" + u + R"("}})"},
      {"POST", "/api/users",
       R"({"email":"door-new-)" + u + R"(@e2e.local","displayName":"New","password":"door-new-pw-1","role":"viewer"})"},
      {"PUT", "/api/users/" + std::to_string(t.user_id), R"({"displayName":"Renamed )" + u + R"("})"},
      {"POST", "/api/api-keys", R"({"name":"door-key-)" + u + R"(","role":"viewer"})"},
      {"DELETE", "/api/api-keys/" + std::to_string(t.key_id), ""},
      {"DELETE", "/api/roles/" + std::to_string(t.role_id), ""},
      {"DELETE", "/api/users/" + std::to_string(t.user_id), ""}};
}

class AuthDoor : public ServedSuite<AuthDoor> {
 public:
  // Many logins from 127.0.0.1 in one minute: the login throttle is another suite's subject.
  static std::map<std::string, std::string> suite_env() { return {{"LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE", "1000"}}; }
  static void after_start() {
    fixture_targets = make_targets("fixture");
    const auto email = "door-viewer-" + unique_suffix() + "@e2e.local";
    viewer_id = create_user(email, "viewer-password-1", "viewer");
    viewer_token = shared_server->login(email, "viewer-password-1");
  }

 protected:
  void SetUp() override {
    ServedSuite::SetUp();
    if (suite_setup_failed()) {
      return;
    }
    ASSERT_GT(viewer_id, 0);
    ASSERT_FALSE(viewer_token.empty()) << "the viewer could not log in";
  }

  static HttpResult send(const Route& r, const Headers& h = {}) { return call(port(), r.method, r.path, r.body, h); }

  // Creates a user as the admin; its id (0 and a failure when refused).
  static std::int64_t create_user(const std::string& email, const std::string& password, const std::string& role) {
    const auto r = call(port(), "POST", "/api/users",
                        R"({"email":)" + json_quote(email) + R"(,"displayName":"Door test","password":)" +
                            json_quote(password) + R"(,"role":")" + role + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    return int_member(parse_json(r.body), "id").value_or(0);
  }

  // Creates an API key as the admin: {id, key}.
  static std::pair<std::int64_t, std::string> create_key(const std::string& role) {
    const auto r =
        call(port(), "POST", "/api/api-keys", R"({"name":"door-)" + unique_suffix() + R"(","role":")" + role + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    const auto d = parse_json(r.body);
    return {int_member(d, "id").value_or(0), string_member(d, "key").value_or("")};
  }

  // A role, a setting, a user and an API key for a table of routes to point at.
  static Targets make_targets(const std::string& tag) {
    Targets t;
    const auto u = unique_suffix();
    const auto role = call(port(), "POST", "/api/roles", R"({"name":"door-)" + tag + "-" + u + R"("})");
    EXPECT_EQ(role.status, 201) << role.body;
    t.role_id = int_member(parse_json(role.body), "id").value_or(0);
    t.setting_key = "door." + tag + "." + u;
    const auto setting = call(port(), "PUT", "/api/settings/" + t.setting_key, R"({"value":1})");
    EXPECT_EQ(setting.status, 200) << setting.body;
    t.user_id = create_user("door-target-" + tag + "-" + u + "@e2e.local", "target-password-1", "viewer");
    t.key_id = create_key("viewer").first;
    EXPECT_TRUE(t.role_id > 0 && t.user_id > 0 && t.key_id > 0);
    return t;
  }

  // 401 in the contract's error shape, with a Bearer challenge.
  static void expect_unauthorized(const HttpResult& r, const std::string& what) {
    expect_error(r, 401, what);
    const auto challenge = r.header("www-authenticate");
    EXPECT_FALSE(challenge.empty()) << what << ": 401 without WWW-Authenticate";
    EXPECT_EQ(challenge.rfind("Bearer", 0), 0U) << what << ": WWW-Authenticate " << challenge;
  }

  inline static Targets fixture_targets;
  inline static std::int64_t viewer_id = 0;
  inline static std::string viewer_token;
};

// ---------------------------------------------------------------------------------------
// No credential

TEST_F(AuthDoor, NoCredentialIsRefusedWith401OnEveryProtectedRouteAndChangesNothing) {
  std::vector<Route> all = read_routes(fixture_targets);
  for (auto& r : admin_reads(fixture_targets)) {
    all.push_back(r);
  }
  for (auto& r : writes(fixture_targets)) {
    all.push_back(r);
  }
  const auto events_before = event_count(url());
  for (const auto& route : all) {
    const auto r = send(route, kNoCredential);
    expect_unauthorized(r, route.label() + " without credential");
    EXPECT_TRUE(r.header("x-ratelimit-limit").empty()) << route.label() << ": an anonymous call has no rate budget";
  }
  EXPECT_EQ(event_count(url()), events_before) << "a refused call must not write anything";
  // The targets are untouched.
  EXPECT_EQ(call(port(), "GET", "/api/roles/" + std::to_string(fixture_targets.role_id)).status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/users/" + std::to_string(fixture_targets.user_id)).status, 200);
}

TEST_F(AuthDoor, AnEmptyOrUnknownSchemeIsNoCredential) {
  for (const std::string value : {"Basic YWRtaW46cGFzcw==", "Bearer", "Token", "garbage", "Bearer not.a.jwt"}) {
    const auto r = call(port(), "GET", "/api/roles", "", {{"Authorization", value}});
    expect_unauthorized(r, "Authorization: " + value);
  }
}

TEST_F(AuthDoor, OpenEndpointsAnswerWithoutCredential) {
  EXPECT_EQ(call(port(), "GET", "/api/health", "", kNoCredential).status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/version", "", kNoCredential).status, 200);
  EXPECT_EQ(call(port(), "GET", "/metrics", "", kNoCredential).status, 200);

  // The login route is reached (it judges the credentials, not the door).
  const auto bad = call(port(), "POST", "/api/auth/login",
                        R"({"email":"nobody@e2e.local","password":"not-the-password"})", kNoCredential);
  expect_error(bad, 401, "login with unknown email");
  EXPECT_EQ(string_member(parse_json(bad.body), "error"), "Invalid email or password") << bad.body;

  const auto login = call(port(), "POST", "/api/auth/login",
                          R"({"email":")" + std::string(LabelfleetProcess::kAdminEmail) + R"(","password":")" +
                              LabelfleetProcess::kAdminPassword + R"("})",
                          kNoCredential);
  ASSERT_EQ(login.status, 200) << login.body;
  const auto cookie = refresh_cookie_value(login);
  ASSERT_FALSE(cookie.empty()) << login.header("set-cookie");

  const auto refreshed =
      call(port(), "POST", "/api/auth/refresh", "", {{"Authorization", ""}, {"Cookie", "lf_refresh=" + cookie}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto next = refresh_cookie_value(refreshed);
  ASSERT_FALSE(next.empty());

  const auto out =
      call(port(), "POST", "/api/auth/logout", "", {{"Authorization", ""}, {"Cookie", "lf_refresh=" + next}});
  EXPECT_EQ(out.status, 200) << out.body;
}

// ---------------------------------------------------------------------------------------
// Viewer

TEST_F(AuthDoor, ViewerReadsRolesSettingsAndMe) {
  for (const auto& route : read_routes(fixture_targets)) {
    const auto r = send(route, bearer(viewer_token));
    EXPECT_EQ(r.status, 200) << route.label() << " as viewer: " << r.body;
  }
  const auto me = call(port(), "GET", "/api/auth/me", "", bearer(viewer_token));
  ASSERT_EQ(me.status, 200) << me.body;
  const auto d = parse_json(me.body);
  EXPECT_EQ(string_member(d, "kind"), "user") << me.body;
  EXPECT_EQ(int_member(d, "id"), viewer_id) << me.body;
  EXPECT_EQ(string_member(d, "role"), "viewer") << me.body;
}

TEST_F(AuthDoor, ViewerMayNotReadUsersOrApiKeys) {
  for (const auto& route : admin_reads(fixture_targets)) {
    const auto r = send(route, bearer(viewer_token));
    expect_error(r, 403, route.label() + " as viewer");
  }
}

TEST_F(AuthDoor, ViewerWritesNothing) {
  const auto events_before = event_count(url());
  for (const auto& route : writes(fixture_targets)) {
    const auto r = send(route, bearer(viewer_token));
    expect_error(r, 403, route.label() + " as viewer");
  }
  EXPECT_EQ(event_count(url()), events_before) << "a refused write must not reach the log";
  // Deleting its own account is a write too.
  expect_error(call(port(), "DELETE", "/api/users/" + std::to_string(viewer_id), "", bearer(viewer_token)), 403,
               "viewer deleting itself");
  EXPECT_EQ(call(port(), "GET", "/api/roles/" + std::to_string(fixture_targets.role_id)).status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/users/" + std::to_string(viewer_id)).status, 200);
}

// ---------------------------------------------------------------------------------------
// Admin

TEST_F(AuthDoor, AdminMayDoEverything) {
  const auto t = make_targets("admin");
  for (const auto& route : read_routes(t)) {
    const auto r = send(route);
    EXPECT_EQ(r.status, 200) << route.label() << " as admin: " << r.body;
  }
  for (const auto& route : admin_reads(t)) {
    const auto r = send(route);
    EXPECT_EQ(r.status, 200) << route.label() << " as admin: " << r.body;
  }
  for (const auto& route : writes(t)) {
    const auto r = send(route);
    EXPECT_GE(r.status, 200) << route.label() << " as admin: " << r.body;
    EXPECT_LT(r.status, 300) << route.label() << " as admin: " << r.body;
  }
  const auto me = parse_json(call(port(), "GET", "/api/auth/me").body);
  EXPECT_EQ(string_member(me, "role"), "admin");
  EXPECT_EQ(string_member(me, "kind"), "user");
}

TEST_F(AuthDoor, AdminMayNotDeleteItsOwnAccount) {
  const auto me = parse_json(call(port(), "GET", "/api/auth/me").body);
  const auto id = int_member(me, "id").value_or(0);
  ASSERT_GT(id, 0);
  expect_error(call(port(), "DELETE", "/api/users/" + std::to_string(id)), 409, "admin deleting itself");
  EXPECT_EQ(call(port(), "GET", "/api/auth/me").status, 200);
}

// A refusal by the door after the caller was identified (403) spends one request of the
// caller's budget, so it reports the budget like any other answer (docs/adr/0006: "every
// answer gets X-RateLimit-Limit ... and X-RateLimit-Remaining").
TEST_F(AuthDoor, AForbiddenAnswerReportsTheCallersRateBudget) {
  const auto before = call(port(), "GET", "/api/auth/me", "", bearer(viewer_token));
  ASSERT_EQ(before.status, 200) << before.body;
  const auto limit = before.header("x-ratelimit-limit");
  ASSERT_FALSE(limit.empty());
  const auto remaining = std::stol(before.header("x-ratelimit-remaining"));
  const auto forbidden =
      call(port(), "POST", "/api/roles", R"({"name":"budget-)" + unique_suffix() + R"("})", bearer(viewer_token));
  expect_error(forbidden, 403, "viewer write");
  EXPECT_EQ(forbidden.header("x-ratelimit-limit"), limit) << "403 without X-RateLimit-Limit";
  EXPECT_EQ(forbidden.header("x-ratelimit-remaining"), std::to_string(remaining - 1))
      << "403 without X-RateLimit-Remaining (the refused call was counted)";
  const auto after = call(port(), "GET", "/api/auth/me", "", bearer(viewer_token));
  EXPECT_EQ(after.header("x-ratelimit-remaining"), std::to_string(remaining - 2)) << "the 403 spent one request";
}

// ---------------------------------------------------------------------------------------
// API keys

TEST_F(AuthDoor, ViewerApiKeyBehavesLikeAViewer) {
  const auto [id, key] = create_key("viewer");
  ASSERT_FALSE(key.empty());
  for (const auto& route : read_routes(fixture_targets)) {
    const auto r = send(route, api_key(key));
    EXPECT_EQ(r.status, 200) << route.label() << " with a viewer key: " << r.body;
  }
  for (const auto& route : admin_reads(fixture_targets)) {
    expect_error(send(route, api_key(key)), 403, route.label() + " with a viewer key");
  }
  const auto events_before = event_count(url());
  for (const auto& route : writes(fixture_targets)) {
    expect_error(send(route, api_key(key)), 403, route.label() + " with a viewer key");
  }
  EXPECT_EQ(event_count(url()), events_before);
  const auto me = call(port(), "GET", "/api/auth/me", "", api_key(key));
  ASSERT_EQ(me.status, 200) << me.body;
  const auto d = parse_json(me.body);
  EXPECT_EQ(string_member(d, "kind"), "api_key") << me.body;
  EXPECT_EQ(int_member(d, "id"), id) << me.body;
  EXPECT_EQ(string_member(d, "role"), "viewer") << me.body;
}

TEST_F(AuthDoor, AdminApiKeyBehavesLikeAnAdmin) {
  const auto [id, key] = create_key("admin");
  ASSERT_FALSE(key.empty());
  const auto t = make_targets("adminkey");
  for (const auto& route : admin_reads(t)) {
    const auto r = send(route, api_key(key));
    EXPECT_EQ(r.status, 200) << route.label() << " with an admin key: " << r.body;
  }
  for (const auto& route : writes(t)) {
    const auto r = send(route, api_key(key));
    EXPECT_TRUE(r.status >= 200 && r.status < 300)
        << route.label() << " with an admin key: " << r.status << " " << r.body;
  }
  const auto me = parse_json(call(port(), "GET", "/api/auth/me", "", api_key(key)).body);
  EXPECT_EQ(string_member(me, "kind"), "api_key");
  EXPECT_EQ(int_member(me, "id"), id);
  EXPECT_EQ(string_member(me, "role"), "admin");
}

TEST_F(AuthDoor, RevokedApiKeyIsRefusedAtOnce) {
  const auto [id, key] = create_key("admin");
  ASSERT_FALSE(key.empty());
  ASSERT_EQ(call(port(), "GET", "/api/users", "", api_key(key)).status, 200);
  const auto revoked = call(port(), "DELETE", "/api/api-keys/" + std::to_string(id));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  expect_unauthorized(call(port(), "GET", "/api/users", "", api_key(key)), "revoked key, admin read");
  expect_unauthorized(call(port(), "GET", "/api/roles", "", api_key(key)), "revoked key, read");
  expect_unauthorized(call(port(), "GET", "/api/auth/me", "", api_key(key)), "revoked key, me");
}

TEST_F(AuthDoor, ForgedApiKeysAreRefused) {
  const auto [id, key] = create_key("admin");
  ASSERT_FALSE(key.empty());
  ASSERT_EQ(key.rfind("lfk_" + std::to_string(id) + "_", 0), 0U) << key;
  auto wrong_secret = key;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  const auto other_id = "lfk_" + std::to_string(id + 1000) + key.substr(key.rfind('_'));
  for (const auto& forged : {wrong_secret, other_id, key.substr(0, key.size() - 1), std::string("lfk_"),
                             std::string("lfk_1_"), std::string("lfk_x_abc"), key + "x"}) {
    expect_unauthorized(call(port(), "GET", "/api/roles", "", api_key(forged)), "forged key " + forged);
  }
  // An API key is no bearer token and the other way round.
  expect_unauthorized(call(port(), "GET", "/api/roles", "", bearer(key)), "API key sent as Bearer");
  expect_unauthorized(call(port(), "GET", "/api/roles", "", api_key(viewer_token)), "JWT sent as Token");
}

// ---------------------------------------------------------------------------------------
// Accounts that change under issued tokens

TEST_F(AuthDoor, DisablingAUserRefusesItsTokenAtOnce) {
  const auto email = "door-disabled-" + unique_suffix() + "@e2e.local";
  const auto id = create_user(email, "disabled-password-1", "admin");
  const auto login = call(port(), "POST", "/api/auth/login",
                          R"({"email":")" + email + R"(","password":"disabled-password-1"})", kNoCredential);
  ASSERT_EQ(login.status, 200) << login.body;
  const auto token = string_member(parse_json(login.body), "access_token").value_or("");
  const auto cookie = refresh_cookie_value(login);
  ASSERT_EQ(call(port(), "GET", "/api/users", "", bearer(token)).status, 200);

  const auto disabled = call(port(), "PUT", "/api/users/" + std::to_string(id), R"({"active":false})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;

  expect_unauthorized(call(port(), "GET", "/api/auth/me", "", bearer(token)), "token of a disabled user");
  expect_unauthorized(call(port(), "GET", "/api/roles", "", bearer(token)), "token of a disabled user");
  expect_unauthorized(
      call(port(), "POST", "/api/roles", R"({"name":"by-disabled-)" + unique_suffix() + R"("})", bearer(token)),
      "write with the token of a disabled user");
  // Neither a new login nor the refresh token gets it back in.
  const auto again = call(port(), "POST", "/api/auth/login",
                          R"({"email":")" + email + R"(","password":"disabled-password-1"})", kNoCredential);
  expect_error(again, 401, "login of a disabled user");
  const auto refreshed =
      call(port(), "POST", "/api/auth/refresh", "", {{"Authorization", ""}, {"Cookie", "lf_refresh=" + cookie}});
  expect_error(refreshed, 401, "refresh of a disabled user's session");
  EXPECT_TRUE(string_member(parse_json(refreshed.body), "access_token") == std::nullopt) << refreshed.body;
}

TEST_F(AuthDoor, DeletingAUserRefusesItsTokenAtOnce) {
  const auto email = "door-deleted-" + unique_suffix() + "@e2e.local";
  const auto id = create_user(email, "deleted-password-1", "admin");
  const auto login = call(port(), "POST", "/api/auth/login",
                          R"({"email":")" + email + R"(","password":"deleted-password-1"})", kNoCredential);
  ASSERT_EQ(login.status, 200) << login.body;
  const auto token = string_member(parse_json(login.body), "access_token").value_or("");
  const auto cookie = refresh_cookie_value(login);
  ASSERT_EQ(call(port(), "GET", "/api/auth/me", "", bearer(token)).status, 200);

  const auto deleted = call(port(), "DELETE", "/api/users/" + std::to_string(id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;

  expect_unauthorized(call(port(), "GET", "/api/auth/me", "", bearer(token)), "token of a deleted user");
  expect_unauthorized(call(port(), "GET", "/api/users", "", bearer(token)), "token of a deleted user");
  const auto refreshed =
      call(port(), "POST", "/api/auth/refresh", "", {{"Authorization", ""}, {"Cookie", "lf_refresh=" + cookie}});
  expect_error(refreshed, 401, "refresh of a deleted user's session");
  const auto again = call(port(), "POST", "/api/auth/login",
                          R"({"email":")" + email + R"(","password":"deleted-password-1"})", kNoCredential);
  expect_error(again, 401, "login of a deleted user");
}

TEST_F(AuthDoor, ARoleChangeAppliesToTokensAlreadyIssued) {
  const auto email = "door-promoted-" + unique_suffix() + "@e2e.local";
  const auto id = create_user(email, "promoted-password-1", "viewer");
  const auto token = shared_server->login(email, "promoted-password-1");
  ASSERT_FALSE(token.empty());
  expect_error(call(port(), "GET", "/api/users", "", bearer(token)), 403, "viewer before promotion");

  ASSERT_EQ(call(port(), "PUT", "/api/users/" + std::to_string(id), R"({"role":"admin"})").status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/users", "", bearer(token)).status, 200) << "promoted: the same token now admits";

  ASSERT_EQ(call(port(), "PUT", "/api/users/" + std::to_string(id), R"({"role":"viewer"})").status, 200);
  expect_error(call(port(), "GET", "/api/users", "", bearer(token)), 403,
               "demoted: the same token is a viewer's again");
}

}  // namespace
}  // namespace lf::e2e

// ---------------------------------------------------------------------------------------
// A locked-down configuration: /metrics behind the door, a Secure refresh cookie, and an
// access-token key from the environment instead of a generated one.

namespace lf::e2e {
namespace {

const std::string kConfiguredJwtKey = "auth-door-configured-key-0123456789-abcdefgh";

class AuthDoorConfigured : public ServedSuite<AuthDoorConfigured> {
 public:
  static std::map<std::string, std::string> suite_env() {
    return {{"LABELFLEET_METRICS_PUBLIC", "false"},
            {"LABELFLEET_COOKIE_SECURE", "true"},
            {"LABELFLEET_JWT_SECRET", kConfiguredJwtKey}};
  }
};

TEST_F(AuthDoorConfigured, MetricsNeedACredentialWhenNotPublic) {
  const auto anonymous = call(port(), "GET", "/metrics", "", kNoCredential);
  expect_error(anonymous, 401, "/metrics without credential");
  EXPECT_FALSE(anonymous.header("www-authenticate").empty());
  EXPECT_EQ(call(port(), "GET", "/metrics").status, 200) << "an admin reads the metrics";
  // Health and version stay open.
  EXPECT_EQ(call(port(), "GET", "/api/health", "", kNoCredential).status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/version", "", kNoCredential).status, 200);
}

TEST_F(AuthDoorConfigured, TheRefreshCookieIsSecureWhenConfigured) {
  const auto login = call(port(), "POST", "/api/auth/login",
                          R"({"email":")" + std::string(LabelfleetProcess::kAdminEmail) + R"(","password":")" +
                              LabelfleetProcess::kAdminPassword + R"("})",
                          kNoCredential);
  ASSERT_EQ(login.status, 200) << login.body;
  const auto cookie = login.header("set-cookie");
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/api/auth"), std::string::npos) << cookie;
}

TEST_F(AuthDoorConfigured, TheConfiguredKeySignsTokensAndNoneIsGenerated) {
  EXPECT_FALSE(std::filesystem::exists(shared_server->run_dir() + "/jwt.secret"))
      << "with LABELFLEET_JWT_SECRET set, no key file should be generated";
  const auto me = parse_json(call(port(), "GET", "/api/auth/me").body);
  const auto admin_id = int_member(me, "id").value_or(0);
  ASSERT_GT(admin_id, 0);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const auto token =
      lf::adapters::auth::sign({std::to_string(admin_id), "admin", now, now + 300, "cfg"}, kConfiguredJwtKey);
  EXPECT_EQ(call(port(), "GET", "/api/users", "", bearer(token)).status, 200);
  const auto other =
      lf::adapters::auth::sign({std::to_string(admin_id), "admin", now, now + 300, "cfg"}, kConfiguredJwtKey + "x");
  EXPECT_EQ(call(port(), "GET", "/api/users", "", bearer(other)).status, 401);
}

TEST(AuthDoorStartup, AShortJwtSecretIsRefusedAtStart) {
  LF_REQUIRE_DATABASE();
  TestDatabase db;
  const auto r = run_binary({"serve"},
                            {{"DATABASE_URL", db.url()},
                             {"LABELFLEET_JWT_SECRET", "too-short-0123456789"},
                             {"LABELFLEET_HTTP_PORT", std::to_string(LabelfleetProcess::free_port())}},
                            60s);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("LABELFLEET_JWT_SECRET"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace lf::e2e
