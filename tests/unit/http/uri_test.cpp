// Percent-decoding of paths and query strings, and the text PostgreSQL accepts from them.
#include "adapters/http/uri.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::http {
namespace {

TEST(OriginPath, DropsTheSchemeAndAuthorityOfAnAbsoluteTarget) {
  EXPECT_EQ(origin_path("http://127.0.0.1:8080/api/health"), "/api/health");
  EXPECT_EQ(origin_path("HTTPS://fleet.example/api/roles/1"), "/api/roles/1");
  EXPECT_EQ(origin_path("http://fleet.example"), "/");
  EXPECT_EQ(origin_path("/api/health"), "/api/health");
  EXPECT_EQ(origin_path("/http://x/y"), "/http://x/y");
  EXPECT_EQ(origin_path("*"), "*");
}

TEST(PercentDecoded, ReplacesEachEscapeWithItsByteAndPlusWithASpaceInQueriesOnly) {
  EXPECT_EQ(percent_decoded("s3%3Abucket", false), "s3:bucket");
  EXPECT_EQ(percent_decoded("%e2%82%AC%41", false),
            "\xE2\x82\xAC"
            "A");
  EXPECT_EQ(percent_decoded("cats+and%20dogs", true), "cats and dogs");
  EXPECT_EQ(percent_decoded("a+b", false), "a+b");
  EXPECT_EQ(percent_decoded("%2B", true), "+");
  EXPECT_EQ(percent_decoded("", true), "");
}

TEST(PercentDecoded, IsNulloptForAPercentWithoutTwoHexDigits) {
  for (const auto* text : {"%", "%4", "%zz", "a%4g", "100%"}) {
    EXPECT_EQ(percent_decoded(text, true), std::nullopt) << text;
  }
}

TEST(IsStorableText, TakesWellFormedUtf8WithoutNul) {
  EXPECT_TRUE(is_storable_text(""));
  EXPECT_TRUE(is_storable_text("plain ascii ~"));
  EXPECT_TRUE(is_storable_text("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));  // é € 😀 U+10FFFF
  EXPECT_TRUE(is_storable_text("\xED\x9F\xBF"));                                                      // U+D7FF
}

TEST(IsStorableText, RefusesWhatPostgresqlRefuses) {
  const std::vector<std::pair<const char*, std::string>> cases{
      {"U+0000", std::string("a\0b", 3)},
      {"a lone continuation byte", "\x80"},
      {"a lead byte at the end", "a\xC3"},
      {"overlong two bytes", "\xC0\xAF"},
      {"overlong three bytes", "\xE0\x80\xAF"},
      {"overlong four bytes", "\xF0\x80\x80\xAF"},
      {"a surrogate", "\xED\xA0\x80"},
      {"past U+10FFFF", "\xF4\x90\x80\x80"},
      {"0xFF", "\xFF"},
      {"a broken continuation", "\xE2\x82("},
  };
  for (const auto& [label, text] : cases) {
    EXPECT_FALSE(is_storable_text(text)) << label;
  }
}

TEST(PathSegments, DecodesEachSegmentAndSkipsEmptyOnes) {
  EXPECT_EQ(path_segments("/api/settings/s3%3Abucket"), (std::vector<std::string>{"api", "settings", "s3:bucket"}));
  EXPECT_EQ(path_segments("//api//roles/"), (std::vector<std::string>{"api", "roles"}));
  EXPECT_EQ(path_segments("/a%2Fb"), (std::vector<std::string>{"a/b"}));
  EXPECT_EQ(path_segments("/"), std::vector<std::string>{});
  EXPECT_EQ(path_segments("/api/%zz"), std::nullopt);
  EXPECT_EQ(path_segments("/api/%C3"), std::nullopt);
  EXPECT_EQ(path_segments("/api/a%00"), std::nullopt);
}

TEST(DecodedQuery, DecodesNamesAndValuesAndNamesTheFirstItCannot) {
  const auto decoded = decoded_query({{"li%6Dit", "%35"}, {"category", "cats+and%20dogs"}});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (std::map<std::string, std::string>{{"limit", "5"}, {"category", "cats and dogs"}}));
  EXPECT_EQ(decoded_query({{"category", "%FF"}}).error(), "category");
  EXPECT_EQ(decoded_query({{"c%61t", "a%00"}}).error(), "cat");
  EXPECT_EQ(decoded_query({{"%ff", "1"}}).error(), "%ff");
  EXPECT_EQ(decoded_query({{"\xFF", "1"}}).error(), "?");
}

TEST(CanonicalPath, GivesOneTextForEverySpellingOfAPath) {
  const auto canonical = [](std::string_view path) { return canonical_path(path_segments(path).value()); };
  EXPECT_EQ(canonical("/api/settings/s3%3Abucket"), "/api/settings/s3:bucket");
  EXPECT_EQ(canonical("/api/settings/s3:bucket"), "/api/settings/s3:bucket");
  EXPECT_EQ(canonical("/api//settings/s3%3abucket/"), "/api/settings/s3:bucket");
  EXPECT_EQ(canonical("/api/settings/%61%62"), "/api/settings/ab");
  EXPECT_EQ(canonical("/"), "/");
}

TEST(CanonicalPath, KeepsWhatASegmentMayHoldAndEncodesTheRest) {
  EXPECT_EQ(canonical_path({"api", "roles", "12"}), "/api/roles/12") << "an ordinary path is unchanged";
  EXPECT_EQ(canonical_path({"a-._~!$&'()*+,;=:@z"}), "/a-._~!$&'()*+,;=:@z");
  EXPECT_EQ(canonical_path({"a/b"}), "/a%2Fb") << "a slash inside a segment is not a separator";
  EXPECT_EQ(canonical_path({"a b?#%"}), "/a%20b%3F%23%25");
  EXPECT_EQ(canonical_path({"caf\xC3\xA9"}), "/caf%C3%A9");
}

}  // namespace
}  // namespace lf::adapters::http
