#include "domain/common/text.hpp"

#include <gtest/gtest.h>

namespace lf::domain::text {
namespace {

TEST(Text, LengthCountsCodePoints) {
  EXPECT_EQ(length(""), 0U);
  EXPECT_EQ(length("abc"), 3U);
  EXPECT_EQ(length("\xC3\xA9t\xC3\xA9"), 3U);  // été
  EXPECT_EQ(length("\xF0\x9F\x98\x80"), 1U);   // one emoji, four bytes
}

TEST(Text, HexColour) {
  EXPECT_TRUE(is_hex_color("#3B82F6"));
  EXPECT_TRUE(is_hex_color("#abcdef"));
  EXPECT_FALSE(is_hex_color("3B82F6"));
  EXPECT_FALSE(is_hex_color("#3B82F"));
  EXPECT_FALSE(is_hex_color("#3B82FG"));
}

TEST(Text, TrimAndLower) {
  EXPECT_EQ(trim("  a b \t"), "a b");
  EXPECT_EQ(lower_ascii("LaBeLer"), "labeler");
}

}  // namespace
}  // namespace lf::domain::text
