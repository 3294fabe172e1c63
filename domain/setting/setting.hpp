#pragma once
// The Setting aggregate: one key of the system configuration, holding any JSON value.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/error.hpp"

namespace lf::domain::setting {

inline constexpr const char* kStreamType = "setting";
inline constexpr std::size_t kMaxKey = 255;
inline constexpr std::size_t kMaxDescription = 500;

std::string stream_id(const std::string& key);
// Keys are 1-255 characters of letters, digits and . _ - : (they appear in URLs).
bool is_valid_key(const std::string& key);

struct State {
  bool exists = false;
  std::int64_t id = 0;
  std::int64_t version = 0;
  std::string key;
  std::string value_json;  // canonical JSON text of the value
  std::optional<std::string> description;
};

struct SettingCreated {
  std::int64_t id = 0;
  std::string key;
  std::string value_json;
  std::optional<std::string> description;
};
struct SettingChanged {
  std::int64_t id = 0;
  std::string key;
  std::string value_json;
  std::optional<std::string> description;
};
using Event = std::variant<SettingCreated, SettingChanged>;

// Upsert. new_id is used only when the setting does not exist yet; an absent description
// keeps the current one, a present null clears it.
struct PutSetting {
  std::int64_t new_id = 0;
  std::string key;
  std::string value_json;
  std::optional<std::optional<std::string>> description;
};
using Command = std::variant<PutSetting>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

}  // namespace lf::domain::setting
