// LabelingConfig decider: given events / when command / then events or error.
#include "domain/labeling_config/labeling_config.hpp"

#include <gtest/gtest.h>

namespace lf::domain::labeling_config {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

// The outline of <View><Image name="image"/><Choices name="label" toName="image"/></View>.
ParsedXml good_outline() {
  XmlOutline o;
  o.elements = {{"View", std::nullopt, std::nullopt, 1, 0},
                {"Image", "image", std::nullopt, 2, 1},
                {"Choices", "label", "image", 3, 1}};
  return o;
}

ParsedXml broken(const std::string& why) { return ParsedXml(std::unexpect, why); }

const std::string kXml = "<View><Image name=\"image\"/><Choices name=\"label\" toName=\"image\"/></View>";
const LabelingConfigCreated kCreated{3, "Image Classification", "Single-label", kXml};

TEST(LabelingConfigDecider, CreateRecordsTheConfigWithTrimmedName) {
  const auto r =
      decide(CreateLabelingConfig{3, "  Image Classification ", "Single-label", kXml, good_outline()}, given({}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  const auto& e = std::get<LabelingConfigCreated>(r->front());
  EXPECT_EQ(e.id, 3);
  EXPECT_EQ(e.name, "Image Classification");
  EXPECT_EQ(e.description, "Single-label");
  EXPECT_EQ(e.config_xml, kXml);
}

TEST(LabelingConfigDecider, CreateReportsFieldAndXmlProblemsTogether) {
  const auto r = decide(CreateLabelingConfig{3, " ", std::string(501, 'd'), "<View",
                                             broken("configXml is not well-formed XML: boom at line 1, column 6")},
                        given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  ASSERT_EQ(r.error().details.size(), 3U);
  EXPECT_EQ(r.error().details[0].path, "name");
  EXPECT_EQ(r.error().details[1].path, "description");
  EXPECT_EQ(r.error().details[2].path, "configXml");
  EXPECT_EQ(r.error().message, "Invalid configXml: configXml is not well-formed XML: boom at line 1, column 6");
}

TEST(LabelingConfigDecider, XmlLimitCountsCharacters) {
  std::string xml = "<View><Image name=\"image\"/><Choices name=\"label\" toName=\"image\"/><!--";
  while (xml.size() < 50000 - 3) {
    xml += "x";
  }
  xml += "-->";
  ASSERT_EQ(xml.size(), 50000U);
  EXPECT_TRUE(decide(CreateLabelingConfig{1, "n", std::nullopt, xml, good_outline()}, given({})).has_value());
  const auto r = decide(CreateLabelingConfig{1, "n", std::nullopt, xml + " ", good_outline()}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().details.front().path, "configXml");
  EXPECT_NE(r.error().details.front().message.find("50000"), std::string::npos);
}

TEST(LabelingConfigDecider, CreateOnExistingStreamConflicts) {
  const auto r = decide(CreateLabelingConfig{3, "x", std::nullopt, kXml, good_outline()}, given({kCreated}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::conflict);
}

TEST(LabelingConfigDecider, UpdateKeepsWhatItDoesNotMention) {
  const auto r = decide(UpdateLabelingConfig{"Renamed", std::nullopt, std::nullopt, XmlOutline{}}, given({kCreated}));
  ASSERT_TRUE(r.has_value());
  const auto& e = std::get<LabelingConfigUpdated>(r->front());
  EXPECT_EQ(e.name, "Renamed");
  EXPECT_EQ(e.description, "Single-label");
  EXPECT_EQ(e.config_xml, kXml);
  EXPECT_FALSE(changes_xml(given({kCreated}), *r));
}

TEST(LabelingConfigDecider, UpdateClearsDescriptionWithNull) {
  const auto r = decide(UpdateLabelingConfig{std::nullopt, std::optional<std::string>{}, std::nullopt, XmlOutline{}},
                        given({kCreated}));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(std::get<LabelingConfigUpdated>(r->front()).description.has_value());
}

TEST(LabelingConfigDecider, UpdateWithNewXmlChangesXml) {
  const auto xml = kXml + "\n";
  const auto r = decide(UpdateLabelingConfig{std::nullopt, std::nullopt, xml, good_outline()}, given({kCreated}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(changes_xml(given({kCreated}), *r));
}

TEST(LabelingConfigDecider, UpdateWithSameValuesRecordsNothing) {
  const auto r =
      decide(UpdateLabelingConfig{"Image Classification", std::nullopt, kXml, good_outline()}, given({kCreated}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
  EXPECT_FALSE(changes_xml(given({kCreated}), *r));
}

TEST(LabelingConfigDecider, UpdateChecksNewXml) {
  XmlOutline no_objects;
  no_objects.elements = {{"View", std::nullopt, std::nullopt, 1, 0}};
  const auto r = decide(UpdateLabelingConfig{std::nullopt, std::nullopt, "<View/>", no_objects}, given({kCreated}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().details.front().path, "configXml");
}

TEST(LabelingConfigDecider, UpdateNeedsAField) {
  const auto r = decide(UpdateLabelingConfig{}, given({kCreated}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
}

TEST(LabelingConfigDecider, UpdateAndDeleteOfMissingOrDeletedConfigAreNotFound) {
  EXPECT_EQ(decide(UpdateLabelingConfig{"x", std::nullopt, std::nullopt, XmlOutline{}}, given({})).error().code,
            Errc::not_found);
  EXPECT_EQ(decide(DeleteLabelingConfig{}, given({})).error().code, Errc::not_found);
  const auto deleted = given({kCreated, LabelingConfigDeleted{3}});
  EXPECT_EQ(decide(DeleteLabelingConfig{}, deleted).error().code, Errc::not_found);
}

TEST(LabelingConfigDecider, DeleteRecordsDeleted) {
  const auto r = decide(DeleteLabelingConfig{}, given({kCreated}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<LabelingConfigDeleted>(r->front()).id, 3);
  EXPECT_EQ(given({kCreated, LabelingConfigDeleted{3}}).version, 2);
}

}  // namespace
}  // namespace lf::domain::labeling_config
