// Where a request body holds U+0000, which PostgreSQL's text and jsonb cannot store.
#include "adapters/json/json_util.hpp"

#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace lf::adapters::json {
namespace {

std::optional<std::string> nul_in(std::string_view text) {
  const auto document = parse(text);
  if (!document) {
    ADD_FAILURE() << "test document does not parse: " << document.error();
    return std::nullopt;
  }
  return nul_character_at(*document);
}

TEST(NulCharacterAt, NothingInDocumentsWithoutIt) {
  EXPECT_EQ(nul_in(R"({"name":"a","list":[1,"b",{"c":null}],"escaped":"\\u0000 is text here"})"), std::nullopt);
  EXPECT_EQ(nul_in(R"("plain")"), std::nullopt);
  EXPECT_EQ(nul_in("42"), std::nullopt);
}

TEST(NulCharacterAt, NamesTheFieldPathOfTheFirstStringHoldingIt) {
  EXPECT_EQ(nul_in(R"({"name":"a\u0000b"})"), "name");
  EXPECT_EQ(nul_in(R"({"ok":"x","annotators":[{"email":"e"},{"email":"\u0000"}]})"), "annotators/1/email");
  EXPECT_EQ(nul_in(R"(["a","\u0000"])"), "1");
  EXPECT_EQ(nul_in(R"("\u0000")"), "");
}

TEST(NulCharacterAt, AMemberNameHoldingItIsItsOwnPath) {
  EXPECT_EQ(nul_in(R"({"value":{"k\u0000":1}})"), std::string("value/k\0", 8));
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
