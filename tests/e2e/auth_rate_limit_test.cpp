// Rate limits end to end. Logins: at most LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE (default 10) per
// email and per client address, after which even the right password gets 429 with Retry-After,
// recorded as auth.login_failed with reason rate_limited. Requests: at most
// LABELFLEET_RATE_LIMIT_PER_MINUTE per credential, announced in X-RateLimit-Limit and
// X-RateLimit-Remaining, then 429; other credentials keep their own budget.
//
// Client addresses: the whole of 127.0.0.0/8 reaches the server over loopback, so binding the
// client socket to 127.0.0.<n> makes each request come from an address of the test's choice.
// That is how the per-email limit is told apart from the per-address one.
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

// One HTTP/1.1 request from `source` (an IPv4 loopback address) to 127.0.0.1:port, with no
// default Authorization; status 0 when the connection failed.
HttpResult http_from(const std::string& source, std::uint16_t port, const std::string& method, const std::string& path,
                     const std::string& body = "", const Headers& headers = {}) {
  const auto raw = parse_response(raw_http(port, method, path, body, headers, source));
  HttpResult result;
  result.status = raw.status;
  for (const auto& [name, value] : raw.headers) {
    result.headers[name] = value;
  }
  result.body = raw.body;
  expect_no_internals(result, method + " " + path);
  return result;
}

std::string login_body(const std::string& email, const std::string& password) {
  return R"({"email":)" + json_quote(email) + R"(,"password":)" + json_quote(password) + "}";
}

// Retry-After as a number of seconds; -1 when absent or not a number.
long retry_after(const HttpResult& r) {
  const auto v = r.header("retry-after");
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
    return -1;
  }
  return std::stol(v);
}

void expect_too_many(const HttpResult& r, const std::string& what) {
  expect_error(r, 429, what);
  const auto wait = retry_after(r);
  EXPECT_GE(wait, 1) << what << ": Retry-After '" << r.header("retry-after") << "'";
  EXPECT_LE(wait, 60) << what << ": Retry-After '" << r.header("retry-after") << "'";
}

// ---------------------------------------------------------------------------------------
// Login attempts (the default limit: 10 per minute)

class AuthLoginRateLimit : public ServedSuite<AuthLoginRateLimit> {
 protected:
  static std::string create_user(const std::string& tag, const std::string& password) {
    auto email = "rl-" + tag + "-" + unique_suffix() + "@e2e.local";
    const auto r = call(port(), "POST", "/api/users",
                        R"({"email":")" + email + R"(","displayName":"RL","password":)" + json_quote(password) + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return email;
  }
  static std::int64_t failures(const std::string& email, const std::string& reason) {
    return query_int(url(),
                     "SELECT count(*) FROM events WHERE event_type = 'auth.login_failed' AND stream_id LIKE "
                     "'auth-audit-%' AND data->>'email' = " +
                         sql_text(email) + " AND data->>'reason' = " + sql_text(reason));
  }
};

TEST_F(AuthLoginRateLimit, TenFailedLoginsForOneEmailLockItEvenForTheRightPassword) {
  const std::string password = "locked-password-1";
  const auto email = create_user("locked", password);
  // Each attempt from its own address, so that only the per-email count can add up.
  for (int i = 0; i < 10; ++i) {
    const auto source = "127.0.1." + std::to_string(10 + i);
    const auto r =
        http_from(source, port(), "POST", "/api/auth/login", login_body(email, "wrong-password-" + std::to_string(i)));
    ASSERT_NE(r.status, 0) << "no answer from " << source;
    expect_error(r, 401, "failed login " + std::to_string(i + 1));
    EXPECT_EQ(string_member(parse_json(r.body), "error"), "Invalid email or password") << r.body;
  }
  const auto eleventh = http_from("127.0.1.30", port(), "POST", "/api/auth/login", login_body(email, password));
  expect_too_many(eleventh, "11th login, right password");
  EXPECT_TRUE(eleventh.header("set-cookie").empty()) << "no session for a refused login";
  EXPECT_FALSE(string_member(parse_json(eleventh.body), "access_token").has_value()) << eleventh.body;

  // The count is per email, whatever its case or surrounding spaces.
  std::string upper = email;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  expect_too_many(http_from("127.0.1.31", port(), "POST", "/api/auth/login", login_body(upper, password)),
                  "same email in upper case");
  expect_too_many(http_from("127.0.1.32", port(), "POST", "/api/auth/login", login_body("  " + email + " ", password)),
                  "same email with spaces");
  expect_too_many(http_from("127.0.1.33", port(), "POST", "/api/auth/login", "email=" + email + "&password=" + password,
                            {{"Content-Type", "application/x-www-form-urlencoded"}}),
                  "same email, form encoded");

  // Another account, from yet another address, is not affected.
  const auto other = create_user("other", "other-password-1");
  EXPECT_EQ(http_from("127.0.1.34", port(), "POST", "/api/auth/login", login_body(other, "other-password-1")).status,
            200);

  EXPECT_EQ(failures(email, "wrong_password"), 10);
  EXPECT_GE(failures(email, "rate_limited"), 1) << "the refused attempt is audited";
  EXPECT_EQ(query_int(url(),
                      "SELECT count(*) FROM events WHERE event_type = 'auth.login_failed' AND "
                      "data->>'reason' = 'rate_limited' AND data->>'clientAddress' = '127.0.1.30'"),
            1)
      << "the audit names the address the attempt came from";
  EXPECT_EQ(
      query_int(url(), "SELECT count(*) FROM events WHERE event_type = 'auth.login_succeeded' AND data->>'email' = " +
                           sql_text(email)),
      0)
      << "the locked account must not have logged in";
}

TEST_F(AuthLoginRateLimit, TenLoginsFromOneAddressThrottleThatAddress) {
  const std::string password = "address-password-1";
  const auto email = create_user("address", password);
  const std::string source = "127.0.2.10";
  for (int i = 0; i < 10; ++i) {
    const auto r =
        http_from(source, port(), "POST", "/api/auth/login",
                  login_body("rl-nobody-" + std::to_string(i) + "-" + unique_suffix() + "@e2e.local", "whatever-1"));
    ASSERT_NE(r.status, 0);
    expect_error(r, 401, "unknown email " + std::to_string(i + 1) + " from one address");
  }
  expect_too_many(http_from(source, port(), "POST", "/api/auth/login", login_body(email, password)),
                  "11th login from the address, right credentials");
  // The same credentials from another address are fine: the address was throttled, not the email.
  const auto elsewhere = http_from("127.0.2.11", port(), "POST", "/api/auth/login", login_body(email, password));
  EXPECT_EQ(elsewhere.status, 200) << elsewhere.body;
  EXPECT_EQ(query_int(url(),
                      "SELECT count(*) FROM events WHERE event_type = 'auth.login_failed' AND "
                      "data->>'reason' = 'rate_limited' AND data->>'clientAddress' = " +
                          sql_text(source)),
            1);
}

// ---------------------------------------------------------------------------------------
// Requests per credential (LABELFLEET_RATE_LIMIT_PER_MINUTE=5)

class AuthRequestRateLimit : public ServedSuite<AuthRequestRateLimit> {
 public:
  static std::map<std::string, std::string> suite_env() { return {{"LABELFLEET_RATE_LIMIT_PER_MINUTE", "5"}}; }
};

TEST_F(AuthRequestRateLimit, FiveCallsPerMinuteThenTooManyForThatCredentialOnly) {
  // The admin's budget: the harness only logged in (login is open and costs nothing).
  const auto email = "rl-viewer-" + unique_suffix() + "@e2e.local";
  const auto created = call(port(), "POST", "/api/users",
                            R"({"email":")" + email + R"(","displayName":"RL","password":"viewer-password-1"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("x-ratelimit-limit"), "5");
  EXPECT_EQ(created.header("x-ratelimit-remaining"), "4") << "the admin's first authenticated call";

  const auto token = shared_server->login(email, "viewer-password-1");
  ASSERT_FALSE(token.empty());
  const Headers viewer{{"Authorization", "Bearer " + token}};
  for (int i = 0; i < 5; ++i) {
    const auto r = call(port(), "GET", "/api/auth/me", "", viewer);
    ASSERT_EQ(r.status, 200) << "call " << i + 1 << ": " << r.body;
    EXPECT_EQ(r.header("x-ratelimit-limit"), "5") << "call " << i + 1;
    EXPECT_EQ(r.header("x-ratelimit-remaining"), std::to_string(4 - i)) << "call " << i + 1;
  }
  const auto sixth = call(port(), "GET", "/api/auth/me", "", viewer);
  expect_too_many(sixth, "6th call of the viewer");
  EXPECT_EQ(sixth.header("x-ratelimit-limit"), "5");
  EXPECT_EQ(sixth.header("x-ratelimit-remaining"), "0");
  // The budget is the credential's, not the route's.
  expect_too_many(call(port(), "GET", "/api/roles", "", viewer), "the viewer on another route");
  // Logging in again is no way around it: the budget is the account's, not the token's.
  const auto second_token = shared_server->login(email, "viewer-password-1");
  ASSERT_FALSE(second_token.empty());
  expect_too_many(call(port(), "GET", "/api/auth/me", "", {{"Authorization", "Bearer " + second_token}}),
                  "the viewer with a fresh token");
  // Open routes stay open.
  EXPECT_EQ(call(port(), "GET", "/api/health", "", viewer).status, 200);

  // Other credentials are unaffected: the admin (1 call spent so far) ...
  const auto admin = call(port(), "GET", "/api/auth/me");
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.header("x-ratelimit-limit"), "5");
  EXPECT_EQ(admin.header("x-ratelimit-remaining"), "3");
  // ... and an API key, which has its own budget.
  const auto key_r = call(port(), "POST", "/api/api-keys", R"({"name":"rl-key","role":"viewer"})");
  ASSERT_EQ(key_r.status, 201) << key_r.body;
  const auto key = string_member(parse_json(key_r.body), "key").value_or("");
  const auto with_key = call(port(), "GET", "/api/roles", "", {{"Authorization", "Token " + key}});
  ASSERT_EQ(with_key.status, 200) << with_key.body;
  EXPECT_EQ(with_key.header("x-ratelimit-limit"), "5");
  EXPECT_EQ(with_key.header("x-ratelimit-remaining"), "4");
  // The admin has now spent 3: two more, then 429.
  EXPECT_EQ(call(port(), "GET", "/api/roles").status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/roles").header("x-ratelimit-remaining"), "0");
  expect_too_many(call(port(), "GET", "/api/roles"), "6th call of the admin");
}

}  // namespace
}  // namespace lf::e2e
