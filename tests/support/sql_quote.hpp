#pragma once
// A SQL string literal in standard quoting (standard_conforming_strings = on): for tests that
// write SQL by hand, and as the stand-in for libpq's quoting where no server is at hand.
#include <string>
#include <string_view>

namespace lf::testing {

inline std::string sql_text(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

}  // namespace lf::testing
