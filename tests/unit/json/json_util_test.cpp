// What json_util keeps of a request body or an event: text PostgreSQL can store, numbers as written.
#include "adapters/json/json_util.hpp"

#include <cstdlib>
#include <iomanip>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace lf::adapters::json {
namespace {

// The path of the first unstorable text, and why ("" and "" when there is none).
std::pair<std::string, std::string> unstorable_in(std::string_view text) {
  const auto document = parse(text);
  if (!document) {
    ADD_FAILURE() << "test document does not parse: " << document.error();
    return {};
  }
  const auto found = unstorable_text_at(*document);
  return found ? std::pair(found->path, found->reason) : std::pair<std::string, std::string>{};
}

std::optional<std::string> nul_in(std::string_view text) {
  const auto [path, reason] = unstorable_in(text);
  if (reason.empty()) {
    return std::nullopt;
  }
  EXPECT_EQ(reason, "must not contain the character U+0000");
  return path;
}

TEST(UnstorableTextAt, NothingInDocumentsWithoutIt) {
  EXPECT_EQ(nul_in(R"({"name":"a","list":[1,"b",{"c":null}],"escaped":"\\u0000 is text here"})"), std::nullopt);
  EXPECT_EQ(nul_in(R"("plain")"), std::nullopt);
  EXPECT_EQ(nul_in("42"), std::nullopt);
}

TEST(UnstorableTextAt, NamesTheFieldPathOfTheFirstStringHoldingIt) {
  EXPECT_EQ(nul_in(R"({"name":"a\u0000b"})"), "name");
  EXPECT_EQ(nul_in(R"({"ok":"x","annotators":[{"email":"e"},{"email":"\u0000"}]})"), "annotators/1/email");
  EXPECT_EQ(nul_in(R"(["a","\u0000"])"), "1");
  EXPECT_EQ(nul_in(R"("\u0000")"), "");
}

TEST(UnstorableTextAt, AMemberNameHoldingItIsItsOwnPath) {
  EXPECT_EQ(nul_in(R"({"value":{"k\u0000":1}})"), std::string("value/k\0", 8));
}

// RapidJSON 1.1.0 refuses a high surrogate escape without its low half, but decodes a lone low
// one to bytes that are not UTF-8.
TEST(UnstorableTextAt, AnUnpairedSurrogateEscapeIsUnstorable) {
  const std::string reason = "must not contain an unpaired surrogate escape (\\uD800-\\uDFFF)";
  EXPECT_EQ(unstorable_in(R"({"a":"x","name":"a\udc00"})"), std::pair(std::string("name"), reason));
  EXPECT_EQ(unstorable_in(R"({"l":["\udfff"]})"), std::pair(std::string("l/0"), reason));
  EXPECT_EQ(unstorable_in(R"({"pair":"\ud83d\ude00","max":"\uffff","bmp":"\ud7ff\ue000"})").second, "");
  EXPECT_FALSE(parse(R"({"name":"\ud800"})").has_value());
}

TEST(WithoutNulCharacters, LeavesTextWithoutItAlone) {
  EXPECT_EQ(without_nul_characters(R"({"a":"b","n":[1,2.50,null]})"), std::nullopt);
  // An escaped backslash before "u0000" is text, not U+0000.
  EXPECT_EQ(without_nul_characters(R"({"path":"C:\\u0000"})"), std::nullopt);
}

TEST(WithoutNulCharacters, ReplacesItInStringsAndMemberNamesWithUPlusFFFD) {
  EXPECT_EQ(without_nul_characters(R"({"d":"a\u0000b","l":["\u0000",1],"k\u0000":true})"),
            "{\"d\":\"a\xEF\xBF\xBD"
            "b\",\"l\":[\"\xEF\xBF\xBD\",1],\"k\xEF\xBF\xBD\":true}");
  EXPECT_EQ(without_nul_characters(R"("\u0000\\u0000")"), "\"\xEF\xBF\xBD\\\\u0000\"");
}

TEST(WithoutNulCharacters, KeepsNumbersAsWritten) {
  EXPECT_EQ(without_nul_characters(R"({"d":"\u0000","n":[123456789012345678901234567890, 1E2, -0, 0.10]})"),
            "{\"d\":\"\xEF\xBF\xBD\",\"n\":[123456789012345678901234567890,1E2,-0,0.10]}");
}

TEST(MemberText, KeepsEveryNumberAsWritten) {
  // A parsed document would give 1.2345678901234568e29, -9223372036854775808.0 and 3.141592653589793.
  EXPECT_EQ(member_text(R"({"value": 123456789012345678901234567890})", "value"), "123456789012345678901234567890");
  EXPECT_EQ(member_text(R"({"value":-9223372036854775809})", "value"), "-9223372036854775809");
  EXPECT_EQ(member_text(R"({"value":3.141592653589793238462643383279})", "value"), "3.141592653589793238462643383279");
  EXPECT_EQ(member_text(R"({"value":[1E2, -0, 0.10, 37.107837676690007]})", "value"),
            "[1E2,-0,0.10,37.107837676690007]");
}

TEST(MemberText, CopiesNestedValuesCompactlyWithStringsEscapedAsToString) {
  const std::string text = R"({ "key" : "k", "value" : { "a" : [ true , null , "t\u00e9\"\n" ], "b" : { } } , "z":1 })";
  EXPECT_EQ(member_text(text, "value"), R"({"a":[true,null,"té\"\n"],"b":{}})");
  EXPECT_EQ(member_text(text, "value"), to_string((*parse(text))["value"]));
  EXPECT_EQ(member_text(text, "key"), R"("k")");
  EXPECT_EQ(member_text(R"({"value":null})", "value"), "null");
  EXPECT_EQ(member_text(R"({"value":false})", "value"), "false");
  EXPECT_EQ(member_text(R"({"value":[]})", "value"), "[]");
}

TEST(MemberText, TakesOnlyATopLevelMemberAndTheFirstOfItsName) {
  EXPECT_EQ(member_text(R"({"a":{"value":1},"value":2})", "value"), "2");
  EXPECT_EQ(member_text(R"({"a":[{"value":1}]})", "value"), std::nullopt);
  EXPECT_EQ(member_text(R"([{"value":1}])", "value"), std::nullopt);
  EXPECT_EQ(member_text(R"({"value":[1],"value":2})", "value"), "[1]");
  EXPECT_EQ(member_text(R"({"value":{"value":3}})", "value"), R"({"value":3})");
}

TEST(MemberText, IsNulloptForTextThatIsNotJson) {
  EXPECT_EQ(member_text(R"({"value":1)", "value"), std::nullopt);
  EXPECT_EQ(member_text(R"({"value":01})", "value"), std::nullopt);
  EXPECT_EQ(member_text("", "value"), std::nullopt);
}

TEST(Parse, ReadsEveryDecimalAsTheNearestDouble) {
  // RapidJSON's default conversion reads these as the double after the nearest one (…011, …005).
  for (const char* text : {"37.107837676690007", "29.989878600690003", "123456789012345678901234567890"}) {
    const auto doc = parse(text);
    ASSERT_TRUE(doc.has_value()) << text;
    EXPECT_EQ(doc->GetDouble(), std::strtod(text, nullptr))
        << text << " read as " << std::setprecision(17) << doc->GetDouble();
  }
}

}  // namespace
}  // namespace lf::adapters::json
