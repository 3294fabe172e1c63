// Where a request body holds U+0000, which PostgreSQL's text and jsonb cannot store.
#include "adapters/json/json_util.hpp"

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

}  // namespace
}  // namespace lf::adapters::json
