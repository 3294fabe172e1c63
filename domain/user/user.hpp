#pragma once
// The User aggregate: who may call the API. A user is an admin (everything) or a viewer
// (reads only), active or disabled. Passwords reach the domain already hashed (Argon2id in
// the shell); the hash lives only in events, never in read models or answers.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/access.hpp"
#include "domain/common/claims.hpp"
#include "domain/common/error.hpp"

namespace lf::domain::user {

inline constexpr const char* kStreamType = "user";
inline constexpr const char* kEmailScope = "user.email";
inline constexpr std::size_t kMaxEmail = 255;
inline constexpr std::size_t kMaxName = 255;
inline constexpr std::size_t kMinPassword = 8;
inline constexpr std::size_t kMaxPassword = 256;

using domain::Role;

std::string stream_id(std::int64_t id);
// A plain-text password's rules, checked by the shell before hashing.
std::vector<FieldIssue> check_password(const std::string& password);
bool is_valid_email(const std::string& email);

struct State {
  bool exists = false;
  bool deleted = false;
  std::int64_t id = 0;
  std::int64_t version = 0;
  std::string email;
  std::string display_name;
  Role role = Role::viewer;
  bool active = true;
  std::string password_hash;
};

struct UserCreated {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::viewer;
  bool active = true;
  std::string password_hash;
};
// The user's public fields after the change.
struct UserUpdated {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::viewer;
  bool active = true;
};
struct PasswordChanged {
  std::int64_t id = 0;
  std::string password_hash;
};
struct UserDeleted {
  std::int64_t id = 0;
};
using Event = std::variant<UserCreated, UserUpdated, PasswordChanged, UserDeleted>;

struct CreateUser {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::viewer;
  bool active = true;
  std::string password_hash;
};
struct UpdateUser {
  std::optional<std::string> email;
  std::optional<std::string> display_name;
  std::optional<Role> role;
  std::optional<bool> active;
  std::optional<std::string> password_hash;  // a new password, hashed
};
struct DeleteUser {};
using Command = std::variant<CreateUser, UpdateUser, DeleteUser>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// Emails are unique across users, compared case-insensitively.
Claims email_claims(const State& before, const std::vector<Event>& events);

}  // namespace lf::domain::user
