#pragma once
// Building SQL parameter values that libpqxx 6.4 cannot bind natively.
#include <string>
#include <vector>

namespace lf::adapters::pg {

// A Postgres text[] literal for `$n::text[]`: every element double-quoted, " and \ escaped.
std::string text_array(const std::vector<std::string>& items);

}  // namespace lf::adapters::pg
