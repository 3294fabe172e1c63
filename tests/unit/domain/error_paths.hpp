#pragma once
// The field paths of a refused command's details, for then-clauses like
// EXPECT_EQ(paths(error), (std::vector<std::string>{"name", "email"})).
#include <string>
#include <vector>

#include "domain/common/error.hpp"

namespace lf::domain {

inline std::vector<std::string> paths(const Error& e) {
  std::vector<std::string> out;
  out.reserve(e.details.size());
  for (const auto& d : e.details) {
    out.push_back(d.path);
  }
  return out;
}

}  // namespace lf::domain
