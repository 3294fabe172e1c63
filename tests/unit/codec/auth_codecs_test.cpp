// The user, session, API key, audit and webhook-secret codecs: every payload they write is
// valid against its schema, reads back as the same event, and loses its secrets when published.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/codec/api_key_codec.hpp"
#include "adapters/codec/audit_codec.hpp"
#include "adapters/codec/session_codec.hpp"
#include "adapters/codec/user_codec.hpp"
#include "adapters/json/json_util.hpp"
#include "adapters/json/schema_registry.hpp"

namespace lf::adapters::codec {
namespace {

using domain::Role;
using Issues = std::vector<std::pair<std::string, std::string>>;  // (path, message)

const std::string kPasswordHash =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$n3jZkUjUFV4ihHVQ0hbr3Z0TQyWfGqUk4aM2C+Y4fGk";
const std::string kTokenHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kSessionId = "3f2b8c1e-7a4d-4e5f-9b6a-0c1d2e3f4a5b";

std::string schema_of(const domain::NewEvent& e) {
  return "events/" + e.type + ".v" + std::to_string(e.schema_version) + ".json";
}

Issues schema_issues(const domain::NewEvent& e) {
  const auto document = json::parse(e.data_json);
  if (!document) {
    ADD_FAILURE() << e.type << " payload does not parse: " << document.error();
    return {};
  }
  Issues out;
  for (const auto& issue : json::SchemaRegistry::instance().validate(schema_of(e), *document)) {
    out.emplace_back(issue.path, issue.message);
  }
  return out;
}

// Encodes `event` and checks its type, version and schema.
template <class Event>
domain::NewEvent encoded(const Event& event, std::string_view type) {
  auto e = encode(event);
  EXPECT_EQ(e.type, type);
  EXPECT_EQ(e.schema_version, 1);
  EXPECT_EQ(schema_issues(e), Issues{}) << e.data_json;
  return e;
}

domain::RecordedEvent recorded(std::string type, std::string data_json, int schema_version = 1) {
  domain::RecordedEvent r;
  r.position = 1;
  r.stream_version = 1;
  r.type = std::move(type);
  r.schema_version = schema_version;
  r.data_json = std::move(data_json);
  return r;
}

domain::RecordedEvent recorded(const domain::NewEvent& e) { return recorded(e.type, e.data_json, e.schema_version); }

// What `decode` makes of `e`, as a T: nullopt (and a failure) when it does not decode or
// decodes to another alternative.
template <class T, class Decode>
std::optional<T> decoded_as(const domain::NewEvent& e, Decode decode) {
  const auto out = decode(recorded(e));
  if (!out) {
    ADD_FAILURE() << e.type << " does not decode: " << e.data_json;
    return std::nullopt;
  }
  if constexpr (std::is_same_v<std::decay_t<decltype(*out)>, T>) {
    return *out;
  } else {
    const auto* alternative = std::get_if<T>(&*out);
    if (alternative == nullptr) {
      ADD_FAILURE() << e.type << " decodes to another event (index " << out->index() << ")";
      return std::nullopt;
    }
    return *alternative;
  }
}

// The published form of `e` has neither `secret_key` nor `secret_value` and keeps every
// other member unchanged.
void expect_secret_stripped(const domain::NewEvent& e, const std::string& secret_key, const std::string& secret_value) {
  const auto& registry = json::SchemaRegistry::instance();
  EXPECT_EQ(registry.write_only_properties(schema_of(e)), std::vector<std::string>{secret_key}) << e.type;
  ASSERT_NE(e.data_json.find(secret_value), std::string::npos) << "the log keeps the secret";

  const auto published = registry.public_payload(e.type, e.schema_version, e.data_json);
  EXPECT_EQ(published.find(secret_value), std::string::npos) << published;
  EXPECT_EQ(published.find('"' + secret_key + '"'), std::string::npos) << published;

  const auto original = json::parse(e.data_json);
  const auto stripped = json::parse(published);
  ASSERT_TRUE(original && stripped) << published;
  EXPECT_EQ(stripped->MemberCount() + 1, original->MemberCount()) << published;
  for (const auto& member : original->GetObject()) {
    const std::string name(member.name.GetString(), member.name.GetStringLength());
    if (name == secret_key) {
      continue;
    }
    const auto kept = stripped->FindMember(member.name);
    ASSERT_NE(kept, stripped->MemberEnd()) << name << " was dropped from " << published;
    EXPECT_TRUE(kept->value == member.value) << name << " changed in " << published;
  }
}

// --- user -----------------------------------------------------------------------------------

TEST(UserCodec, CreatedRoundTripsAndHidesThePasswordHash) {
  const domain::user::UserCreated in{7, "ada@example.com", "Ada Lovelace", Role::admin, true, kPasswordHash};
  const auto e = encoded(in, "user.created");
  const auto out = decoded_as<domain::user::UserCreated>(e, decode_user);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->email, in.email);
  EXPECT_EQ(out->display_name, in.display_name);
  EXPECT_EQ(out->role, in.role);
  EXPECT_EQ(out->active, in.active);
  EXPECT_EQ(out->password_hash, in.password_hash);
  expect_secret_stripped(e, "passwordHash", kPasswordHash);
}

TEST(UserCodec, CreatedKeepsViewerAndDisabled) {
  const domain::user::UserCreated in{8, "v@example.org", "V", Role::viewer, false, kPasswordHash};
  const auto out = decoded_as<domain::user::UserCreated>(encoded(in, "user.created"), decode_user);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->role, Role::viewer);
  EXPECT_FALSE(out->active);
}

TEST(UserCodec, UpdatedRoundTripsAndHasNoSecret) {
  const domain::user::UserUpdated in{7, "ada@example.com", "Ada \"Countess\" Lovelace \xC3\xA9", Role::viewer, false};
  const auto e = encoded(in, "user.updated");
  const auto out = decoded_as<domain::user::UserUpdated>(e, decode_user);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->email, in.email);
  EXPECT_EQ(out->display_name, in.display_name);
  EXPECT_EQ(out->role, in.role);
  EXPECT_EQ(out->active, in.active);
  EXPECT_TRUE(json::SchemaRegistry::instance().write_only_properties(schema_of(e)).empty());
  EXPECT_EQ(json::SchemaRegistry::instance().public_payload(e.type, 1, e.data_json), e.data_json);
}

TEST(UserCodec, PasswordChangedRoundTripsAndHidesTheHash) {
  const domain::user::PasswordChanged in{7, kPasswordHash};
  const auto e = encoded(in, "user.password_changed");
  const auto out = decoded_as<domain::user::PasswordChanged>(e, decode_user);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->password_hash, in.password_hash);
  expect_secret_stripped(e, "passwordHash", kPasswordHash);
}

TEST(UserCodec, DeletedRoundTrips) {
  const domain::user::UserDeleted in{7};
  const auto out = decoded_as<domain::user::UserDeleted>(encoded(in, "user.deleted"), decode_user);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, in.id);
}

// A projection reading the published form still gets every public field.
TEST(UserCodec, ThePublishedFormDecodesWithAnEmptyHash) {
  const auto e = encode(
      domain::user::Event{domain::user::UserCreated{7, "ada@example.com", "Ada", Role::admin, true, kPasswordHash}});
  const auto published = json::SchemaRegistry::instance().public_payload(e.type, 1, e.data_json);
  const auto out = decode_user(recorded(e.type, published));
  ASSERT_TRUE(out);
  const auto& created = std::get<domain::user::UserCreated>(*out);
  EXPECT_EQ(created.email, "ada@example.com");
  EXPECT_EQ(created.role, Role::admin);
  EXPECT_EQ(created.password_hash, "");
}

TEST(UserCodec, RefusesWhatItCannotRead) {
  EXPECT_FALSE(decode_user(recorded("user.renamed", R"({"id":1})")));
  EXPECT_FALSE(decode_user(recorded("user.deleted", R"({"id":1})", 2)));
  EXPECT_FALSE(decode_user(recorded("user.deleted", "not json")));
  EXPECT_FALSE(decode_user(recorded("user.deleted", "[1]")));
  EXPECT_FALSE(decode_user(recorded("user.deleted", R"({"id":"1"})")));
  EXPECT_FALSE(decode_user(recorded("user.updated", R"({"id":1,"email":"a@b.c","displayName":"A","active":true})")));
  EXPECT_FALSE(decode_user(
      recorded("user.updated", R"({"id":1,"email":"a@b.c","displayName":"A","role":"owner","active":true})")));
  EXPECT_FALSE(decode_user(
      recorded("user.updated", R"({"id":1,"email":"a@b.c","displayName":"A","role":"admin","active":"yes"})")));
  // A secret may be absent (the published form), but not of the wrong type.
  EXPECT_FALSE(decode_user(recorded("user.password_changed", R"({"id":1,"passwordHash":5})")));
}

// --- session --------------------------------------------------------------------------------

TEST(SessionCodec, StartedRoundTripsAndHidesTheTokenHash) {
  const domain::session::SessionStarted in{kSessionId, 7, kTokenHash, 1'775'000'000};
  const auto e = encoded(in, "session.started");
  const auto out = decoded_as<domain::session::SessionStarted>(e, decode_session);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->session_id, in.session_id);
  EXPECT_EQ(out->user_id, in.user_id);
  EXPECT_EQ(out->refresh_token_hash, in.refresh_token_hash);
  EXPECT_EQ(out->expires_at, in.expires_at);
  expect_secret_stripped(e, "refreshTokenHash", kTokenHash);
}

TEST(SessionCodec, RefreshedRoundTripsAndHidesTheTokenHash) {
  const domain::session::SessionRefreshed in{kSessionId, kTokenHash, 1'775'086'400};
  const auto e = encoded(in, "session.refreshed");
  const auto out = decoded_as<domain::session::SessionRefreshed>(e, decode_session);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->session_id, in.session_id);
  EXPECT_EQ(out->refresh_token_hash, in.refresh_token_hash);
  EXPECT_EQ(out->expires_at, in.expires_at);
  expect_secret_stripped(e, "refreshTokenHash", kTokenHash);
}

TEST(SessionCodec, RefreshReuseDetectedRoundTrips) {
  const domain::session::RefreshReuseDetected in{kSessionId, 7};
  const auto out =
      decoded_as<domain::session::RefreshReuseDetected>(encoded(in, "session.refresh_reuse_detected"), decode_session);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->session_id, in.session_id);
  EXPECT_EQ(out->user_id, in.user_id);
}

TEST(SessionCodec, RevokedRoundTripsForEveryReason) {
  for (const char* reason : {"logout", "refresh_reuse"}) {
    const domain::session::SessionRevoked in{kSessionId, reason};
    const auto out = decoded_as<domain::session::SessionRevoked>(encoded(in, "session.revoked"), decode_session);
    ASSERT_TRUE(out) << reason;
    EXPECT_EQ(out->session_id, in.session_id);
    EXPECT_EQ(out->reason, in.reason);
  }
}

TEST(SessionCodec, SchemaRefusesAnUnknownReasonOrSessionId) {
  EXPECT_EQ(schema_issues(encode(domain::session::Event{domain::session::SessionRevoked{kSessionId, "expired"}})),
            (Issues{{"reason", "must be one of: logout, refresh_reuse"}}));
  EXPECT_EQ(schema_issues(encode(domain::session::Event{domain::session::RefreshReuseDetected{"s1", 7}})),
            (Issues{{"sessionId", "must match pattern ^[0-9a-f-]{36}$"}}));
}

TEST(SessionCodec, RefusesWhatItCannotRead) {
  EXPECT_FALSE(decode_session(recorded("session.expired", R"({"sessionId":"s"})")));
  EXPECT_FALSE(decode_session(recorded("session.revoked", R"({"sessionId":"s","reason":"logout"})", 2)));
  EXPECT_FALSE(decode_session(recorded("session.revoked", R"({"reason":"logout"})")));
  EXPECT_FALSE(decode_session(recorded("session.started", R"({"sessionId":"s","userId":1,"expiresAt":1.5})")));
}

// --- api_key --------------------------------------------------------------------------------

TEST(ApiKeyCodec, CreatedRoundTripsAndHidesTheKeyHash) {
  const domain::api_key::ApiKeyCreated in{12, "CI uploader", Role::admin, kTokenHash, "lfk_12_Ab3d", 0};
  const auto e = encoded(in, "api_key.created");
  const auto out = decoded_as<domain::api_key::ApiKeyCreated>(e, decode_api_key);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->name, in.name);
  EXPECT_EQ(out->role, in.role);
  EXPECT_EQ(out->key_hash, in.key_hash);
  EXPECT_EQ(out->prefix, in.prefix);
  EXPECT_EQ(out->created_by, in.created_by);
  expect_secret_stripped(e, "keyHash", kTokenHash);
}

TEST(ApiKeyCodec, RevokedRoundTrips) {
  const domain::api_key::ApiKeyRevoked in{12, 3};
  const auto out = decoded_as<domain::api_key::ApiKeyRevoked>(encoded(in, "api_key.revoked"), decode_api_key);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->revoked_by, in.revoked_by);
}

TEST(ApiKeyCodec, RefusesWhatItCannotRead) {
  EXPECT_FALSE(decode_api_key(recorded("api_key.renamed", R"({"id":1})")));
  EXPECT_FALSE(decode_api_key(recorded("api_key.revoked", R"({"id":1,"revokedBy":0})", 2)));
  EXPECT_FALSE(decode_api_key(recorded("api_key.revoked", R"({"id":1})")));
  EXPECT_FALSE(decode_api_key(
      recorded("api_key.created", R"({"id":1,"name":"n","role":"root","keyHash":"h","prefix":"p","createdBy":0})")));
}

// --- audit and webhook secrets --------------------------------------------------------------

TEST(AuditCodec, LoginSucceededWritesEveryField) {
  const LoginSucceeded in{7, "ada@example.com", "2001:db8::1", kSessionId};
  const auto e = encoded(in, "auth.login_succeeded");
  const auto payload = json::parse(e.data_json);
  ASSERT_TRUE(payload);
  EXPECT_EQ((*payload)["userId"].GetInt64(), in.user_id);
  EXPECT_EQ(json::get_string(*payload, "email"), in.email);
  EXPECT_EQ(json::get_string(*payload, "clientAddress"), in.client_address);
  EXPECT_EQ(json::get_string(*payload, "sessionId"), in.session_id);
  EXPECT_TRUE(json::SchemaRegistry::instance().write_only_properties(schema_of(e)).empty());
}

TEST(AuditCodec, LoginFailedWritesEveryFieldForEveryReason) {
  for (const char* reason : {"unknown_user", "wrong_password", "disabled", "rate_limited"}) {
    // Whatever the client sent as its email is recorded as it was.
    const LoginFailed in{"not an email \"quoted\"", "203.0.113.9", reason};
    const auto e = encoded(in, "auth.login_failed");
    const auto payload = json::parse(e.data_json);
    ASSERT_TRUE(payload) << reason;
    EXPECT_EQ(payload->MemberCount(), 3U);
    EXPECT_EQ(json::get_string(*payload, "email"), in.email);
    EXPECT_EQ(json::get_string(*payload, "clientAddress"), in.client_address);
    EXPECT_EQ(json::get_string(*payload, "reason"), in.reason);
  }
  EXPECT_EQ(schema_issues(encode(LoginFailed{"a@b.c", "203.0.113.9", "locked"})),
            (Issues{{"reason", "must be one of: unknown_user, wrong_password, disabled, rate_limited"}}));
}

TEST(AuditCodec, WebhookSecretIssuedRoundTripsAndHidesTheHash) {
  const WebhookSecretIssued in{42, kTokenHash};
  const auto e = encoded(in, "webhook_secret.issued");
  const auto out = decoded_as<WebhookSecretIssued>(e, decode_webhook_secret);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->annotator_id, in.annotator_id);
  EXPECT_EQ(out->secret_hash, in.secret_hash);
  expect_secret_stripped(e, "secretHash", kTokenHash);
}

TEST(AuditCodec, DecodeWebhookSecretReadsOnlyItsOwnEvent) {
  const auto login = encode(LoginSucceeded{7, "a@b.c", "127.0.0.1", kSessionId});
  EXPECT_FALSE(decode_webhook_secret(recorded(login)));
  EXPECT_FALSE(decode_webhook_secret(recorded("webhook_secret.issued", R"({"annotatorId":1,"secretHash":"h"})", 2)));
  EXPECT_FALSE(decode_webhook_secret(recorded("webhook_secret.issued", R"({"secretHash":"h"})")));
  const auto published = decode_webhook_secret(recorded("webhook_secret.issued", R"({"annotatorId":1})"));
  ASSERT_TRUE(published);
  EXPECT_EQ(published->secret_hash, "");
}

// --- coverage -------------------------------------------------------------------------------

// The event type of every alternative of `Variant`, from encoding a default-constructed one.
template <class Variant, std::size_t... I>
void add_types(std::set<std::string>& out, std::index_sequence<I...> /*alternatives*/) {
  (out.insert(encode(Variant{std::in_place_index<I>}).type), ...);
}

template <class Variant>
void add_types(std::set<std::string>& out) {
  add_types<Variant>(out, std::make_index_sequence<std::variant_size_v<Variant>>{});
}

// Every event these codecs write has a schema, every schema of their families is written by
// one of them, and each is among the types tested one by one above.
TEST(AuthCodecsCoverage, EveryEventHasASchemaAndEverySchemaAnEvent) {
  const std::set<std::string> expected{
      "api_key.created",
      "api_key.revoked",
      "auth.login_failed",
      "auth.login_succeeded",
      "session.refresh_reuse_detected",
      "session.refreshed",
      "session.revoked",
      "session.started",
      "user.created",
      "user.deleted",
      "user.password_changed",
      "user.updated",
      "webhook_secret.issued",
  };
  std::set<std::string> encodable;
  add_types<domain::user::Event>(encodable);
  add_types<domain::session::Event>(encodable);
  add_types<domain::api_key::Event>(encodable);
  encodable.insert(encode(LoginSucceeded{}).type);
  encodable.insert(encode(LoginFailed{}).type);
  encodable.insert(encode(WebhookSecretIssued{}).type);
  EXPECT_EQ(encodable, expected);

  constexpr std::string_view kPrefix = "events/";
  constexpr std::string_view kSuffix = ".v1.json";
  std::set<std::string> schemas;
  for (const auto& name : json::SchemaRegistry::instance().names()) {
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) {
      continue;
    }
    const auto type = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    for (const std::string_view family : {"user.", "session.", "api_key.", "auth.", "webhook_secret."}) {
      if (type.starts_with(family)) {
        schemas.insert(type);
      }
    }
  }
  EXPECT_EQ(schemas, expected);
}

}  // namespace
}  // namespace lf::adapters::codec
