#pragma once

namespace lf::domain {

// std::visit over a set of lambdas.
template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace lf::domain
