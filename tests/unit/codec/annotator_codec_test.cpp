// The annotator codec: every payload it writes is valid against its schema, reads back as the
// same event, and the reported API token is writeOnly (gone from the published form).
#include "adapters/codec/annotator_codec.hpp"

#include <gtest/gtest.h>

#include "adapters/json/json_util.hpp"
#include "adapters/json/schema_registry.hpp"

namespace lf::adapters::codec {
namespace {

using namespace domain::annotator;

domain::RecordedEvent recorded(const domain::NewEvent& e) {
  domain::RecordedEvent r;
  r.type = e.type;
  r.schema_version = e.schema_version;
  r.data_json = e.data_json;
  return r;
}

void expect_round_trip(const Event& event, const std::string& type) {
  const auto e = encode(event);
  EXPECT_EQ(e.type, type);
  const auto doc = json::parse(e.data_json);
  ASSERT_TRUE(doc.has_value()) << e.data_json;
  const auto issues = json::SchemaRegistry::instance().validate("events/" + e.type + ".v1.json", *doc);
  EXPECT_TRUE(issues.empty()) << e.data_json << ": "
                              << (issues.empty() ? "" : issues[0].path + " " + issues[0].message);
  const auto back = decode_annotator(recorded(e));
  ASSERT_TRUE(back.has_value()) << e.data_json;
  EXPECT_EQ(*back, event);
}

TEST(AnnotatorCodec, EveryEventRoundTripsAndMatchesItsSchema) {
  expect_round_trip(
      AnnotatorCreated{3, "Alice", "alice@example.com", 1, "notes", Status::created, "alice", "ls_annotator_3", "wxyz"},
      "annotator.created");
  expect_round_trip(AnnotatorCreated{4, "Bob", "bob@example.com", std::nullopt, std::nullopt, Status::created, "bob-2",
                                     "ls_annotator_4", "abcd"},
                    "annotator.created");
  expect_round_trip(AnnotatorUpdated{3, "Alice B", "alice@b.example", std::nullopt, "n", Status::created},
                    "annotator.updated");
  expect_round_trip(AnnotatorDeleted{3, "Alice", "alice@example.com", 1}, "annotator.deleted");
  expect_round_trip(ApiTokenReported{3, "0123456789abcdefWXYZ", "WXYZ"}, "annotator.api_token_reported");
}

TEST(AnnotatorCodec, TheTokenIsWriteOnly) {
  const auto e = encode(Event{ApiTokenReported{3, "secret-token-0123456789", "6789"}});
  const auto& registry = json::SchemaRegistry::instance();
  EXPECT_EQ(registry.write_only_properties("events/annotator.api_token_reported.v1.json"),
            std::vector<std::string>{"token"});
  const auto published = registry.public_payload(e.type, e.schema_version, e.data_json);
  EXPECT_EQ(published.find("secret-token"), std::string::npos) << published;
  auto r = recorded(e);
  r.data_json = published;
  const auto back = decode_annotator(r);
  ASSERT_TRUE(back.has_value()) << published;
  EXPECT_EQ(std::get<ApiTokenReported>(*back).token, "");
  EXPECT_EQ(std::get<ApiTokenReported>(*back).token_hint, "6789");
}

TEST(AnnotatorCodec, PayloadsThatDoNotMatchDecodeToNothing) {
  domain::RecordedEvent r;
  r.type = "annotator.created";
  r.schema_version = 1;
  r.data_json = R"({"id":3,"name":"Alice"})";
  EXPECT_FALSE(decode_annotator(r).has_value());
  r.type = "annotator.future_thing";
  r.data_json = R"({"id":3})";
  EXPECT_FALSE(decode_annotator(r).has_value());
}

}  // namespace
}  // namespace lf::adapters::codec
