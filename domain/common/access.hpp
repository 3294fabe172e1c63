#pragma once
// Who may do what: an admin may do everything, a viewer every read and nothing else.
#include <optional>
#include <string>

namespace lf::domain {

enum class Role { admin, viewer };

inline const char* to_string(Role role) { return role == Role::admin ? "admin" : "viewer"; }

inline std::optional<Role> parse_role(const std::string& text) {
  if (text == "admin") {
    return Role::admin;
  }
  if (text == "viewer") {
    return Role::viewer;
  }
  return std::nullopt;
}

}  // namespace lf::domain
