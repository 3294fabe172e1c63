#include "adapters/postgres/sql_text.hpp"

namespace lf::adapters::pg {

void ArrayLiteral::separate() {
  if (!empty()) {
    text_ += ',';
  }
}

void ArrayLiteral::add(std::string_view text) {
  separate();
  text_ += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      text_ += '\\';
    }
    text_ += c;
  }
  text_ += '"';
}

void ArrayLiteral::add_number(std::int64_t value) {
  separate();
  text_ += std::to_string(value);
}

void ArrayLiteral::add_null() {
  separate();
  text_ += "NULL";
}

std::string text_array(const std::vector<std::string>& items) {
  ArrayLiteral array;
  for (const auto& item : items) {
    array.add(item);
  }
  return array.literal();
}

}  // namespace lf::adapters::pg
