#pragma once
// Structured logs: one JSON object per line on stderr. Never pass secrets as fields.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace lf::adapters::log {

enum class Level { debug, info, warn, error };

// A field's value is written as a JSON string unless it is marked raw (a number or JSON).
struct Field {
  std::string key;
  std::string value;
  bool raw = false;
};
inline Field num(std::string key, long long v) { return {std::move(key), std::to_string(v), true}; }

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void info(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::error, msg, f); }
// Minimum level written (default info; LABELFLEET_LOG_LEVEL=debug|info|warn|error).
void set_level(Level level);

// JSON string escaping, shared by everything that writes JSON by hand.
std::string json_escape(std::string_view s);

}  // namespace lf::adapters::log
