#include "domain/setting/setting.hpp"

#include <algorithm>

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::setting {

std::string stream_id(const std::string& key) { return "setting-" + key; }

bool is_valid_key(const std::string& key) {
  if (key.empty() || key.size() > kMaxKey) {
    return false;
  }
  return std::ranges::all_of(key, [](const char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == ':';
  });
}

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  const auto& put = std::get<PutSetting>(command);
  std::vector<FieldIssue> issues;
  if (!is_valid_key(put.key)) {
    issues.push_back({"key", "must be 1-255 characters of letters, digits and . _ - :"});
  }
  if (put.value_json.empty()) {
    issues.push_back({"value", "is required"});
  }
  if (put.description && *put.description && text::length(**put.description) > kMaxDescription) {
    issues.push_back({"description", "must be at most 500 characters"});
  }
  if (!issues.empty()) {
    return fail(Errc::invalid, "Validation failed", std::move(issues));
  }
  if (!state.exists) {
    return std::vector<Event>{
        SettingCreated{put.new_id, put.key, put.value_json, put.description ? *put.description : std::nullopt}};
  }
  const auto description = put.description ? *put.description : state.description;
  if (put.value_json == state.value_json && description == state.description) {
    return std::vector<Event>{};  // an identical PUT records nothing
  }
  return std::vector<Event>{SettingChanged{state.id, state.key, put.value_json, description}};
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const SettingCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   state.key = e.key;
                   state.value_json = e.value_json;
                   state.description = e.description;
                 },
                 [&](const SettingChanged& e) {
                   state.value_json = e.value_json;
                   state.description = e.description;
                 },
             },
             event);
  ++state.version;
  return state;
}

}  // namespace lf::domain::setting
