// The door's webhook path (adapters/auth/gate.cpp, Access::webhook) against a real PostgreSQL:
// secrets issued by EventSourcedWebhookSecrets into the event log, checked by AuthGate::admit
// on a request built in memory (no HTTP server). An annotator is admitted with its own, latest
// secret only; the log holds the secret's SHA-256, never the secret.
#include <ctime>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/auth/crypto.hpp"
#include "adapters/auth/gate.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/auth/webhook_secrets.hpp"
#include "adapters/postgres/event_store.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using adapters::auth::AuthGate;
using adapters::auth::EventSourcedWebhookSecrets;
using adapters::auth::GateOptions;
using adapters::http::Access;
using adapters::http::HttpRequest;
using adapters::http::HttpResponse;
using adapters::http::Principal;
using adapters::pg::PgEventStore;

const std::string kJwtKey(48, 'k');

HttpRequest webhook_request(std::map<std::string, std::string> headers,
                            std::map<std::string, std::string> params = {}) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/api/webhook";
  r.headers = std::move(headers);
  r.params = std::move(params);
  r.request_id = "webhook-gate-test";
  r.client_address = "127.0.0.1";
  return r;
}

class WebhookGate : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    store_ = std::make_unique<PgEventStore>(db_->url());
    secrets_ = std::make_unique<EventSourcedWebhookSecrets>(*store_);
    gate_ = std::make_unique<AuthGate>(GateOptions{kJwtKey, 1200}, *store_, *secrets_);
  }

  // The gate's verdict: nullopt = admitted.
  std::optional<HttpResponse> admit(HttpRequest& r) { return gate_->admit(r, Access::webhook); }

  void expect_refused(HttpRequest r, const std::string& what) {
    const auto refused = admit(r);
    ASSERT_TRUE(refused.has_value()) << what << ": admitted";
    EXPECT_EQ(refused->status, 401) << what << ": " << refused->body;
    EXPECT_NE(refused->body.find("\"error\""), std::string::npos) << what << ": " << refused->body;
    bool challenge = false;
    for (const auto& [name, value] : refused->headers) {
      challenge = challenge || name == "WWW-Authenticate";
    }
    EXPECT_TRUE(challenge) << what << ": 401 without WWW-Authenticate";
    EXPECT_FALSE(r.principal.has_value()) << what << ": a refused request must carry no principal";
  }

  void expect_admitted_as(HttpRequest r, std::int64_t annotator, const std::string& what) {
    const auto refused = admit(r);
    ASSERT_FALSE(refused.has_value()) << what << ": refused " << refused->status << " " << refused->body;
    ASSERT_TRUE(r.principal.has_value()) << what;
    EXPECT_EQ(r.principal->kind, Principal::Kind::annotator) << what;
    EXPECT_EQ(r.principal->id, annotator) << what;
    EXPECT_EQ(r.principal->role, domain::Role::viewer) << what << ": an annotator is no admin";
    EXPECT_EQ(r.principal->label, "annotator:" + std::to_string(annotator)) << what;
  }

  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    pqxx::connection c(db_->url());
    pqxx::read_transaction tx(c);
    std::vector<std::vector<std::string>> out;
    for (const auto& row : tx.exec(sql)) {
      std::vector<std::string> cols;
      for (const auto& f : row) {
        cols.push_back(f.is_null() ? "" : f.as<std::string>());
      }
      out.push_back(std::move(cols));
    }
    return out;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<PgEventStore> store_;
  std::unique_ptr<EventSourcedWebhookSecrets> secrets_;
  std::unique_ptr<AuthGate> gate_;
};

TEST_F(WebhookGate, TheAnnotatorsSecretAdmitsIt) {
  const auto secret = secrets_->issue(7);
  ASSERT_GE(secret.size(), 32U) << secret;
  expect_admitted_as(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", secret}}), 7, "annotator 7");
  // Admitted twice: the check has no side effect that spends the secret.
  expect_admitted_as(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", secret}}), 7, "again");
}

TEST_F(WebhookGate, AWrongSecretOrAnotherAnnotatorsSecretIsRefused) {
  const auto seven = secrets_->issue(7);
  const auto eight = secrets_->issue(8);
  ASSERT_NE(seven, eight);
  auto altered = seven;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", altered}}), "one character changed");
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", seven + "x"}}), "secret with a suffix");
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", seven.substr(0, seven.size() - 1)}}),
                 "secret truncated");
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", eight}}), "annotator 8's secret as 7");
  expect_refused(webhook_request({{"x-annotator-id", "8"}, {"x-webhook-secret", seven}}), "annotator 7's secret as 8");
  expect_refused(webhook_request({{"x-annotator-id", "9"}, {"x-webhook-secret", seven}}),
                 "an annotator without secret");
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", adapters::auth::sha256_hex(seven)}}),
                 "the stored hash presented as the secret");
  // The right ones still work.
  expect_admitted_as(webhook_request({{"x-annotator-id", "8"}, {"x-webhook-secret", eight}}), 8, "annotator 8");
}

TEST_F(WebhookGate, MissingHeadersOrANonNumericIdAreRefused) {
  const auto secret = secrets_->issue(7);
  expect_refused(webhook_request({}), "no headers");
  expect_refused(webhook_request({{"x-webhook-secret", secret}}), "no X-Annotator-Id");
  expect_refused(webhook_request({{"x-annotator-id", "7"}}), "no X-Webhook-Secret");
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", ""}}), "empty X-Webhook-Secret");
  for (const std::string id :
       {"", "abc", "7abc", "seven", "7.0", "-7", "0", "+7", " 7", "0x7", "99999999999999999999999"}) {
    expect_refused(webhook_request({{"x-annotator-id", id}, {"x-webhook-secret", secret}}),
                   "X-Annotator-Id '" + id + "'");
  }
  // A bearer token or API key is no webhook credential.
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const auto token = adapters::auth::sign({"1", "admin", now, now + 300, "t"}, kJwtKey);
  expect_refused(webhook_request({{"authorization", "Bearer " + token}}), "a valid bearer token instead of a secret");
  expect_refused(webhook_request({{"authorization", "Bearer " + token}, {"x-annotator-id", "7"}}),
                 "a bearer token with an annotator id");
}

TEST_F(WebhookGate, IssuingAgainRotatesTheSecret) {
  const auto first = secrets_->issue(7);
  expect_admitted_as(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", first}}), 7, "first secret");
  const auto second = secrets_->issue(7);
  ASSERT_NE(first, second);
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", first}}), "the rotated-out secret");
  expect_admitted_as(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", second}}), 7, "the new secret");
  // A second verifier on the same log (another api process) agrees: the state is the log's.
  EventSourcedWebhookSecrets other(*store_);
  EXPECT_FALSE(other.verify(7, first));
  EXPECT_TRUE(other.verify(7, second));
}

TEST_F(WebhookGate, TheLogHoldsTheSecretsHashNeverTheSecret) {
  const auto first = secrets_->issue(7);
  const auto second = secrets_->issue(7);
  const auto events = rows(
      "SELECT stream_id, stream_type, event_type, data::text, metadata::text, "
      "data->>'secretHash', data->>'annotatorId' FROM events ORDER BY position");
  ASSERT_EQ(events.size(), 2U);
  const std::vector<std::string> issued{first, second};
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    EXPECT_EQ(e[0], "webhook-secret-7");
    EXPECT_EQ(e[1], "webhook_secret");
    EXPECT_EQ(e[2], "webhook_secret.issued");
    EXPECT_EQ(e[5], adapters::auth::sha256_hex(issued[i])) << "event " << i << " should hold the SHA-256 of its secret";
    EXPECT_EQ(e[6], "7");
    for (const auto& secret : issued) {
      EXPECT_EQ(e[3].find(secret), std::string::npos) << "a secret is in the event data: " << e[3];
      EXPECT_EQ(e[4].find(secret), std::string::npos) << "a secret is in the event metadata: " << e[4];
    }
  }
  // Nowhere else in the database either (streams, claims, commands).
  for (const auto& table : {"streams", "unique_claims", "commands"}) {
    for (const auto& row : rows(std::string("SELECT t::text FROM ") + table + " t")) {
      for (const auto& secret : issued) {
        EXPECT_EQ(row[0].find(secret), std::string::npos) << table << ": " << row[0];
      }
    }
  }
}

TEST_F(WebhookGate, ThePathIdWorksLikeTheHeader) {
  const auto seven = secrets_->issue(7);
  const auto eight = secrets_->issue(8);
  // /api/annotators/:id/token: the router fills params["id"].
  expect_admitted_as(webhook_request({{"x-webhook-secret", seven}}, {{"id", "7"}}), 7, "path id 7");
  expect_refused(webhook_request({{"x-webhook-secret", eight}}, {{"id", "7"}}), "path id 7 with annotator 8's secret");
  expect_refused(webhook_request({{"x-webhook-secret", seven}}, {{"id", "abc"}}), "non-numeric path id");
  expect_refused(webhook_request({}, {{"id", "7"}}), "path id without a secret");
  // The path names the annotator: a header naming another one does not override it.
  expect_refused(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", seven}}, {{"id", "8"}}),
                 "path id 8, header id 7, annotator 7's secret");
  expect_admitted_as(webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", eight}}, {{"id", "8"}}), 8,
                     "path id 8 with annotator 8's secret");
}

TEST_F(WebhookGate, AnnotatorAnswersCarryNoRateLimitHeaders) {
  const auto secret = secrets_->issue(7);
  auto r = webhook_request({{"x-annotator-id", "7"}, {"x-webhook-secret", secret}});
  ASSERT_FALSE(admit(r).has_value());
  HttpResponse response;
  gate_->decorate(r, response);
  for (const auto& [name, value] : response.headers) {
    EXPECT_NE(name.rfind("X-RateLimit", 0), 0U) << name << ": " << value;
  }
}

}  // namespace
}  // namespace lf
