#pragma once
// Building SQL parameter values that libpqxx 6.4 cannot bind natively.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lf::adapters::pg {

// A Postgres array literal built element by element ("{…}"): every text element double-quoted
// with " and \ escaped, so no element is read as NULL or split; numbers and NULL as they are.
class ArrayLiteral {
 public:
  void add(std::string_view text);
  void add_number(std::int64_t value);
  void add_null();
  bool empty() const { return text_.size() == 1; }
  std::string literal() const { return text_ + "}"; }

 private:
  void separate();
  std::string text_ = "{";
};

// A Postgres text[] literal for `$n::text[]`.
std::string text_array(const std::vector<std::string>& items);

}  // namespace lf::adapters::pg
