#pragma once
// Small pure helpers for validating and normalising text fields.
#include <cstddef>
#include <string>
#include <string_view>

namespace lf::domain::text {

// Number of Unicode code points in a UTF-8 string (length limits count characters, not bytes).
std::size_t length(std::string_view utf8);
std::string trim(std::string_view s);
std::string lower_ascii(std::string_view s);
// "#RRGGBB" with hex digits.
bool is_hex_color(std::string_view s);

}  // namespace lf::domain::text
