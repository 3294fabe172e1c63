#include "adapters/common/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "adapters/common/clock.hpp"

namespace lf::adapters::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_mu;
const char* name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}
}  // namespace

void set_level(Level level) { g_level = static_cast<int>(level); }

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_level.load()) {
    return;
  }
  std::string line =
      "{\"ts\":\"" + now_rfc3339() + "\",\"level\":\"" + name(level) + "\",\"msg\":\"" + json_escape(msg) + "\"";
  for (const auto& f : fields) {
    line += ",\"" + json_escape(f.key) + "\":";
    line += f.raw ? f.value : "\"" + json_escape(f.value) + "\"";
  }
  line += "}\n";
  const std::lock_guard lock(g_mu);
  std::fputs(line.c_str(), stderr);
}

}  // namespace lf::adapters::log
