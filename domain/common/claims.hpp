#pragma once
// Follows one unique value (a role's name, a user's email) through decided events and says
// which values the append must claim and release (docs/adr/0005).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lf::domain {

struct Claims {
  std::vector<std::string> claim;
  std::vector<std::string> release;
};

enum class ClaimEffect { none, set, release };

// `held`: the value the stream holds before the events (normalised), if any.
// `effect(event)`: {set, value} when the event gives the stream `value`, {release, ""} when it
// frees it, {none, ""} otherwise.
template <class Event, class Effect>
Claims track_claims(std::optional<std::string> held, const std::vector<Event>& events, Effect effect) {
  Claims out;
  for (const auto& event : events) {
    auto [kind, value] = effect(event);
    if (kind == ClaimEffect::set && held != value) {
      if (held) {
        out.release.push_back(*held);
      }
      out.claim.push_back(value);
      held = std::move(value);
    } else if (kind == ClaimEffect::release && held) {
      out.release.push_back(*held);
      held.reset();
    }
  }
  return out;
}

}  // namespace lf::domain
