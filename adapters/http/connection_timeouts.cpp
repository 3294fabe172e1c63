#include "adapters/http/connection_timeouts.hpp"

#include <algorithm>

namespace lf::adapters::http {

TimeoutAction on_timeout(ConnectionWait wait, std::chrono::milliseconds waited, const ConnectionTimeouts& limits) {
  switch (wait) {
    case ConnectionWait::request_start: return waited > limits.idle ? TimeoutAction::close : TimeoutAction::none;
    case ConnectionWait::request_rest:
      return waited > limits.request ? TimeoutAction::answer_timeout : TimeoutAction::none;
    case ConnectionWait::answer_out: return waited > limits.request ? TimeoutAction::close : TimeoutAction::none;
    case ConnectionWait::client_close: return waited > limits.linger ? TimeoutAction::close : TimeoutAction::none;
    case ConnectionWait::answer: return TimeoutAction::none;
  }
  return TimeoutAction::none;
}

std::chrono::milliseconds sweep_period(const ConnectionTimeouts& limits) {
  const auto shortest = std::min({limits.idle, limits.request, limits.linger});
  return std::clamp(shortest / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
}

}  // namespace lf::adapters::http
