// GoldTask decider: given events / when command / then events or error.
#include "domain/gold_task/gold_task.hpp"

#include <gtest/gtest.h>

#include "tests/unit/domain/error_paths.hpp"

namespace lf::domain::gold_task {
namespace {

using labeling_config::ConfigSchema;

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

// <Image name="image"/><Text name="caption"/><Choices name="label" toName="image"/>
// <RectangleLabels name="box" toName="image"/>
ConfigSchema config() {
  ConfigSchema c;
  c.objects = {{"image", "Image", 2}, {"caption", "Text", 3}};
  c.controls = {{"label", "Choices", "choices", {"image"}, 4},
                {"box", "RectangleLabels", "rectanglelabels", {"image"}, 5}};
  return c;
}

ExpectedLabel label(std::string from, std::string to, std::string type) {
  return {true, std::move(from), std::move(to), std::move(type), true};
}

const std::string kLabelsJson =
    R"([{"from_name":"label","to_name":"image","type":"choices","value":{"choices":["cat"]}}])";
ExpectedLabels cat_labels() { return {kLabelsJson, {label("label", "image", "choices")}}; }

GoldTaskCreated created() {
  GoldTaskCreated e;
  e.id = 9;
  e.name = "Gold - Cat";
  e.s3_image_key = "gold/cat_001.jpg";
  e.expected_labels_json = kLabelsJson;
  e.labeling_config_id = 1;
  e.category = "animals";
  e.difficulty = "easy";
  return e;
}

CreateGoldTask create_command() {
  CreateGoldTask c;
  c.id = 9;
  c.name = "Gold - Cat";
  c.s3_image_key = "gold/cat_001.jpg";
  c.expected_labels = cat_labels();
  c.labeling_config_id = 1;
  c.category = "animals";
  c.difficulty = "easy";
  c.config = config();
  return c;
}

TEST(GoldTaskDecider, CreateRecordsTheWholeTask) {
  const auto r = decide(create_command(), given({}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ(static_cast<const GoldTaskFields&>(std::get<GoldTaskCreated>(r->front())),
            static_cast<const GoldTaskFields&>(created()));
}

TEST(GoldTaskDecider, CreateWithMissingConfigIsInvalidNotFound) {
  auto c = create_command();
  c.config.reset();
  const auto r = decide(c, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  EXPECT_EQ(r.error().message, "Labeling config not found");
  EXPECT_EQ(paths(r.error()), std::vector<std::string>{"labelingConfigId"});
}

TEST(GoldTaskDecider, CreateChecksTheFields) {
  auto c = create_command();
  c.name = std::string(256, 'n');
  c.s3_image_key = "  ";
  c.category = std::string(101, 'c');
  c.difficulty = "extreme";
  const auto r = decide(c, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(paths(r.error()), (std::vector<std::string>{"name", "s3ImageKey", "category", "difficulty"}));
  c = create_command();
  c.s3_image_key = std::string(1025, 'k');
  EXPECT_EQ(paths(decide(c, given({})).error()), std::vector<std::string>{"s3ImageKey"});
}

TEST(GoldTaskDecider, ExpectedLabelsMustNotBeEmpty) {
  auto c = create_command();
  c.expected_labels = {"[]", {}};
  const auto r = decide(c, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(paths(r.error()), std::vector<std::string>{"expectedLabels"});
}

TEST(GoldTaskDecider, EachLabelMustFitTheConfig) {
  const std::vector<ExpectedLabel> labels{
      label("label", "image", "choices"),                        // fine
      label("nope", "image", "choices"),                         // unknown control
      label("label", "caption", "choices"),                      // an object the control does not label
      label("box", "image", "choices"),                          // wrong type for the control
      label("nope", "nothing", "x"),                             // unknown control and unknown object
      {false, std::nullopt, std::nullopt, std::nullopt, false},  // not an object
      {true, std::nullopt, std::nullopt, std::nullopt, false},   // nothing in it
  };
  const auto issues = check_expected_labels(labels, config());
  std::vector<std::string> got;
  got.reserve(issues.size());
  for (const auto& i : issues) {
    got.push_back(i.path);
  }
  EXPECT_EQ(got,
            (std::vector<std::string>{"expectedLabels/1/from_name", "expectedLabels/2/to_name", "expectedLabels/3/type",
                                      "expectedLabels/4/from_name", "expectedLabels/4/to_name", "expectedLabels/5",
                                      "expectedLabels/6/from_name", "expectedLabels/6/to_name", "expectedLabels/6/type",
                                      "expectedLabels/6/value"}));
  EXPECT_EQ(issues[2].message, "must be \"rectanglelabels\" for control \"box\" (<RectangleLabels>)");
}

TEST(GoldTaskDecider, UpdateKeepsWhatItDoesNotMentionAndClearsNulls) {
  UpdateGoldTask u;
  u.name = std::optional<std::string>{};
  u.s3_image_key = "gold/cat_002.jpg";
  u.config = config();
  u.current_labels = cat_labels().items;
  const auto r = decide(u, given({created()}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto& e = std::get<GoldTaskUpdated>(r->front());
  EXPECT_FALSE(e.name.has_value());
  EXPECT_EQ(e.s3_image_key, "gold/cat_002.jpg");
  EXPECT_EQ(e.expected_labels_json, kLabelsJson);
  EXPECT_EQ(e.category, "animals");
  EXPECT_EQ(e.difficulty, "easy");
}

TEST(GoldTaskDecider, NewConfigReChecksTheLabelsTheTaskHas) {
  ConfigSchema other;
  other.objects = {{"photo", "Image", 2}};
  other.controls = {{"label", "Choices", "choices", {"photo"}, 3}};
  UpdateGoldTask u;
  u.labeling_config_id = 2;
  u.config = other;
  u.current_labels = cat_labels().items;
  const auto r = decide(u, given({created()}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(paths(r.error()), std::vector<std::string>{"expectedLabels/0/to_name"});
  // New labels that fit the new config are accepted.
  u.expected_labels = ExpectedLabels{R"([{"from_name":"label","to_name":"photo","type":"choices","value":{}}])",
                                     {label("label", "photo", "choices")}};
  const auto ok = decide(u, given({created()}));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(std::get<GoldTaskUpdated>(ok->front()).labeling_config_id, 2);
}

TEST(GoldTaskDecider, UpdateToMissingConfigIsInvalid) {
  UpdateGoldTask u;
  u.labeling_config_id = 5;
  const auto r = decide(u, given({created()}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  EXPECT_EQ(r.error().message, "Labeling config not found");
}

TEST(GoldTaskDecider, UpdateNeedsAFieldAndSameValuesRecordNothing) {
  UpdateGoldTask none;
  none.config = config();
  EXPECT_EQ(decide(none, given({created()})).error().code, Errc::invalid);
  UpdateGoldTask same;
  same.category = std::optional<std::string>{"animals"};
  same.config = config();
  same.current_labels = cat_labels().items;
  const auto r = decide(same, given({created()}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(GoldTaskDecider, MissingOrDeletedTaskIsNotFound) {
  UpdateGoldTask u;
  u.s3_image_key = "k";
  EXPECT_EQ(decide(u, given({})).error().code, Errc::not_found);
  EXPECT_EQ(decide(DeleteGoldTask{}, given({})).error().code, Errc::not_found);
  const auto deleted = given({created(), GoldTaskDeleted{9}});
  EXPECT_TRUE(deleted.deleted);
  EXPECT_EQ(decide(DeleteGoldTask{}, deleted).error().code, Errc::not_found);
  EXPECT_EQ(decide(create_command(), deleted).error().code, Errc::conflict);
}

TEST(GoldTaskDecider, DeleteRecordsDeleted) {
  const auto r = decide(DeleteGoldTask{}, given({created()}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<GoldTaskDeleted>(r->front()).id, 9);
}

}  // namespace
}  // namespace lf::domain::gold_task
