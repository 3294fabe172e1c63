#pragma once
// Shared by the labeling-config and gold-task suites: one `labelfleet serve` per suite, a
// viewer account, and helpers to create configs and gold tasks over HTTP.
#include <string>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {

// A valid image-classification config with a bounding-box control (2 controls, 1 object).
inline const std::string kClassificationXml =
    "<View>\n"
    "  <Image name=\"image\" value=\"$image\"/>\n"
    "  <Choices name=\"label\" toName=\"image\">\n"
    "    <Choice value=\"cat\"/>\n"
    "    <Choice value=\"dog\"/>\n"
    "  </Choices>\n"
    "  <RectangleLabels name=\"box\" toName=\"image\">\n"
    "    <Label value=\"cat\"/>\n"
    "  </RectangleLabels>\n"
    "</View>";

inline const std::string kCatLabels =
    R"([{"from_name":"label","to_name":"image","type":"choices","value":{"choices":["cat"]}}])";

// One `labelfleet serve` for a whole suite, a viewer account, and config and gold-task helpers:
// `class X : public LabelingSuite<X>`.
template <class Suite>
class LabelingSuite : public ServedSuite<Suite> {
  using Base = ServedSuite<Suite>;

 public:
  static void after_start() {
    const auto email = "labeling-viewer-" + unique_suffix() + "@e2e.local";
    const auto r =
        Base::post("/api/users", R"({"email":)" + json_quote(email) +
                                     R"(,"displayName":"Viewer","password":"viewer-password-1","role":"viewer"})");
    if (r.status != 201) {
      Base::setup_error = "cannot create the viewer: " + r.body;
      return;
    }
    viewer_token = Base::shared_server->login(email, "viewer-password-1");
  }

 protected:
  using Base::post;

  void SetUp() override {
    Base::SetUp();
    if (Base::suite_setup_failed()) {
      return;
    }
    ASSERT_FALSE(viewer_token.empty()) << "the viewer could not log in";
  }

  static Headers as_viewer() { return bearer(viewer_token); }

  static std::string config_body(const std::string& name, const std::string& xml) {
    return R"({"name":)" + json_quote(name) + R"(,"configXml":)" + json_quote(xml) + "}";
  }

  // Creates a labeling config; its id, or 0 (and a test failure).
  static std::int64_t create_config(const std::string& xml = kClassificationXml) {
    const auto r = post("/api/labeling-configs", config_body("config-" + unique_suffix(), xml));
    EXPECT_EQ(r.status, 201) << r.body;
    return int_member(parse_json(r.body), "id").value_or(0);
  }

  static std::string gold_body(std::int64_t config_id, const std::string& labels = kCatLabels,
                               const std::string& more = "") {
    return R"({"s3ImageKey":"gold/cat_001.jpg","expectedLabels":)" + labels + R"(,"labelingConfigId":)" +
           std::to_string(config_id) + more + "}";
  }

  // Creates a gold task; its id, or 0 (and a test failure).
  static std::int64_t create_gold(std::int64_t config_id, const std::string& more = "") {
    const auto r = post("/api/gold-tasks", gold_body(config_id, kCatLabels, more));
    EXPECT_EQ(r.status, 201) << r.body;
    return int_member(parse_json(r.body), "id").value_or(0);
  }

  static std::string config_path(std::int64_t id) { return "/api/labeling-configs/" + std::to_string(id); }
  static std::string gold_path(std::int64_t id) { return "/api/gold-tasks/" + std::to_string(id); }

  // The "error" message of an error body.
  static std::string error_of(const HttpResult& r) { return string_member(parse_json(r.body), "error").value_or(""); }

  // Every detail message of an error body, joined.
  static std::string detail_messages(const HttpResult& r) {
    std::string out;
    const auto d = parse_json(r.body);
    if (d.IsObject() && d.HasMember("details") && d["details"].IsArray()) {
      for (const auto& item : d["details"].GetArray()) {
        out += string_member(item, "path").value_or("?") + ": " + string_member(item, "message").value_or("") + "\n";
      }
    }
    return out;
  }

  inline static std::string viewer_token;
};

}  // namespace lf::e2e
