// Guarantee 10, end to end: secrets never leave the server. One `labelfleet serve` plays a whole
// story — users with known passwords, logins (JSON and form), refreshes, a reused refresh token,
// logout, a password change, API keys created, used and revoked, failed logins — while the test
// keeps every response it received, byte for byte (duplicate headers included). Then it looks
// for every secret of the story in (a) those responses, (b) the server's log and (c) every
// message of every topic of the embedded Kafka cluster (key, value and headers):
//   - each clear password (including the wrong ones tried), each Argon2 hash the log holds,
//   - each refresh token and its SHA-256, each API key and its SHA-256, the JWT key,
//   - and, in the log and on Kafka, each access token.
// The only places a secret may appear: a refresh token in the Set-Cookie header of the answer
// that issued it, an API key in the body of the answer that created it (once).
#include <deque>
#include <set>

#include <librdkafka/rdkafkacpp.h>

#include "adapters/auth/crypto.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

namespace auth = lf::adapters::auth;

// One request and its whole answer as received.
struct Exchange {
  std::string label;  // "METHOD path"
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order, name lower-cased
  std::string body;

  std::vector<std::string> all(const std::string& lower_name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : headers) {
      if (n == lower_name) {
        out.push_back(v);
      }
    }
    return out;
  }
  std::string header(const std::string& lower_name) const {
    const auto v = all(lower_name);
    return v.empty() ? "" : v.front();
  }
};

// A tiny HTTP/1.1 client that keeps everything it receives.
class Recorder {
 public:
  explicit Recorder(std::uint16_t port) : port_(port) {}

  const Exchange& send(const std::string& method, const std::string& path, const std::string& body = "",
                       const Headers& headers = {}) {
    Exchange ex;
    ex.label = method + " " + path;
    auto raw = parse_response(raw_http(port_, method, path, body, headers));
    ex.status = raw.status;
    ex.headers = std::move(raw.headers);
    ex.body = std::move(raw.body);
    EXPECT_NE(ex.status, 0) << ex.label << ": no answer";
    HttpResult as_result;
    as_result.body = ex.body;
    expect_no_internals(as_result, ex.label);
    exchanges_.push_back(std::move(ex));
    return exchanges_.back();
  }

  // A deque: references handed out by send() stay valid as more exchanges are recorded.
  const std::deque<Exchange>& exchanges() const { return exchanges_; }

 private:
  std::uint16_t port_;
  std::deque<Exchange> exchanges_;
};

std::string refresh_cookie_value(const Exchange& ex) {
  const std::string prefix = "lf_refresh=";
  for (const auto& cookie : ex.all("set-cookie")) {
    if (cookie.rfind(prefix, 0) == 0) {
      const auto end = cookie.find(';');
      return cookie.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
    }
  }
  return "";
}

std::size_t occurrences(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A secret, and where (if anywhere) it may legitimately be seen in the responses.
struct Secret {
  std::string what;
  std::string value;
  enum class Allowed { nowhere, in_its_set_cookie, in_its_creation_body } allowed = Allowed::nowhere;
  std::size_t exchange = 0;    // the response that issued it (for the two exceptions)
  bool scan_responses = true;  // false for access tokens: login bodies carry them by design
};

struct KafkaMessage {
  std::string where;  // topic/partition@offset
  std::string text;   // key, value and every header key and value, concatenated
};

// Every message of every topic of the cluster, from the beginning of each partition up to its
// high watermark as it is now.
std::vector<KafkaMessage> read_every_topic(const std::string& bootstrap, std::set<std::string>& topics_seen) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "labelfleet-e2e-secrets-scan-" + unique_suffix(), err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("enable.partition.eof", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) {
    ADD_FAILURE() << "cannot create a Kafka consumer: " << err;
    return {};
  }
  RdKafka::Metadata* raw = nullptr;
  const auto merr = consumer->metadata(true, nullptr, &raw, 10000);
  const std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (merr != RdKafka::ERR_NO_ERROR || !metadata) {
    ADD_FAILURE() << "cannot read the cluster's metadata: " << RdKafka::err2str(merr);
    return {};
  }
  std::map<std::pair<std::string, int>, std::int64_t> end;  // partition -> high watermark
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto* topic : *metadata->topics()) {
    topics_seen.insert(topic->topic());
    for (const auto* partition : *topic->partitions()) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      const auto werr = consumer->query_watermark_offsets(topic->topic(), partition->id(), &low, &high, 10000);
      EXPECT_EQ(werr, RdKafka::ERR_NO_ERROR)
          << topic->topic() << "/" << partition->id() << ": " << RdKafka::err2str(werr);
      EXPECT_EQ(low, 0) << topic->topic() << "/" << partition->id() << " no longer starts at offset 0";
      if (high > 0) {
        end[{topic->topic(), partition->id()}] = high;
        assignment.push_back(
            RdKafka::TopicPartition::create(topic->topic(), partition->id(), RdKafka::Topic::OFFSET_BEGINNING));
      }
    }
  }
  const auto assigned = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  EXPECT_EQ(assigned, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(assigned);

  std::vector<KafkaMessage> out;
  std::map<std::pair<std::string, int>, std::int64_t> next;  // partition -> next offset to see
  const auto done = [&] {
    for (const auto& [tp, high] : end) {
      if (next[tp] < high) {
        return false;
      }
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    const std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      continue;
    }
    KafkaMessage msg;
    msg.where = m->topic_name() + "/" + std::to_string(m->partition()) + "@" + std::to_string(m->offset());
    if (m->key_pointer() != nullptr) {
      msg.text += std::string(static_cast<const char*>(m->key_pointer()), m->key_len()) + "\n";
    }
    if (m->payload() != nullptr) {
      msg.text += std::string(static_cast<const char*>(m->payload()), m->len()) + "\n";
    }
    if (auto* headers = m->headers(); headers != nullptr) {
      for (const auto& h : headers->get_all()) {
        msg.text += h.key() + "=" +
                    (h.value() == nullptr ? "" : std::string(static_cast<const char*>(h.value()), h.value_size())) +
                    "\n";
      }
    }
    auto& n = next[{m->topic_name(), m->partition()}];
    n = std::max(n, m->offset() + 1);
    out.push_back(std::move(msg));
  }
  for (const auto& [tp, high] : end) {
    EXPECT_GE(next[tp], high) << "did not read " << tp.first << "/" << tp.second << " to its end (" << high << ")";
  }
  consumer->close();
  return out;
}

// One test, so one server for the suite is one for the test.
class AuthSecretsScan : public ServedSuite<AuthSecretsScan> {
 public:
  static std::map<std::string, std::string> suite_env() { return {{"LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE", "1000"}}; }
};

TEST_F(AuthSecretsScan, NoSecretLeavesTheServerInResponsesLogsOrKafka) {
  Recorder rec(port());
  const auto sfx = unique_suffix();
  const Headers no_auth{};
  std::vector<Secret> secrets;
  std::vector<std::string> access_tokens;

  // Logs in; records the access token and the refresh token (allowed in that Set-Cookie only).
  const auto login = [&](const std::string& who, const std::string& email, const std::string& password,
                         bool form) -> std::pair<std::string, std::string> {
    const auto& ex =
        form ? rec.send("POST", "/api/auth/login", "email=" + email + "&password=" + password,
                        {{"Content-Type", "application/x-www-form-urlencoded"}})
             : rec.send("POST", "/api/auth/login",
                        R"({"email":)" + json_quote(email) + R"(,"password":)" + json_quote(password) + "}");
    EXPECT_EQ(ex.status, 200) << who << ": " << ex.body;
    const auto access = string_member(parse_json(ex.body), "access_token").value_or("");
    const auto refresh = refresh_cookie_value(ex);
    EXPECT_FALSE(access.empty() || refresh.empty()) << who;
    secrets.push_back({"refresh token of " + who + " login", refresh, Secret::Allowed::in_its_set_cookie,
                       rec.exchanges().size() - 1});
    access_tokens.push_back(access);
    return {access, refresh};
  };
  const auto refresh = [&](const std::string& who, const std::string& token, bool json_form) {
    const auto& ex = json_form ? rec.send("POST", "/api/auth/refresh", R"({"refresh_token":)" + json_quote(token) + "}")
                               : rec.send("POST", "/api/auth/refresh", "", {{"Cookie", "lf_refresh=" + token}});
    EXPECT_EQ(ex.status, 200) << who << ": " << ex.body;
    auto next = refresh_cookie_value(ex);
    secrets.push_back(
        {"refresh token of " + who, next, Secret::Allowed::in_its_set_cookie, rec.exchanges().size() - 1});
    access_tokens.push_back(string_member(parse_json(ex.body), "access_token").value_or(""));
    return next;
  };

  // --- the story ----------------------------------------------------------------------------
  const std::string admin_password = LabelfleetProcess::kAdminPassword;
  const auto [admin, admin_refresh] = login("admin", LabelfleetProcess::kAdminEmail, admin_password, false);

  const auto alice_email = "alice-" + sfx + "@e2e.local";
  const auto bob_email = "bob-" + sfx + "@e2e.local";
  const auto alice_password = "Alice-Clear-" + sfx;
  const auto bob_password = "Bob-Clear-" + sfx;
  const auto bob_new_password = "Bob-Renewed-" + sfx;
  const auto wrong_password = "Wrong-Horse-" + sfx;
  const auto ghost_password = "Ghost-Clear-" + sfx;
  Headers idempotent_admin = bearer(admin);
  idempotent_admin["Idempotency-Key"] = "scan-user-alice-" + sfx;
  const auto& alice_created =
      rec.send("POST", "/api/users",
               R"({"email":")" + alice_email + R"(","displayName":"Alice","role":"viewer","password":")" +
                   alice_password + R"("})",
               idempotent_admin);
  ASSERT_EQ(alice_created.status, 201) << alice_created.body;
  const auto alice_id = int_member(parse_json(alice_created.body), "id").value_or(0);
  const auto& bob_created = rec.send(
      "POST", "/api/users",
      R"({"email":")" + bob_email + R"(","displayName":"Bob","role":"admin","password":")" + bob_password + R"("})",
      bearer(admin));
  ASSERT_EQ(bob_created.status, 201) << bob_created.body;
  const auto bob_id = int_member(parse_json(bob_created.body), "id").value_or(0);

  // Alice: login, two refreshes (cookie, then JSON body), logout.
  const auto [alice, a1] = login("alice", alice_email, alice_password, false);
  EXPECT_EQ(rec.send("GET", "/api/auth/me", "", bearer(alice)).status, 200);
  const auto a2 = refresh("alice, 1st refresh", a1, false);
  const auto a3 = refresh("alice, 2nd refresh", a2, true);
  EXPECT_EQ(rec.send("POST", "/api/auth/logout", "", {{"Cookie", "lf_refresh=" + a3}}).status, 200);
  EXPECT_EQ(rec.send("POST", "/api/auth/refresh", "", {{"Cookie", "lf_refresh=" + a3}}).status, 401);

  // Bob: form login, refresh, then the spent token again (reuse: the session is revoked).
  const auto [bob, b1] = login("bob", bob_email, bob_password, true);
  EXPECT_EQ(rec.send("GET", "/api/users", "", bearer(bob)).status, 200);
  refresh("bob, refresh", b1, false);
  EXPECT_EQ(rec.send("POST", "/api/auth/refresh", "", {{"Cookie", "lf_refresh=" + b1}}).status, 401);

  // The admin changes Bob's password; Bob logs in with the new one.
  EXPECT_EQ(rec.send("PUT", "/api/users/" + std::to_string(bob_id), R"({"password":")" + bob_new_password + R"("})",
                     bearer(admin))
                .status,
            200);
  login("bob, new password", bob_email, bob_new_password, false);

  // API keys: created (shown once), used, one revoked and refused afterwards.
  std::vector<std::string> keys;
  // Sent with an Idempotency-Key: the stored answer of a command must not keep the key, so a
  // retry makes another key rather than replaying the first.
  for (const std::string role : {"viewer", "admin", "viewer"}) {
    Headers h = bearer(admin);
    h["Idempotency-Key"] = std::string("scan-key-").append(role).append("-").append(sfx);
    const auto body =
        std::string(R"({"name":"scan-)").append(role).append(R"(","role":")").append(role).append(R"("})");
    const auto& ex = rec.send("POST", "/api/api-keys", body, h);
    ASSERT_EQ(ex.status, 201) << ex.body;
    const auto key = string_member(parse_json(ex.body), "key").value_or("");
    ASSERT_FALSE(key.empty()) << ex.body;
    for (const auto& earlier : keys) {
      EXPECT_NE(key, earlier) << "an API key was answered twice";
    }
    keys.push_back(key);
    secrets.push_back(
        {"API key (" + role + ")", key, Secret::Allowed::in_its_creation_body, rec.exchanges().size() - 1});
  }
  const auto viewer_key_id = std::stoll(keys[0].substr(4, keys[0].find('_', 4) - 4));
  EXPECT_EQ(rec.send("GET", "/api/roles", "", {{"Authorization", "Token " + keys[0]}}).status, 200);
  EXPECT_EQ(rec.send("POST", "/api/roles", R"({"name":"scan-role"})", {{"Authorization", "Token " + keys[1]}}).status,
            201);
  EXPECT_EQ(rec.send("DELETE", "/api/api-keys/" + std::to_string(viewer_key_id), "", bearer(admin)).status, 200);
  EXPECT_EQ(rec.send("GET", "/api/roles", "", {{"Authorization", "Token " + keys[0]}}).status, 401);

  // Failed logins: a wrong password, an unknown account.
  EXPECT_EQ(rec.send("POST", "/api/auth/login",
                     R"({"email":")" + alice_email + R"(","password":")" + wrong_password + R"("})")
                .status,
            401);
  EXPECT_EQ(rec.send("POST", "/api/auth/login", "email=ghost-" + sfx + "%40e2e.local&password=" + ghost_password,
                     {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            401);

  // The listings an admin sees.
  const auto& users = rec.send("GET", "/api/users", "", bearer(admin));
  ASSERT_EQ(users.status, 200) << users.body;
  const auto& one_user = rec.send("GET", "/api/users/" + std::to_string(alice_id), "", bearer(admin));
  ASSERT_EQ(one_user.status, 200) << one_user.body;
  const auto& api_keys = rec.send("GET", "/api/api-keys", "", bearer(admin));
  ASSERT_EQ(api_keys.status, 200) << api_keys.body;
  EXPECT_NE(users.body.find(alice_email), std::string::npos) << users.body;
  EXPECT_NE(api_keys.body.find("scan-viewer"), std::string::npos) << api_keys.body;
  for (const auto* ex : {&users, &one_user, &api_keys, &alice_created, &bob_created}) {
    EXPECT_EQ(lower(ex->body).find("hash"), std::string::npos) << ex->label << ": " << ex->body;
    EXPECT_EQ(lower(ex->body).find("password"), std::string::npos) << ex->label << ": " << ex->body;
  }

  // --- the secrets ---------------------------------------------------------------------------
  for (const auto& [who, pw] :
       std::vector<std::pair<std::string, std::string>>{{"admin's password", admin_password},
                                                        {"alice's password", alice_password},
                                                        {"bob's first password", bob_password},
                                                        {"bob's new password", bob_new_password},
                                                        {"a wrong password tried", wrong_password},
                                                        {"an unknown account's password", ghost_password}}) {
    secrets.push_back({who, pw});
  }
  const auto password_hashes = query_rows(url(),
                                          "SELECT event_type, data->>'passwordHash' FROM events WHERE "
                                          "data->>'passwordHash' IS NOT NULL ORDER BY position");
  EXPECT_EQ(password_hashes.size(), 4U) << "admin, alice, bob, bob's new password";
  for (const auto& row : password_hashes) {
    EXPECT_EQ(row[1].rfind("$argon2id$", 0), 0U) << row[1];
    secrets.push_back({"Argon2 hash from " + row[0], row[1]});
  }
  const std::size_t issued = secrets.size();
  for (std::size_t i = 0; i < issued; ++i) {
    if (secrets[i].allowed != Secret::Allowed::nowhere) {
      secrets.push_back({"SHA-256 of the " + secrets[i].what, auth::sha256_hex(secrets[i].value)});
    }
  }
  // Every token hash the log holds, the harness's own login included.
  for (const auto& row : query_rows(url(),
                                    "SELECT event_type, coalesce(data->>'refreshTokenHash', data->>'keyHash', "
                                    "data->>'secretHash') FROM events WHERE coalesce(data->>'refreshTokenHash', "
                                    "data->>'keyHash', data->>'secretHash') IS NOT NULL")) {
    secrets.push_back({"hash stored by " + row[0], row[1]});
  }
  std::string jwt_key;
  {
    std::ifstream in(shared_server->run_dir() + "/jwt.secret");
    std::getline(in, jwt_key);
  }
  ASSERT_GE(jwt_key.size(), 32U);
  secrets.push_back({"the JWT key", jwt_key});
  for (const auto& t : access_tokens) {
    Secret s{"an access token", t};
    s.scan_responses = false;
    secrets.push_back(s);
  }
  for (const auto& s : secrets) {
    ASSERT_GE(s.value.size(), 8U) << s.what << " is too short to scan for";
  }

  // (a) Responses: bodies and every header.
  for (const auto& s : secrets) {
    if (!s.scan_responses) {
      continue;
    }
    std::size_t seen_where_allowed = 0;
    for (std::size_t i = 0; i < rec.exchanges().size(); ++i) {
      const auto& ex = rec.exchanges()[i];
      const bool own = i == s.exchange && s.allowed != Secret::Allowed::nowhere;
      const auto in_body = occurrences(ex.body, s.value);
      if (own && s.allowed == Secret::Allowed::in_its_creation_body) {
        EXPECT_EQ(in_body, 1U) << s.what << " must be in its creation answer exactly once: " << ex.body;
        seen_where_allowed += in_body;
      } else {
        EXPECT_EQ(in_body, 0U) << s.what << " leaks in the body of " << ex.label << ": " << ex.body;
      }
      for (const auto& [name, value] : ex.headers) {
        const auto n = occurrences(value, s.value);
        if (own && s.allowed == Secret::Allowed::in_its_set_cookie && name == "set-cookie" &&
            value.rfind("lf_refresh=" + s.value + ";", 0) == 0) {
          EXPECT_EQ(n, 1U) << s.what << ": " << value;
          seen_where_allowed += n;
        } else {
          EXPECT_EQ(n, 0U) << s.what << " leaks in header " << name << " of " << ex.label << ": " << value;
        }
      }
    }
    if (s.allowed != Secret::Allowed::nowhere) {
      EXPECT_EQ(seen_where_allowed, 1U) << s.what << " should appear exactly once, where it was issued";
    }
  }

  // Answers that carry a secret must not be cached.
  for (const auto& ex : rec.exchanges()) {
    if (!refresh_cookie_value(ex).empty() || string_member(parse_json(ex.body), "key").has_value()) {
      EXPECT_EQ(ex.header("cache-control"), "no-store") << ex.label;
    }
  }

  // The answers the server keeps for Idempotency-Key replays are answers too.
  const auto stored = query_rows(url(), "SELECT idempotency_key, body FROM commands");
  EXPECT_FALSE(stored.empty()) << "alice's creation had an Idempotency-Key: its answer should be stored";
  for (const auto& row : stored) {
    for (const auto& s : secrets) {
      EXPECT_EQ(row[1].find(s.value), std::string::npos) << s.what << " is kept for replays under " << row[0];
    }
  }

  // (b) The server's log.
  const auto log = shared_server->log();
  ASSERT_NE(log.find("/api/auth/login"), std::string::npos)
      << "the log does not record requests; scanning it proves nothing";
  for (const auto& s : secrets) {
    EXPECT_EQ(log.find(s.value), std::string::npos) << s.what << " is in the server's log";
  }

  // (c) Every message of every topic, once the relay has published the whole log.
  const auto head = query_int(url(), "SELECT max(position) FROM events");
  ASSERT_TRUE(eventually([&] { return query_int(url(), "SELECT position FROM relay_checkpoint") >= head; }, 60s))
      << "the relay did not publish the log up to " << head;
  const auto bootstrap = shared_server->kafka_bootstrap();
  ASSERT_FALSE(bootstrap.empty());
  std::set<std::string> topics;
  const auto messages = read_every_topic(bootstrap, topics);
  for (const std::string t :
       {"labelfleet.user.v1", "labelfleet.session.v1", "labelfleet.api_key.v1", "labelfleet.auth_audit.v1"}) {
    EXPECT_TRUE(topics.contains(t)) << "no topic " << t;
  }
  EXPECT_GE(static_cast<std::int64_t>(messages.size()), head) << "every event of the log should be on Kafka";
  // The scan reads payloads: what is public does show.
  const auto seen = [&](const std::string& text) {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const auto& m) { return m.text.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(seen(alice_email)) << "user.created payloads should be on Kafka";
  EXPECT_TRUE(seen(a1.substr(0, 36))) << "session ids (not secret) should be on Kafka";
  EXPECT_TRUE(seen("scan-viewer")) << "api_key.created payloads should be on Kafka";
  for (const auto& s : secrets) {
    for (const auto& m : messages) {
      EXPECT_EQ(m.text.find(s.value), std::string::npos) << s.what << " is on Kafka in " << m.where << ": " << m.text;
    }
  }
}

}  // namespace
}  // namespace lf::e2e
