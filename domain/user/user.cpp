#include "domain/user/user.hpp"

#include <algorithm>

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::user {
namespace {

void check_fields(const std::string& email, const std::string& display_name, std::vector<FieldIssue>& issues) {
  if (!is_valid_email(email)) {
    issues.push_back({"email", "must be a valid email address"});
  }
  const auto n = text::length(display_name);
  if (n == 0) {
    issues.push_back({"displayName", "must not be empty"});
  } else if (n > kMaxName) {
    issues.push_back({"displayName", "must be at most 255 characters"});
  }
}

Result<std::vector<Event>> create(const CreateUser& c, const State& s) {
  if (s.exists) {
    return fail(Errc::conflict, "User already exists");
  }
  std::vector<FieldIssue> issues;
  const auto email = text::trim(c.email);
  const auto name = text::trim(c.display_name);
  check_fields(email, name, issues);
  if (c.password_hash.empty()) {
    issues.push_back({"password", "is required"});
  }
  if (!issues.empty()) {
    return fail(Errc::invalid, "Validation failed", std::move(issues));
  }
  return std::vector<Event>{UserCreated{c.id, email, name, c.role, c.active, c.password_hash}};
}

Result<std::vector<Event>> update(const UpdateUser& c, const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "User not found");
  }
  if (!c.email && !c.display_name && !c.role && !c.active && !c.password_hash) {
    return fail(Errc::invalid, "Validation failed",
                {{"", "at least one of email, displayName, role, active, password is required"}});
  }
  UserUpdated next{s.id, c.email ? text::trim(*c.email) : s.email,
                   c.display_name ? text::trim(*c.display_name) : s.display_name, c.role.value_or(s.role),
                   c.active.value_or(s.active)};
  std::vector<FieldIssue> issues;
  check_fields(next.email, next.display_name, issues);
  if (!issues.empty()) {
    return fail(Errc::invalid, "Validation failed", std::move(issues));
  }
  std::vector<Event> events;
  if (next.email != s.email || next.display_name != s.display_name || next.role != s.role || next.active != s.active) {
    events.emplace_back(std::move(next));
  }
  if (c.password_hash) {
    events.emplace_back(PasswordChanged{s.id, *c.password_hash});
  }
  return events;
}

}  // namespace

std::string stream_id(std::int64_t id) { return "user-" + std::to_string(id); }

bool is_valid_email(const std::string& email) {
  // Deliberately simple: one @, a non-empty local part, a dotted domain, no spaces.
  if (email.size() < 3 || email.size() > kMaxEmail) {
    return false;
  }
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return false;
  }
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= domain.size() || domain.back() == '.') {
    return false;
  }
  return std::ranges::none_of(
      email, [](const char c) { return c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';'; });
}

std::vector<FieldIssue> check_password(const std::string& password) {
  const auto n = text::length(password);
  if (n < kMinPassword) {
    return {{"password", "must be at least 8 characters"}};
  }
  if (n > kMaxPassword) {
    return {{"password", "must be at most 256 characters"}};
  }
  return {};
}

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  return std::visit(overloaded{
                        [&](const CreateUser& c) { return create(c, state); },
                        [&](const UpdateUser& c) { return update(c, state); },
                        [&](const DeleteUser&) -> Result<std::vector<Event>> {
                          if (!state.exists || state.deleted) {
                            return fail(Errc::not_found, "User not found");
                          }
                          return std::vector<Event>{UserDeleted{state.id}};
                        },
                    },
                    command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const UserCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   state.email = e.email;
                   state.display_name = e.display_name;
                   state.role = e.role;
                   state.active = e.active;
                   state.password_hash = e.password_hash;
                 },
                 [&](const UserUpdated& e) {
                   state.email = e.email;
                   state.display_name = e.display_name;
                   state.role = e.role;
                   state.active = e.active;
                 },
                 [&](const PasswordChanged& e) { state.password_hash = e.password_hash; },
                 [&](const UserDeleted&) {
                   state.deleted = true;
                   state.active = false;
                 },
             },
             event);
  ++state.version;
  return state;
}

Claims email_claims(const State& before, const std::vector<Event>& events) {
  std::optional<std::string> held;
  if (before.exists && !before.deleted) {
    held = text::lower_ascii(before.email);
  }
  return track_claims(held, events, [](const Event& event) {
    return std::visit(overloaded{
                          [](const UserCreated& e) {
                            return std::pair{ClaimEffect::set, text::lower_ascii(e.email)};
                          },
                          [](const UserUpdated& e) {
                            return std::pair{ClaimEffect::set, text::lower_ascii(e.email)};
                          },
                          [](const PasswordChanged&) {
                            return std::pair{ClaimEffect::none, std::string()};
                          },
                          [](const UserDeleted&) {
                            return std::pair{ClaimEffect::release, std::string()};
                          },
                      },
                      event);
  });
}

}  // namespace lf::domain::user
