#include "domain/role/role.hpp"

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::role {
namespace {

void check_name(const std::string& name, std::vector<FieldIssue>& issues) {
  const auto n = text::length(name);
  if (n == 0) {
    issues.push_back({"name", "must not be empty"});
  } else if (n > kMaxName) {
    issues.push_back({"name", "must be at most 100 characters"});
  }
}

void check_description(const std::optional<std::string>& d, std::vector<FieldIssue>& issues) {
  if (d && text::length(*d) > kMaxDescription) {
    issues.push_back({"description", "must be at most 500 characters"});
  }
}

void check_color(const std::optional<std::string>& c, std::vector<FieldIssue>& issues) {
  if (c && !text::is_hex_color(*c)) {
    issues.push_back({"color", "must be a hex colour like #3B82F6"});
  }
}

Result<std::vector<Event>> invalid(std::vector<FieldIssue> issues) {
  return fail(Errc::invalid, "Validation failed", std::move(issues));
}

Result<std::vector<Event>> create(const CreateRole& c, const State& s) {
  if (s.exists) {
    return fail(Errc::conflict, "Role already exists");
  }
  std::vector<FieldIssue> issues;
  const auto name = text::trim(c.name);
  check_name(name, issues);
  check_description(c.description, issues);
  check_color(c.color, issues);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  return std::vector<Event>{RoleCreated{c.id, name, c.description, c.color}};
}

Result<std::vector<Event>> update(const UpdateRole& c, const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Role not found");
  }
  if (!c.name && !c.description && !c.color) {
    return invalid({{"", "at least one of name, description, color is required"}});
  }
  RoleUpdated next{s.id, c.name ? text::trim(*c.name) : s.name, c.description ? *c.description : s.description,
                   c.color ? *c.color : s.color};
  std::vector<FieldIssue> issues;
  check_name(next.name, issues);
  check_description(next.description, issues);
  check_color(next.color, issues);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  if (next.name == s.name && next.description == s.description && next.color == s.color) {
    return std::vector<Event>{};  // nothing changes: nothing to record
  }
  return std::vector<Event>{std::move(next)};
}

Result<std::vector<Event>> remove(const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Role not found");
  }
  return std::vector<Event>{RoleDeleted{s.id}};
}

}  // namespace

std::string stream_id(std::int64_t id) { return "role-" + std::to_string(id); }

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  return std::visit(overloaded{
                        [&](const CreateRole& c) { return create(c, state); },
                        [&](const UpdateRole& c) { return update(c, state); },
                        [&](const DeleteRole&) { return remove(state); },
                    },
                    command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const RoleCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   state.name = e.name;
                   state.description = e.description;
                   state.color = e.color;
                 },
                 [&](const RoleUpdated& e) {
                   state.name = e.name;
                   state.description = e.description;
                   state.color = e.color;
                 },
                 [&](const RoleDeleted&) { state.deleted = true; },
             },
             event);
  ++state.version;
  return state;
}

Claims name_claims(const State& before, const std::vector<Event>& events) {
  std::optional<std::string> held;
  if (before.exists && !before.deleted) {
    held = text::lower_ascii(before.name);
  }
  return track_claims(held, events, [](const Event& event) {
    return std::visit(overloaded{
                          [](const RoleCreated& e) {
                            return std::pair{ClaimEffect::set, text::lower_ascii(e.name)};
                          },
                          [](const RoleUpdated& e) {
                            return std::pair{ClaimEffect::set, text::lower_ascii(e.name)};
                          },
                          [](const RoleDeleted&) {
                            return std::pair{ClaimEffect::release, std::string()};
                          },
                      },
                      event);
  });
}

}  // namespace lf::domain::role
