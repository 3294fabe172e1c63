#pragma once

namespace lf::domain {

// std::visit over a set of lambdas.
template <class... Ts>
struct overloaded : Ts... {  // NOLINT(readability-identifier-naming): the idiom's usual name
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace lf::domain
