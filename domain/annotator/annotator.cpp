#include "domain/annotator/annotator.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::annotator {
namespace {

constexpr std::array<std::pair<Status, const char*>, 7> kStatusNames{{
    {Status::created, "created"},
    {Status::starting, "starting"},
    {Status::active, "active"},
    {Status::stopping, "stopping"},
    {Status::stopped, "stopped"},
    {Status::error, "error"},
    {Status::deleted, "deleted"},
}};

void check_name(const std::string& name, std::vector<FieldIssue>& issues) {
  const auto n = text::length(name);
  if (n == 0) {
    issues.push_back({"name", "must not be empty"});
  } else if (n > kMaxName) {
    issues.push_back({"name", "must be at most 255 characters"});
  }
}

void check_email(const std::string& email, std::vector<FieldIssue>& issues) {
  if (!is_valid_email(email)) {
    issues.push_back({"email", "must be a valid email address"});
  }
}

void check_notes(const std::optional<std::string>& notes, std::vector<FieldIssue>& issues) {
  if (notes && text::length(*notes) > kMaxNotes) {
    issues.push_back({"notes", "must be at most 2000 characters"});
  }
}

void check_role(const std::optional<std::int64_t>& role_id, bool role_exists, std::vector<FieldIssue>& issues) {
  if (role_id && !role_exists) {
    issues.push_back({"roleId", "role " + std::to_string(*role_id) + " does not exist"});
  }
}

std::vector<FieldIssue> check_create(const CreateAnnotator& c, const std::string& name, const std::string& email) {
  std::vector<FieldIssue> issues;
  check_name(name, issues);
  check_email(email, issues);
  check_role(c.role_id, c.role_exists, issues);
  check_notes(c.notes, issues);
  return issues;
}

Result<std::vector<Event>> invalid(std::vector<FieldIssue> issues) {
  return fail(Errc::invalid, "Validation failed", std::move(issues));
}

Result<std::vector<Event>> not_found() { return fail(Errc::not_found, "Annotator not found"); }

Result<std::vector<Event>> create(const CreateAnnotator& c, const State& s) {
  if (s.exists) {
    return fail(Errc::conflict, "Annotator already exists");
  }
  const auto name = text::trim(c.name);
  const auto email = text::trim(c.email);
  auto issues = check_create(c, name, email);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  return std::vector<Event>{AnnotatorCreated{c.id, name, email, c.role_id, c.notes, Status::created, c.subdomain,
                                             c.database_name, c.webhook_secret_hint}};
}

Result<std::vector<Event>> update(const UpdateAnnotator& c, const State& s) {
  if (!s.exists || s.deleted()) {
    return not_found();
  }
  if (!c.name && !c.email && !c.role_id && !c.notes) {
    return invalid({{"", "at least one of name, email, roleId, notes is required"}});
  }
  AnnotatorUpdated next{s.id,
                        c.name ? text::trim(*c.name) : s.name,
                        c.email ? text::trim(*c.email) : s.email,
                        c.role_id ? *c.role_id : s.role_id,
                        c.notes ? *c.notes : s.notes,
                        s.status};
  std::vector<FieldIssue> issues;
  if (c.name) {
    check_name(next.name, issues);
  }
  if (c.email) {
    check_email(next.email, issues);
  }
  if (c.role_id) {
    check_role(*c.role_id, c.role_exists, issues);
  }
  check_notes(next.notes, issues);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  if (next.name == s.name && next.email == s.email && next.role_id == s.role_id && next.notes == s.notes) {
    return std::vector<Event>{};  // nothing changes: nothing to record
  }
  return std::vector<Event>{std::move(next)};
}

Result<std::vector<Event>> remove(const State& s) {
  if (!s.exists || s.deleted()) {
    return not_found();
  }
  return std::vector<Event>{AnnotatorDeleted{s.id, s.name, s.email, s.role_id}};
}

Result<std::vector<Event>> report_token(const ReportApiToken& c, const State& s) {
  if (!s.exists || s.deleted()) {
    return not_found();
  }
  const auto n = text::length(c.token);
  if (n == 0 || n > kMaxToken) {
    return invalid({{"token", "must be 1-512 characters"}});
  }
  return std::vector<Event>{ApiTokenReported{s.id, c.token, secret_hint(c.token)}};
}

bool is_slug_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string trim_dashes(std::string s) {
  while (!s.empty() && s.back() == '-') {
    s.pop_back();
  }
  std::size_t b = 0;
  while (b < s.size() && s[b] == '-') {
    ++b;
  }
  return s.substr(b);
}

}  // namespace

std::string to_string(Status status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) {
      return name;
    }
  }
  return "error";
}

std::optional<Status> parse_status(std::string_view text) {
  for (const auto& [s, name] : kStatusNames) {
    if (text == name) {
      return s;
    }
  }
  return std::nullopt;
}

std::string stream_id(std::int64_t id) { return refs::annotator_stream(id); }

std::string database_name(std::int64_t id) { return "ls_annotator_" + std::to_string(id); }

std::string subdomain_slug(std::string_view name) {
  std::string out;
  for (const char raw : name) {
    const char c = (raw >= 'A' && raw <= 'Z') ? static_cast<char>(raw - 'A' + 'a') : raw;
    if (is_slug_char(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  out = trim_dashes(std::move(out));
  if (out.size() > kMaxSubdomain) {
    out = trim_dashes(out.substr(0, kMaxSubdomain));
  }
  return out.empty() ? "annotator" : out;
}

std::string subdomain_candidate(const std::string& slug, int n) {
  if (n <= 1) {
    return slug;
  }
  const auto suffix = "-" + std::to_string(n);
  auto base = slug.substr(0, kMaxSubdomain - std::min(kMaxSubdomain, suffix.size()));
  base = trim_dashes(std::move(base));
  return (base.empty() ? "annotator" : base) + suffix;
}

bool is_valid_email(std::string_view email) {
  if (email.size() < 3 || email.size() > kMaxEmail) {
    return false;
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const auto domain = email.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size() || domain.front() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return false;
  }
  return std::ranges::none_of(email, [](const char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',' ||
           c == ';' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\';
  });
}

std::string secret_hint(std::string_view secret) {
  if (secret.size() < 12) {
    return "";
  }
  return std::string(secret.substr(secret.size() - 4));
}

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  return std::visit(overloaded{
                        [&](const CreateAnnotator& c) { return create(c, state); },
                        [&](const UpdateAnnotator& c) { return update(c, state); },
                        [&](const DeleteAnnotator&) { return remove(state); },
                        [&](const ReportApiToken& c) { return report_token(c, state); },
                    },
                    command);
}

Result<std::vector<std::vector<Event>>> decide_bulk_create(const std::vector<CreateAnnotator>& commands) {
  if (commands.empty() || commands.size() > kMaxBulk) {
    return fail(Errc::invalid, "Validation failed", {{"annotators", "must hold 1-100 annotators"}});
  }
  std::vector<FieldIssue> issues;
  std::vector<std::vector<Event>> out;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto decided = decide(commands[i], State{});
    if (!decided) {
      for (auto& issue : decided.error().details) {
        issues.push_back({"annotators/" + std::to_string(i) + "/" + issue.path, issue.message});
      }
      continue;
    }
    out.push_back(std::move(*decided));
  }
  if (!issues.empty()) {
    return fail(Errc::invalid, "Validation failed", std::move(issues));
  }
  std::map<std::string, std::size_t> seen;  // lower-cased email -> first item holding it
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& created = std::get<AnnotatorCreated>(out[i].front());
    const auto [it, inserted] = seen.emplace(text::lower_ascii(created.email), i);
    if (!inserted) {
      return fail(Errc::conflict, "Duplicate email address in batch: " + created.email,
                  {{"annotators/" + std::to_string(i) + "/email",
                    "same address as annotators/" + std::to_string(it->second) + "/email"}});
    }
  }
  return out;
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const AnnotatorCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   state.name = e.name;
                   state.email = e.email;
                   state.role_id = e.role_id;
                   state.notes = e.notes;
                   state.status = e.status;
                   state.subdomain = e.subdomain;
                   state.database_name = e.database_name;
                   state.webhook_secret_hint = e.webhook_secret_hint;
                 },
                 [&](const AnnotatorUpdated& e) {
                   state.name = e.name;
                   state.email = e.email;
                   state.role_id = e.role_id;
                   state.notes = e.notes;
                   state.status = e.status;
                 },
                 [&](const AnnotatorDeleted&) { state.status = Status::deleted; },
                 [&](const ApiTokenReported& e) { state.api_token_hint = e.token_hint; },
             },
             event);
  ++state.version;
  return state;
}

Claims email_claims(const State& before, const std::vector<Event>& events) {
  std::optional<std::string> held;
  if (before.exists && !before.deleted()) {
    held = text::lower_ascii(before.email);
  }
  return track_claims(held, events, [](const Event& event) {
    return std::visit(overloaded{
                          [](const AnnotatorCreated& e) {
                            return std::pair{ClaimEffect::set, text::lower_ascii(e.email)};
                          },
                          [](const AnnotatorUpdated& e) {
                            return std::pair{ClaimEffect::set, text::lower_ascii(e.email)};
                          },
                          [](const AnnotatorDeleted&) {
                            return std::pair{ClaimEffect::release, std::string()};
                          },
                          [](const ApiTokenReported&) {
                            return std::pair{ClaimEffect::none, std::string()};
                          },
                      },
                      event);
  });
}

Claims subdomain_claims(const std::vector<Event>& events) {
  Claims out;
  for (const auto& event : events) {
    if (const auto* created = std::get_if<AnnotatorCreated>(&event)) {
      out.claim.push_back(created->subdomain);
    }
  }
  return out;
}

}  // namespace lf::domain::annotator
