// Setting events survive encode -> decode with their value exactly as written.
#include "adapters/codec/setting_codec.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::codec {
namespace {

namespace setting = domain::setting;

domain::RecordedEvent recorded(std::string type, std::string data_json) {
  domain::RecordedEvent r;
  r.type = std::move(type);
  r.schema_version = 1;
  r.data_json = std::move(data_json);
  return r;
}

TEST(SettingCodec, DecodesTheValueWithItsNumbersAsWritten) {
  const setting::SettingCreated created{7, "ids.next",
                                        R"({"big":123456789012345678901234567890,"pi":3.14159265358979323846})", "d"};
  const auto e = encode(setting::Event{created});
  const auto decoded = decode_setting(recorded(e.type, e.data_json));
  ASSERT_TRUE(decoded.has_value()) << e.data_json;
  const auto* back = std::get_if<setting::SettingCreated>(&*decoded);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->value_json, created.value_json);
  EXPECT_EQ(back->id, 7);
  EXPECT_EQ(back->key, "ids.next");
  EXPECT_EQ(back->description, "d");
}

TEST(SettingCodec, DecodesAValueWrittenWithWhitespaceToItsCompactText) {
  // Another writer of the log (or jsonb's output) may space a value out.
  const auto decoded = decode_setting(
      recorded("setting.changed", R"({"id": 3, "key": "k", "value": [1E2, {"a": -0}], "description": null})"));
  ASSERT_TRUE(decoded.has_value());
  const auto* back = std::get_if<setting::SettingChanged>(&*decoded);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->value_json, R"([1E2,{"a":-0}])");
  EXPECT_EQ(back->description, std::nullopt);
}

}  // namespace
}  // namespace lf::adapters::codec
