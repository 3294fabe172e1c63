// The labeling-config XML parser (pugixml): the outline it builds and where it says the XML is
// broken.
#include "adapters/labeling/config_parser.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::labeling {
namespace {

const char* const kClassification = R"(<View>
  <Image name="image" value="$image"/>
  <Choices name="label" toName="image">
    <Choice value="cat"/>
    <Choice value="dog"/>
  </Choices>
</View>)";

TEST(ConfigParser, OutlinesEveryElementInDocumentOrderWithItsLine) {
  const auto parsed = parse_config_xml(kClassification);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  const auto& e = parsed->elements;
  ASSERT_EQ(e.size(), 5U);
  EXPECT_EQ(e[0].tag, "View");
  EXPECT_EQ(e[0].depth, 0);
  EXPECT_EQ(e[0].line, 1);
  EXPECT_EQ(e[1].tag, "Image");
  EXPECT_EQ(e[1].name, "image");
  EXPECT_FALSE(e[1].to_name.has_value());
  EXPECT_EQ(e[1].line, 2);
  EXPECT_EQ(e[2].tag, "Choices");
  EXPECT_EQ(e[2].name, "label");
  EXPECT_EQ(e[2].to_name, "image");
  EXPECT_EQ(e[2].line, 3);
  EXPECT_EQ(e[3].tag, "Choice");
  EXPECT_EQ(e[3].depth, 2);
  EXPECT_EQ(e[3].line, 4);
  EXPECT_EQ(e[4].line, 5);
}

TEST(ConfigParser, MismatchedTagsNameLineAndColumn) {
  const auto parsed = parse_config_xml("<View>\n  <Image name=\"a\">\n</View>");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().rfind("configXml is not well-formed XML: ", 0), 0U) << parsed.error();
  EXPECT_NE(parsed.error().find("at line 3, column"), std::string::npos) << parsed.error();
}

TEST(ConfigParser, UnclosedAttributeIsRefused) {
  const auto parsed = parse_config_xml("<View>\n<Image name=\"a/>\n</View>");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().find("not well-formed"), std::string::npos);
}

TEST(ConfigParser, EmptyAndTextOnlyDocumentsHaveNoRoot) {
  for (const char* xml : {"", "just text", "<!-- only a comment -->"}) {
    const auto parsed = parse_config_xml(xml);
    ASSERT_FALSE(parsed.has_value()) << xml;
    EXPECT_NE(parsed.error().find("No document element found"), std::string::npos) << parsed.error();
  }
}

TEST(ConfigParser, SecondTopLevelElementIsRefusedWhereItStarts) {
  const auto parsed = parse_config_xml("<View><Image name=\"a\"/></View>\n<View/>");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().find("second top-level element <View>"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("line 2, column 2"), std::string::npos) << parsed.error();
}

TEST(ConfigParser, RepeatedAttributeIsRefused) {
  const auto parsed = parse_config_xml("<View>\n\n<Image name=\"a\" name=\"b\"/></View>");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().find("attribute 'name' repeated in <Image>"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("line 3"), std::string::npos) << parsed.error();
}

TEST(ConfigParser, DeepNestingDoesNotExhaustTheStack) {
  std::string xml;
  for (int i = 0; i < 20000; ++i) {
    xml += "<View>";
  }
  for (int i = 0; i < 20000; ++i) {
    xml += "</View>";
  }
  const auto parsed = parse_config_xml(xml);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->elements.size(), 20000U);
  EXPECT_EQ(parsed->elements.back().depth, 19999);
}

TEST(ConfigParser, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(position_of("ab\ncd", 4).line, 2);
  EXPECT_EQ(position_of("ab\ncd", 4).column, 2);
  // "é" is two bytes but one column.
  EXPECT_EQ(position_of("\xC3\xA9x", 3).column, 3);
  EXPECT_EQ(position_of("", 10).line, 1);
}

}  // namespace
}  // namespace lf::adapters::labeling
