// Setting decider: given events / when command / then events or error.
#include "domain/setting/setting.hpp"

#include <gtest/gtest.h>

namespace lf::domain::setting {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

const SettingCreated kBucket{3, "s3.bucket", R"("my-bucket")", "where images live"};

TEST(SettingDecider, FirstPutCreates) {
  const auto r = decide(PutSetting{3, "s3.bucket", R"("my-bucket")", std::optional<std::string>{"d"}}, given({}));
  ASSERT_TRUE(r.has_value());
  const auto& created = std::get<SettingCreated>(r->front());
  EXPECT_EQ(created.id, 3);
  EXPECT_EQ(created.value_json, R"("my-bucket")");
  EXPECT_EQ(created.description, "d");
}

TEST(SettingDecider, LaterPutChangesAndKeepsTheIdAndAnAbsentDescription) {
  const auto r = decide(PutSetting{99, "s3.bucket", R"({"name":"other"})", std::nullopt}, given({kBucket}));
  ASSERT_TRUE(r.has_value());
  const auto& changed = std::get<SettingChanged>(r->front());
  EXPECT_EQ(changed.id, 3);
  EXPECT_EQ(changed.value_json, R"({"name":"other"})");
  EXPECT_EQ(changed.description, "where images live");
}

TEST(SettingDecider, NullDescriptionClearsIt) {
  const auto r = decide(PutSetting{0, "s3.bucket", R"("my-bucket")", std::optional<std::string>{}}, given({kBucket}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ(std::get<SettingChanged>(r->front()).description, std::nullopt);
}

TEST(SettingDecider, IdenticalPutRecordsNothing) {
  const auto r = decide(PutSetting{0, "s3.bucket", R"("my-bucket")", std::nullopt}, given({kBucket}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(SettingDecider, RejectsBadKeyMissingValueAndLongDescription) {
  const auto r = decide(PutSetting{1, "has space", "", std::optional<std::string>{std::string(501, 'x')}}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  ASSERT_EQ(r.error().details.size(), 3U);
  EXPECT_EQ(r.error().details[0].path, "key");
  EXPECT_EQ(r.error().details[1].path, "value");
  EXPECT_EQ(r.error().details[2].path, "description");
}

TEST(SettingKeys, AllowsDottedNamesUpTo255) {
  EXPECT_TRUE(is_valid_key("s3.bucket"));
  EXPECT_TRUE(is_valid_key(std::string(255, 'k')));
  EXPECT_FALSE(is_valid_key(std::string(256, 'k')));
  EXPECT_FALSE(is_valid_key(""));
  EXPECT_FALSE(is_valid_key("a/b"));
}

}  // namespace
}  // namespace lf::domain::setting
