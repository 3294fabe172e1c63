#pragma once
// The Role aggregate: roles govern which annotators receive which workflows.
// Decider: decide(command, state) -> events | error; evolve(state, event) -> state.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/claims.hpp"
#include "domain/common/error.hpp"

namespace lf::domain::role {

inline constexpr const char* kStreamType = "role";
inline constexpr const char* kNameScope = "role.name";
inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxDescription = 500;

std::string stream_id(std::int64_t id);

struct State {
  bool exists = false;
  bool deleted = false;
  std::int64_t id = 0;
  std::int64_t version = 0;  // stream version the state was folded to
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> color;
};

// ---- events
struct RoleCreated {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> color;
};
// Carries the role's fields after the change, so a consumer needs no earlier event.
struct RoleUpdated {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> color;
};
struct RoleDeleted {
  std::int64_t id = 0;
};
using Event = std::variant<RoleCreated, RoleUpdated, RoleDeleted>;

// ---- commands
struct CreateRole {
  std::int64_t id = 0;  // allocated by the shell before deciding
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> color;
};
// Absent members are left as they are; a present null clears an optional field.
struct UpdateRole {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<std::optional<std::string>> color;
};
struct DeleteRole {};
using Command = std::variant<CreateRole, UpdateRole, DeleteRole>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// The role-name claims an accepted decision takes and gives back (names are unique,
// compared case-insensitively).
Claims name_claims(const State& before, const std::vector<Event>& events);

}  // namespace lf::domain::role
