#include "domain/labeling_config/labeling_config.hpp"

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::labeling_config {
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

// The XML's own rules (config_schema.hpp) after its length.
void check_xml(const std::string& xml, const ParsedXml& parsed, std::vector<FieldIssue>& issues) {
  if (text::length(xml) > kMaxConfigXml) {
    issues.push_back({"configXml", "configXml must be at most 50000 characters"});
    return;
  }
  if (const auto schema = schema_of(parsed); !schema) {
    issues.insert(issues.end(), schema.error().details.begin(), schema.error().details.end());
  }
}

// The message says what is wrong with the XML when that is the problem (the first XML issue),
// and the details list every problem.
Result<std::vector<Event>> invalid(std::vector<FieldIssue> issues) {
  std::string message = "Validation failed";
  for (const auto& i : issues) {
    if (i.path == "configXml") {
      message = "Invalid configXml: " + i.message;
      break;
    }
  }
  return fail(Errc::invalid, std::move(message), std::move(issues));
}

Result<std::vector<Event>> create(const CreateLabelingConfig& c, const State& s) {
  if (s.exists) {
    return fail(Errc::conflict, "Labeling config already exists");
  }
  std::vector<FieldIssue> issues;
  const auto name = text::trim(c.name);
  check_name(name, issues);
  check_description(c.description, issues);
  check_xml(c.config_xml, c.parsed, issues);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  return std::vector<Event>{LabelingConfigCreated{c.id, name, c.description, c.config_xml}};
}

Result<std::vector<Event>> update(const UpdateLabelingConfig& c, const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Labeling config not found");
  }
  if (!c.name && !c.description && !c.config_xml) {
    return invalid({{"", "at least one of name, description, configXml is required"}});
  }
  LabelingConfigUpdated next{s.id, c.name ? text::trim(*c.name) : s.name,
                             c.description ? *c.description : s.description,
                             c.config_xml ? *c.config_xml : s.config_xml};
  std::vector<FieldIssue> issues;
  check_name(next.name, issues);
  check_description(next.description, issues);
  if (c.config_xml) {
    check_xml(*c.config_xml, c.parsed, issues);
  }
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  if (next.name == s.name && next.description == s.description && next.config_xml == s.config_xml) {
    return std::vector<Event>{};  // nothing changes: nothing to record
  }
  return std::vector<Event>{std::move(next)};
}

Result<std::vector<Event>> remove(const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Labeling config not found");
  }
  return std::vector<Event>{LabelingConfigDeleted{s.id}};
}

}  // namespace

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  return std::visit(overloaded{
                        [&](const CreateLabelingConfig& c) { return create(c, state); },
                        [&](const UpdateLabelingConfig& c) { return update(c, state); },
                        [&](const DeleteLabelingConfig&) { return remove(state); },
                    },
                    command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const LabelingConfigCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   state.name = e.name;
                   state.description = e.description;
                   state.config_xml = e.config_xml;
                 },
                 [&](const LabelingConfigUpdated& e) {
                   state.name = e.name;
                   state.description = e.description;
                   state.config_xml = e.config_xml;
                 },
                 [&](const LabelingConfigDeleted&) { state.deleted = true; },
             },
             event);
  ++state.version;
  return state;
}

bool changes_xml(const State& before, const std::vector<Event>& events) {
  auto xml = before.config_xml;
  bool changed = false;
  for (const auto& e : events) {
    if (const auto* u = std::get_if<LabelingConfigUpdated>(&e)) {
      changed = changed || u->config_xml != xml;
      xml = u->config_xml;
    }
  }
  return changed;
}

}  // namespace lf::domain::labeling_config
