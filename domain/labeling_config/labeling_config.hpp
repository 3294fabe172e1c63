#pragma once
// The LabelingConfig aggregate: a Label Studio XML template (the annotation interface).
// Decider: decide(command, state) -> events | error; evolve(state, event) -> state.
//
// Whether gold tasks or workflows still use a config is not this decider's business: it lives
// in other streams. The shell sends the store an UnreferencedGuard when the decision changes
// the XML (changes_xml) or deletes the config, and the append refuses it atomically (ADR 0008).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/error.hpp"
#include "domain/labeling_config/config_schema.hpp"

namespace lf::domain::labeling_config {

inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxDescription = 500;
inline constexpr std::size_t kMaxConfigXml = 50000;

struct State {
  bool exists = false;
  bool deleted = false;
  std::int64_t id = 0;
  std::int64_t version = 0;  // stream version the state was folded to
  std::string name;
  std::optional<std::string> description;
  std::string config_xml;
};

// ---- events (created and updated carry the whole config)
struct LabelingConfigCreated {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  std::string config_xml;
};
struct LabelingConfigUpdated {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  std::string config_xml;
};
struct LabelingConfigDeleted {
  std::int64_t id = 0;
};
using Event = std::variant<LabelingConfigCreated, LabelingConfigUpdated, LabelingConfigDeleted>;

// ---- commands
struct CreateLabelingConfig {
  std::int64_t id = 0;  // allocated by the shell before deciding
  std::string name;
  std::optional<std::string> description;
  std::string config_xml;
  ParsedXml parsed;  // the shell's parse of config_xml
};
// Absent members are left as they are; a present null clears the description.
struct UpdateLabelingConfig {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<std::string> config_xml;
  ParsedXml parsed;  // the shell's parse of config_xml (ignored when config_xml is absent)
};
struct DeleteLabelingConfig {};
using Command = std::variant<CreateLabelingConfig, UpdateLabelingConfig, DeleteLabelingConfig>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// True when `events` give the config another XML than `before` had.
bool changes_xml(const State& before, const std::vector<Event>& events);

}  // namespace lf::domain::labeling_config
