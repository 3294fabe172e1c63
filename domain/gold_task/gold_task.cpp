#include "domain/gold_task/gold_task.hpp"

#include <algorithm>
#include <array>

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::gold_task {
namespace {

constexpr std::array<std::string_view, 3> kDifficulties{"easy", "medium", "hard"};

void check_fields(const GoldTaskFields& f, std::vector<FieldIssue>& issues) {
  if (f.name && text::length(*f.name) > kMaxName) {
    issues.push_back({"name", "must be at most 255 characters"});
  }
  const auto key_length = text::length(f.s3_image_key);
  if (text::trim(f.s3_image_key).empty()) {
    issues.push_back({"s3ImageKey", "must not be empty"});
  } else if (key_length > kMaxS3ImageKey) {
    issues.push_back({"s3ImageKey", "must be at most 1024 characters"});
  }
  if (f.category && text::length(*f.category) > kMaxCategory) {
    issues.push_back({"category", "must be at most 100 characters"});
  }
  if (f.difficulty && std::find(kDifficulties.begin(), kDifficulties.end(), *f.difficulty) == kDifficulties.end()) {
    issues.push_back({"difficulty", "must be one of easy, medium, hard"});
  }
}

// The labels against the config the task will reference; a missing config is the contract's
// "400 — labeling config not found".
void check_labels(const std::vector<ExpectedLabel>& labels, const std::optional<labeling_config::ConfigSchema>& config,
                  std::int64_t config_id, std::vector<FieldIssue>& issues) {
  if (!config) {
    issues.push_back({"labelingConfigId", "labeling config " + std::to_string(config_id) + " not found"});
    return;
  }
  const auto found = check_expected_labels(labels, *config);
  issues.insert(issues.end(), found.begin(), found.end());
}

Result<std::vector<Event>> invalid(std::vector<FieldIssue> issues) {
  for (const auto& i : issues) {
    if (i.path == "labelingConfigId") {
      return fail(Errc::invalid, "Labeling config not found", std::move(issues));
    }
  }
  return fail(Errc::invalid, "Validation failed", std::move(issues));
}

Result<std::vector<Event>> create(const CreateGoldTask& c, const State& s) {
  if (s.exists) {
    return fail(Errc::conflict, "Gold task already exists");
  }
  GoldTaskCreated next;
  next.id = c.id;
  next.name = c.name;
  next.s3_image_key = c.s3_image_key;
  next.expected_labels_json = c.expected_labels.json;
  next.labeling_config_id = c.labeling_config_id;
  next.category = c.category;
  next.difficulty = c.difficulty;
  std::vector<FieldIssue> issues;
  check_fields(next, issues);
  check_labels(c.expected_labels.items, c.config, c.labeling_config_id, issues);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  return std::vector<Event>{std::move(next)};
}

Result<std::vector<Event>> update(const UpdateGoldTask& c, const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Gold task not found");
  }
  if (!c.name && !c.s3_image_key && !c.expected_labels && !c.labeling_config_id && !c.category && !c.difficulty) {
    return invalid(
        {{"", "at least one of name, s3ImageKey, expectedLabels, labelingConfigId, category, difficulty is required"}});
  }
  GoldTaskUpdated next;
  next.id = s.id;
  next.name = c.name ? *c.name : s.name;
  next.s3_image_key = c.s3_image_key ? *c.s3_image_key : s.s3_image_key;
  next.expected_labels_json = c.expected_labels ? c.expected_labels->json : s.expected_labels_json;
  next.labeling_config_id = c.labeling_config_id ? *c.labeling_config_id : s.labeling_config_id;
  next.category = c.category ? *c.category : s.category;
  next.difficulty = c.difficulty ? *c.difficulty : s.difficulty;
  std::vector<FieldIssue> issues;
  check_fields(next, issues);
  // The labels after the update must fit the config after the update (a new config re-checks
  // the labels the task already has).
  check_labels(c.expected_labels ? c.expected_labels->items : c.current_labels, c.config, next.labeling_config_id,
               issues);
  if (!issues.empty()) {
    return invalid(std::move(issues));
  }
  const GoldTaskFields before{s.id,       s.name,      s.s3_image_key, s.expected_labels_json, s.labeling_config_id,
                              s.category, s.difficulty};
  if (static_cast<const GoldTaskFields&>(next) == before) {
    return std::vector<Event>{};  // nothing changes: nothing to record
  }
  return std::vector<Event>{std::move(next)};
}

Result<std::vector<Event>> remove(const State& s) {
  if (!s.exists || s.deleted) {
    return fail(Errc::not_found, "Gold task not found");
  }
  return std::vector<Event>{GoldTaskDeleted{s.id}};
}

void assign(State& state, const GoldTaskFields& f) {
  state.name = f.name;
  state.s3_image_key = f.s3_image_key;
  state.expected_labels_json = f.expected_labels_json;
  state.labeling_config_id = f.labeling_config_id;
  state.category = f.category;
  state.difficulty = f.difficulty;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

std::vector<FieldIssue> check_expected_labels(const std::vector<ExpectedLabel>& labels,
                                              const labeling_config::ConfigSchema& config) {
  std::vector<FieldIssue> issues;
  if (labels.empty()) {
    issues.push_back({"expectedLabels", "must contain at least one result"});
    return issues;
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto& label = labels[i];
    const auto path = "expectedLabels/" + std::to_string(i);
    if (!label.is_object) {
      issues.push_back({path, "must be a Label Studio result object"});
      continue;
    }
    const labeling_config::ControlTag* control = nullptr;
    if (!label.from_name) {
      issues.push_back({path + "/from_name", "is required (a string)"});
    } else {
      control = config.control(*label.from_name);
      if (control == nullptr) {
        issues.push_back(
            {path + "/from_name", quoted(*label.from_name) + " names no control tag of the labeling config"});
      }
    }
    if (!label.to_name) {
      issues.push_back({path + "/to_name", "is required (a string)"});
    } else if (control != nullptr) {
      if (std::find(control->to_names.begin(), control->to_names.end(), *label.to_name) == control->to_names.end()) {
        issues.push_back({path + "/to_name",
                          quoted(*label.to_name) + " is not an object labeled by control " + quoted(control->name)});
      }
    } else if (config.object(*label.to_name) == nullptr) {
      issues.push_back({path + "/to_name", quoted(*label.to_name) + " names no object tag of the labeling config"});
    }
    if (!label.type) {
      issues.push_back({path + "/type", "is required (a string)"});
    } else if (control != nullptr && *label.type != control->type) {
      issues.push_back({path + "/type", "must be " + quoted(control->type) + " for control " + quoted(control->name) +
                                            " (<" + control->tag + ">)"});
    }
    if (!label.value_is_object) {
      issues.push_back({path + "/value", "is required (an object)"});
    }
  }
  return issues;
}

Result<std::vector<Event>> decide(const Command& command, const State& state) {
  return std::visit(overloaded{
                        [&](const CreateGoldTask& c) { return create(c, state); },
                        [&](const UpdateGoldTask& c) { return update(c, state); },
                        [&](const DeleteGoldTask&) { return remove(state); },
                    },
                    command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const GoldTaskCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   assign(state, e);
                 },
                 [&](const GoldTaskUpdated& e) { assign(state, e); },
                 [&](const GoldTaskDeleted&) { state.deleted = true; },
             },
             event);
  ++state.version;
  return state;
}

}  // namespace lf::domain::gold_task
