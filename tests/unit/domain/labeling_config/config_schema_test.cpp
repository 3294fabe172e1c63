// The rules of a Label Studio labeling config, on outlines built by hand (no XML parser).
#include "domain/labeling_config/config_schema.hpp"

#include <gtest/gtest.h>

namespace lf::domain::labeling_config {
namespace {

XmlElement el(std::string tag, std::optional<std::string> name, std::optional<std::string> to_name, int line,
              int depth = 1) {
  return {std::move(tag), std::move(name), std::move(to_name), line, depth};
}

ParsedXml outline(std::vector<XmlElement> body, std::string root = "View") {
  XmlOutline out;
  out.elements.push_back(el(std::move(root), std::nullopt, std::nullopt, 1, 0));
  for (auto& e : body) {
    out.elements.push_back(std::move(e));
  }
  return out;
}

std::string first_message(const Result<ConfigSchema>& r) {
  return r ? std::string() : r.error().details.front().message;
}

TEST(ConfigSchema, ClassifiesObjectsAndControlsWithResultTypes) {
  const auto r =
      schema_of(outline({el("Image", "image", std::nullopt, 2), el("Text", "caption", std::nullopt, 3),
                         el("RectangleLabels", "box", "image", 4), el("Label", std::nullopt, std::nullopt, 5, 2),
                         el("Choices", "mood", " image , caption ", 6), el("Header", std::nullopt, std::nullopt, 7)}));
  ASSERT_TRUE(r.has_value()) << first_message(r);
  ASSERT_EQ(r->objects.size(), 2U);
  EXPECT_EQ(r->objects[0].name, "image");
  ASSERT_EQ(r->controls.size(), 2U);
  EXPECT_EQ(r->controls[0].type, "rectanglelabels");
  EXPECT_EQ(r->controls[1].type, "choices");
  EXPECT_EQ(r->controls[1].to_names, (std::vector<std::string>{"image", "caption"}));
  EXPECT_NE(r->control("box"), nullptr);
  EXPECT_EQ(r->control("image"), nullptr);
  EXPECT_NE(r->object("caption"), nullptr);
}

TEST(ConfigSchema, TagsCompareIgnoringCase) {
  const auto r = schema_of(outline({el("image", "img", std::nullopt, 2), el("CHOICES", "c", "img", 3)}, "view"));
  ASSERT_TRUE(r.has_value()) << first_message(r);
  EXPECT_EQ(r->controls[0].type, "choices");
}

TEST(ConfigSchema, ParseFailureIsReportedAsIs) {
  const auto r = schema_of(ParsedXml(std::unexpect, "configXml is not well-formed XML: x at line 2, column 3"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  EXPECT_EQ(r.error().details.front().path, "configXml");
  EXPECT_EQ(r.error().message, "configXml is not well-formed XML: x at line 2, column 3");
}

TEST(ConfigSchema, RootMustBeView) {
  const auto r = schema_of(outline({el("Image", "i", std::nullopt, 2)}, "Page"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(first_message(r), "configXml root element must be <View>, found <Page> at line 1");
}

TEST(ConfigSchema, NeedsAnObjectTag) {
  const auto r = schema_of(outline({el("Header", std::nullopt, std::nullopt, 2)}));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(first_message(r).find("no Label Studio object tag"), std::string::npos) << first_message(r);
}

TEST(ConfigSchema, ControlNeedsNameAndToName) {
  const auto r = schema_of(outline({el("Image", "img", std::nullopt, 2), el("Choices", std::nullopt, "img", 3),
                                    el("Labels", "l", std::nullopt, 4)}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().details.size(), 2U);
  EXPECT_EQ(r.error().details[0].message, "<Choices> at line 3 has no name attribute");
  EXPECT_EQ(r.error().details[1].message, "<Labels name=\"l\"> at line 4 has no toName attribute");
}

TEST(ConfigSchema, ObjectNeedsName) {
  const auto r = schema_of(outline({el("Image", std::nullopt, std::nullopt, 2)}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(first_message(r), "<Image> at line 2 has no name attribute");
}

TEST(ConfigSchema, ToNameMustNameAnObjectTag) {
  const auto r = schema_of(outline({el("Image", "image", std::nullopt, 2), el("Choices", "label", "image,img", 5),
                                    el("TextArea", "note", "label", 6)}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().details.size(), 2U);
  EXPECT_EQ(r.error().details[0].message,
            "<Choices name=\"label\"> at line 5: toName \"img\" names no object tag of this config");
  // A control is not an object.
  EXPECT_EQ(r.error().details[1].message,
            "<TextArea name=\"note\"> at line 6: toName \"label\" names no object tag of this config");
}

TEST(ConfigSchema, EmptyToNameEntryIsRefused) {
  const auto r = schema_of(outline({el("Image", "image", std::nullopt, 2), el("Choices", "label", "image,", 3)}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(first_message(r), "<Choices name=\"label\"> at line 3: toName has an empty entry");
}

TEST(ConfigSchema, NamesAreUnique) {
  const auto r = schema_of(outline({el("Image", "x", std::nullopt, 2), el("Choices", "x", "x", 4)}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(first_message(r), "<Choices name=\"x\"> at line 4: name \"x\" is already used at line 2");
}

}  // namespace
}  // namespace lf::domain::labeling_config
