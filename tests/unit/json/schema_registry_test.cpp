// The embedded JSON Schemas and the messages their failures produce.
#include "adapters/json/schema_registry.hpp"

#include <atomic>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/json/json_util.hpp"

namespace lf::schemas {
const std::map<std::string, std::string>& embedded();
}  // namespace lf::schemas

namespace lf::adapters::json {
namespace {

using Issues = std::vector<std::pair<std::string, std::string>>;  // (path, message)

Issues issues_of(const SchemaRegistry& registry, std::string_view schema, std::string_view text) {
  const auto document = parse(text);
  if (!document) {
    ADD_FAILURE() << "test document does not parse: " << document.error();
    return {};
  }
  Issues out;
  for (const auto& issue : registry.validate(schema, *document)) {
    out.emplace_back(issue.path, issue.message);
  }
  return out;
}

Issues issues_of(std::string_view schema, std::string_view text) {
  return issues_of(SchemaRegistry::instance(), schema, text);
}

std::string repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) {
    out += unit;
  }
  return out;
}

const char* const kColorPattern = "must match pattern ^#[0-9A-Fa-f]{6}$";

// --- the schema set ---------------------------------------------------------------------------

TEST(SchemaRegistry, EmbedsAndCompilesEverySchema) {
  const auto& registry = SchemaRegistry::instance();
  const std::vector<std::string> expected{
      "events/role.created.v1.json",    "events/role.deleted.v1.json",    "events/role.updated.v1.json",
      "events/setting.changed.v1.json", "events/setting.created.v1.json", "requests/role-create.json",
      "requests/role-update.json",      "requests/setting-put.json",
  };
  for (const auto& name : expected) {
    EXPECT_TRUE(registry.has(name)) << name;
  }
  EXPECT_EQ(registry.names().size(), schemas::embedded().size());
  EXPECT_FALSE(registry.has("requests/nope.json"));
}

TEST(SchemaRegistry, EverySchemaDeclaresDraft04TitleAndDescription) {
  for (const auto& [name, text] : schemas::embedded()) {
    const auto schema = parse(text);
    ASSERT_TRUE(schema) << name << ": " << schema.error();
    EXPECT_EQ(get_string(*schema, "$schema"), "http://json-schema.org/draft-04/schema#") << name;
    EXPECT_TRUE(get_string(*schema, "title").has_value()) << name;
    EXPECT_TRUE(get_string(*schema, "description").has_value()) << name;
    ASSERT_TRUE(schema->HasMember("additionalProperties")) << name;
    EXPECT_TRUE((*schema)["additionalProperties"].IsFalse()) << name;
  }
}

// Event payloads are a published contract: closed, and every property always present.
TEST(SchemaRegistry, EveryEventSchemaIsClosedAndRequiresAllItsProperties) {
  int events = 0;
  for (const auto& [name, text] : schemas::embedded()) {
    if (!name.starts_with("events/")) {
      continue;
    }
    ++events;
    const auto schema = parse(text);
    ASSERT_TRUE(schema) << name;
    ASSERT_TRUE((*schema)["additionalProperties"].IsFalse()) << name;
    ASSERT_TRUE(schema->HasMember("required") && (*schema)["required"].IsArray()) << name;
    const auto& required = (*schema)["required"];
    EXPECT_FALSE(required.Empty()) << name;
    for (const auto& property : (*schema)["properties"].GetObject()) {
      // Secrets (writeOnly) are stored but stripped before publishing, so the published form
      // must validate without them: they are the only properties allowed to be optional.
      const auto w = property.value.FindMember("writeOnly");
      const bool write_only = w != property.value.MemberEnd() && w->value.IsTrue();
      EXPECT_NE(std::find(required.Begin(), required.End(), property.name) != required.End(), write_only)
          << name << ": property " << property.name.GetString()
          << (write_only ? " is writeOnly and must not be required" : " is not required");
    }
  }
  // 5 role and setting, 13 account and session, 4 annotator, 3 labeling config, 3 gold task and
  // 3 workflow events: a schema missing from the embedded set fails here.
  EXPECT_EQ(events, 31);
}

TEST(SchemaRegistry, UnknownSchemaNameIsAProgrammingError) {
  rapidjson::Document document;
  document.SetObject();
  EXPECT_THROW((void)SchemaRegistry::instance().validate("requests/nope.json", document), std::out_of_range);
}

// --- requests/role-create.json ------------------------------------------------------------

TEST(RoleCreateSchema, AcceptsValidBodies) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"labeler"})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json",
                      R"({"name":"labeler","description":"General image labeling","color":"#3B82F6"})"),
            Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","description":null,"color":null})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","color":"#abcdef"})"), Issues{});
}

TEST(RoleCreateSchema, MissingNameIsRequired) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"color":"#3B82F6"})"), (Issues{{"name", "is required"}}));
  EXPECT_EQ(issues_of("requests/role-create.json", "{}"), (Issues{{"name", "is required"}}));
}

TEST(RoleCreateSchema, UnknownPropertiesAreNotAllowed) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","colour":"#3B82F6"})"),
            (Issues{{"colour", "is not allowed"}}));
  // RapidJSON stops at the first one; every unknown property of the object is reported.
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"colour":"#3B82F6","name":"x","size":3})"),
            (Issues{{"colour", "is not allowed"}, {"size", "is not allowed"}}));
}

TEST(RoleCreateSchema, NameLength) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":")" + repeat("a", 100) + R"("})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":")" + repeat("a", 101) + R"("})"),
            (Issues{{"name", "must be at most 100 characters"}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":""})"),
            (Issues{{"name", "must be at least 1 character"}}));
}

// RapidJSON counts maxLength/minLength in Unicode code points (internal::CountStringCodePoint),
// not bytes, as JSON Schema requires; parse() validates UTF-8 so the count is always made.
TEST(RoleCreateSchema, LengthCountsCharactersNotBytes) {
  const std::string two_byte = repeat("\xC3\xA9", 100);           // 100 x "é": 200 bytes
  const std::string four_byte = repeat("\xF0\x9F\x98\x80", 100);  // 100 x U+1F600: 400 bytes
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":")" + two_byte + R"("})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":")" + four_byte + R"("})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":")" + two_byte + "\xC3\xA9" + R"("})"),
            (Issues{{"name", "must be at most 100 characters"}}));
  // An escaped character is one character too.
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":")" + repeat("\\u00e9", 100) + R"("})"), Issues{});
}

TEST(RoleCreateSchema, ColorMustBeAHexCode) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","color":"blue"})"),
            (Issues{{"color", kColorPattern}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","color":"#3B82F6 "})"),
            (Issues{{"color", kColorPattern}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","color":"#3B82F6\n"})"),
            (Issues{{"color", kColorPattern}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","color":123})"),
            (Issues{{"color", "must be a string or null"}}));
}

TEST(RoleCreateSchema, DescriptionLengthAndType) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","description":")" + repeat("d", 500) + R"("})"),
            Issues{});
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","description":")" + repeat("d", 501) + R"("})"),
            (Issues{{"description", "must be at most 500 characters"}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","description":42})"),
            (Issues{{"description", "must be a string or null"}}));
}

TEST(RoleCreateSchema, WrongTypes) {
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":42})"), (Issues{{"name", "must be a string"}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":null})"), (Issues{{"name", "must be a string"}}));
  EXPECT_EQ(issues_of("requests/role-create.json", R"(["name"])"), (Issues{{"", "must be an object"}}));
  EXPECT_EQ(issues_of("requests/role-create.json", "null"), (Issues{{"", "must be an object"}}));
}

// --- requests/role-update.json ------------------------------------------------------------

TEST(RoleUpdateSchema, EveryFieldIsOptionalButOneIsNeeded) {
  EXPECT_EQ(issues_of("requests/role-update.json", R"({"color":null})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-update.json", R"({"name":"reviewer"})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-update.json", R"({"description":"d","color":"#000000"})"), Issues{});
  EXPECT_EQ(issues_of("requests/role-update.json", "{}"), (Issues{{"", "must have at least 1 property"}}));
}

TEST(RoleUpdateSchema, SameRulesAsCreate) {
  EXPECT_EQ(issues_of("requests/role-update.json", R"({"name":null})"), (Issues{{"name", "must be a string"}}));
  EXPECT_EQ(issues_of("requests/role-update.json", R"({"color":"blue"})"), (Issues{{"color", kColorPattern}}));
  EXPECT_EQ(issues_of("requests/role-update.json", R"({"colour":"#000000"})"), (Issues{{"colour", "is not allowed"}}));
}

// --- requests/setting-put.json ------------------------------------------------------------

TEST(SettingPutSchema, ValueIsAnyJsonAndRequired) {
  for (const char* value : {"\"my-bucket\"", "42", "1.5", "true", "null", "[1,\"a\",null]", R"({"nested":{"a":[]}})"}) {
    EXPECT_EQ(issues_of("requests/setting-put.json", std::string(R"({"value":)") + value + "}"), Issues{}) << value;
  }
  EXPECT_EQ(issues_of("requests/setting-put.json", R"({"value":1,"description":null})"), Issues{});
  EXPECT_EQ(issues_of("requests/setting-put.json", R"({"description":"d"})"), (Issues{{"value", "is required"}}));
  EXPECT_EQ(issues_of("requests/setting-put.json", "{}"), (Issues{{"value", "is required"}}));
  EXPECT_EQ(issues_of("requests/setting-put.json", R"({"value":1,"key":"a"})"), (Issues{{"key", "is not allowed"}}));
  EXPECT_EQ(issues_of("requests/setting-put.json", R"({"value":1,"description":")" + repeat("d", 501) + R"("})"),
            (Issues{{"description", "must be at most 500 characters"}}));
}

// --- events -------------------------------------------------------------------------------

TEST(EventSchemas, AcceptWhatTheCodecsWrite) {
  EXPECT_EQ(issues_of("events/role.created.v1.json", R"({"id":1,"name":"labeler","description":null,"color":null})"),
            Issues{});
  EXPECT_EQ(
      issues_of("events/role.updated.v1.json", R"({"id":12,"name":"labeler","description":"d","color":"#3B82F6"})"),
      Issues{});
  EXPECT_EQ(issues_of("events/role.deleted.v1.json", R"({"id":12})"), Issues{});
  EXPECT_EQ(issues_of("events/setting.created.v1.json", R"({"id":3,"key":"s3.bucket","value":"b","description":null})"),
            Issues{});
  EXPECT_EQ(issues_of("events/setting.changed.v1.json",
                      R"({"id":3,"key":"quality:threshold_v-2","value":{"a":[1]},"description":"d"})"),
            Issues{});
  EXPECT_EQ(issues_of("events/setting.changed.v1.json", R"({"id":3,"key":"k","value":null,"description":null})"),
            Issues{});
}

TEST(EventSchemas, NullableFieldsAreStillRequired) {
  EXPECT_EQ(issues_of("events/role.created.v1.json", R"({"id":1,"name":"x"})"),
            (Issues{{"description", "is required"}, {"color", "is required"}}));
  EXPECT_EQ(issues_of("events/setting.created.v1.json", R"({"id":1,"key":"k","description":null})"),
            (Issues{{"value", "is required"}}));
}

TEST(EventSchemas, FieldRules) {
  EXPECT_EQ(issues_of("events/role.deleted.v1.json", R"({"id":0})"), (Issues{{"id", "must be at least 1"}}));
  EXPECT_EQ(issues_of("events/role.deleted.v1.json", R"({"id":1.5})"), (Issues{{"id", "must be an integer"}}));
  EXPECT_EQ(issues_of("events/role.deleted.v1.json", R"({"id":"12"})"), (Issues{{"id", "must be an integer"}}));
  EXPECT_EQ(issues_of("events/role.deleted.v1.json", R"({"id":1,"name":"x"})"), (Issues{{"name", "is not allowed"}}));
  EXPECT_EQ(issues_of("events/setting.created.v1.json", R"({"id":1,"key":"a b","value":1,"description":null})"),
            (Issues{{"key", "must match pattern ^[A-Za-z0-9._:-]{1,255}$"}}));
  EXPECT_EQ(issues_of("events/setting.created.v1.json",
                      R"({"id":1,"key":")" + repeat("k", 256) + R"(","value":1,"description":null})"),
            (Issues{{"key", "must match pattern ^[A-Za-z0-9._:-]{1,255}$"}}));
  EXPECT_EQ(issues_of("events/setting.created.v1.json",
                      R"({"id":1,"key":")" + repeat("k", 255) + R"(","value":1,"description":null})"),
            Issues{});
}

// --- messages for keywords the shipped schemas do not use yet, on an ad-hoc registry ----------

const SchemaRegistry& test_registry() {
  static const SchemaRegistry kRegistry(std::map<std::string, std::string>{
      {"batch.json", R"({
        "type": "object",
        "properties": {
          "annotators": {
            "type": "array", "minItems": 1, "maxItems": 3,
            "items": {
              "type": "object",
              "properties": {"email": {"type": "string", "maxLength": 254, "pattern": "^[^@\\s]+@[^@\\s]+$"},
                             "count": {"type": "string", "maxLength": 18, "pattern": "^\\d+$"}},
              "required": ["email"],
              "additionalProperties": false
            }
          },
          "status": {"enum": ["active", "stopped", 3]},
          "rate": {"type": "number", "minimum": 0, "maximum": 1, "exclusiveMaximum": true},
          "step": {"type": "number", "multipleOf": 0.5},
          "flag": {"type": "boolean"},
          "tags": {"type": "array", "uniqueItems": true},
          "meta": {"type": "object", "maxProperties": 2},
          "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
          "ref": {"$ref": "#/definitions/small"}
        },
        "definitions": {"small": {"type": "integer", "maximum": 9}},
        "additionalProperties": false
      })"},
  });
  return kRegistry;
}

Issues batch_issues(std::string_view text) { return issues_of(test_registry(), "batch.json", text); }

TEST(SchemaMessages, NestedPathsUseSlashesAndIndexes) {
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a@b"},{"email":"c@d"},{"email":"not-an-email"}]})"),
            (Issues{{"annotators/2/email", "must match pattern ^[^@\\s]+@[^@\\s]+$"}}));
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a@b"},{}]})"), (Issues{{"annotators/1/email", "is required"}}));
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a@b","name":"A","x":{"email":1}}]})"),
            (Issues{{"annotators/0/name", "is not allowed"}, {"annotators/0/x", "is not allowed"}}));
  EXPECT_EQ(batch_issues(R"({"annotators":[]})"), (Issues{{"annotators", "must have at least 1 item"}}));
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a@b"},{"email":"a@b"},{"email":"a@b"},{"email":"a@b"}]})"),
            (Issues{{"annotators", "must have at most 3 items"}}));
  EXPECT_EQ(batch_issues(R"({"annotators":{}})"), (Issues{{"annotators", "must be an array"}}));
}

// The default RapidJSON regex engine ignores \d and \s; the build uses std::regex.
TEST(SchemaMessages, PatternsUseStdRegex) {
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a@b","count":"12"}]})"), Issues{});
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a@b","count":"12a"}]})"),
            (Issues{{"annotators/0/count", "must match pattern ^\\d+$"}}));
  EXPECT_EQ(batch_issues(R"({"annotators":[{"email":"a b@c"}]})"),
            (Issues{{"annotators/0/email", "must match pattern ^[^@\\s]+@[^@\\s]+$"}}));
}

TEST(SchemaMessages, OtherKeywords) {
  EXPECT_EQ(batch_issues(R"({"status":"paused"})"), (Issues{{"status", "must be one of: active, stopped, 3"}}));
  EXPECT_EQ(batch_issues(R"({"rate":-0.5})"), (Issues{{"rate", "must be at least 0"}}));
  EXPECT_EQ(batch_issues(R"({"rate":1})"), (Issues{{"rate", "must be less than 1"}}));
  EXPECT_EQ(batch_issues(R"({"rate":"high"})"), (Issues{{"rate", "must be a number"}}));
  EXPECT_EQ(batch_issues(R"({"step":0.75})"), (Issues{{"step", "must be a multiple of 0.5"}}));
  EXPECT_EQ(batch_issues(R"({"flag":"yes"})"), (Issues{{"flag", "must be a boolean"}}));
  EXPECT_EQ(batch_issues(R"({"tags":[1,2,1]})"), (Issues{{"tags/2", "duplicates an earlier item"}}));
  EXPECT_EQ(batch_issues(R"({"meta":{"a":1,"b":2,"c":3}})"), (Issues{{"meta", "must have at most 2 properties"}}));
  EXPECT_EQ(batch_issues(R"({"either":true})"), (Issues{{"either", "does not match any of the allowed forms"}}));
  EXPECT_EQ(batch_issues(R"({"ref":10})"), (Issues{{"ref", "must be at most 9"}}));
  EXPECT_EQ(batch_issues(R"({"ref":5,"either":"s","step":1.5,"rate":0.5})"), Issues{});
}

TEST(SchemaRegistryConstruction, RefusesSchemasRapidJsonWouldSilentlyWeaken) {
  using Sources = std::map<std::string, std::string>;
  EXPECT_THROW(SchemaRegistry(Sources{{"bad.json", R"({"type":"string","pattern":"(unclosed"})"}}),
               std::invalid_argument);
  EXPECT_THROW(SchemaRegistry(Sources{{"bad.json", R"({"properties":{"a":{"$ref":"other.json#/x"}}})"}}),
               std::invalid_argument);
  EXPECT_THROW(SchemaRegistry(Sources{{"bad.json", R"({"type":)"}}), std::invalid_argument);
  EXPECT_THROW(SchemaRegistry(Sources{{"bad.json", R"([])"}}), std::invalid_argument);
  EXPECT_NO_THROW(SchemaRegistry(Sources{{"ok.json", R"({"type":"object"})"}}));
}

// std::regex recurses per repeated character: an unbounded repetition needs a small maxLength
// (checked by RapidJSON before the pattern) or a long string would overflow the stack.
TEST(SchemaRegistryConstruction, UnboundedPatternsNeedAMaxLength) {
  using Sources = std::map<std::string, std::string>;
  for (const char* pattern : {"^a+$", "^a*$", "^a{2,}$", "^(ab)+$"}) {
    const std::string schema = std::string(R"({"type":"string","pattern":")") + pattern + R"("})";
    EXPECT_THROW(SchemaRegistry(Sources{{"s.json", schema}}), std::invalid_argument) << pattern;
    const std::string too_long = std::string(R"({"type":"string","maxLength":5001,"pattern":")") + pattern + R"("})";
    EXPECT_THROW(SchemaRegistry(Sources{{"s.json", too_long}}), std::invalid_argument) << pattern;
    const std::string bounded = std::string(R"({"type":"string","maxLength":5000,"pattern":")") + pattern + R"("})";
    EXPECT_NO_THROW(SchemaRegistry(Sources{{"s.json", bounded}})) << pattern;
  }
  // Bounded repetitions, and * + { inside classes or escaped, need nothing more.
  for (const char* pattern : {"^#[0-9A-Fa-f]{6}$", "^[A-Za-z0-9._:-]{1,255}$", R"(^[*+{]\\+\\*$)"}) {
    const std::string schema = std::string(R"({"type":"string","pattern":")") + pattern + R"("})";
    EXPECT_NO_THROW(SchemaRegistry(Sources{{"s.json", schema}})) << pattern;
  }
}

TEST(SchemaRegistry, LongStringsAgainstShippedPatternsDoNotExhaustTheStack) {
  const std::string huge(1'000'000, 'a');
  EXPECT_EQ(issues_of("requests/role-create.json", R"({"name":"x","color":")" + huge + R"("})"),
            (Issues{{"color", kColorPattern}}));
  EXPECT_EQ(
      issues_of("events/setting.created.v1.json", R"({"id":1,"key":")" + huge + R"(","value":1,"description":null})"),
      (Issues{{"key", "must match pattern ^[A-Za-z0-9._:-]{1,255}$"}}));
}

// One SchemaDocument, many threads: each validate() builds its own validator.
TEST(SchemaRegistry, ValidatesConcurrently) {
  const auto& registry = SchemaRegistry::instance();
  const auto good = parse(R"({"name":"labeler","color":"#3B82F6"})");
  const auto bad = parse(R"({"name":"labeler","color":"blue"})");
  ASSERT_TRUE(good && bad);
  std::atomic<int> wrong{0};
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!registry.validate("requests/role-create.json", *good).empty() ||
            registry.validate("requests/role-create.json", *bad).size() != 1) {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
}

// --- json_util ----------------------------------------------------------------------------

TEST(JsonParse, MalformedJsonNamesTheOffset) {
  const auto result = parse(R"({"name":"a" "b"})");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "Malformed JSON at offset 12: Missing a comma or '}' after an object member.");
}

TEST(JsonParse, RejectsEmptyTrailingAndInvalidUtf8) {
  const auto empty = parse("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(), "Malformed JSON at offset 0: The document is empty.");
  const auto trailing = parse(R"({"a":1} x)");
  ASSERT_FALSE(trailing);
  EXPECT_TRUE(trailing.error().starts_with("Malformed JSON at offset 8: ")) << trailing.error();
  const auto latin1 = parse("{\"name\":\"caf\xE9\"}");
  ASSERT_FALSE(latin1);
  EXPECT_TRUE(latin1.error().starts_with("Malformed JSON at offset ")) << latin1.error();
  EXPECT_FALSE(parse("{\"a\":NaN}"));
}

TEST(JsonParse, BoundsNestingDepth) {
  const auto depth = [](std::size_t n) { return repeat("[", n) + repeat("]", n); };
  EXPECT_TRUE(parse(depth(kMaxNestingDepth)));
  const auto too_deep = parse(depth(kMaxNestingDepth + 1));
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error(), "JSON nests deeper than 100 levels at offset 100");
  // Brackets inside strings do not count.
  EXPECT_TRUE(parse("[\"" + repeat("[", 500) + "\\\"{\"]"));
  // A deep document is refused without exhausting the stack.
  EXPECT_FALSE(parse(depth(200'000)));
}

TEST(JsonUtil, ToStringIsCompact) {
  const auto document = parse(R"( { "a" : [ 1 , 2.5 , null , true ] , "b" : { } } )");
  ASSERT_TRUE(document);
  EXPECT_EQ(to_string(*document), R"({"a":[1,2.5,null,true],"b":{}})");
  EXPECT_EQ(to_string((*document)["a"]), "[1,2.5,null,true]");
}

TEST(JsonUtil, QuoteEscapes) {
  EXPECT_EQ(quote("plain"), R"("plain")");
  EXPECT_EQ(quote("say \"hi\"\\\n\t"), R"("say \"hi\"\\\n\t")");
  EXPECT_EQ(quote(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(quote("\x01"), R"("\u0001")");
  EXPECT_EQ(quote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(quote(""), R"("")");
}

TEST(JsonUtil, OptionalGetters) {
  const auto document = parse(R"({"s":"text","n":null,"i":3})");
  ASSERT_TRUE(document);
  EXPECT_EQ(get_string(*document, "s"), "text");
  EXPECT_EQ(get_string(*document, "n"), std::nullopt);
  EXPECT_EQ(get_string(*document, "i"), std::nullopt);
  EXPECT_EQ(get_string(*document, "missing"), std::nullopt);
  EXPECT_TRUE(has_null(*document, "n"));
  EXPECT_FALSE(has_null(*document, "s"));
  EXPECT_FALSE(has_null(*document, "missing"));
  const auto array = parse("[1]");
  ASSERT_TRUE(array);
  EXPECT_EQ(get_string(*array, "s"), std::nullopt);
  EXPECT_FALSE(has_null(*array, "s"));
}

}  // namespace
}  // namespace lf::adapters::json
