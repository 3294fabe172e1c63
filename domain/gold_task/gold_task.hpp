#pragma once
// The GoldTask aggregate: a known-good labeled image injected into batches to score annotators.
// Decider: decide(command, state) -> events | error; evolve(state, event) -> state.
//
// Its expected labels must fit its labeling config: that config lives in another stream, so
// the shell loads it and passes what it declares (ConfigSchema) inside the command; the shell
// also guards the config stream at the version it read and records the reference (ADR 0008).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/error.hpp"
#include "domain/labeling_config/config_schema.hpp"

namespace lf::domain::gold_task {

inline constexpr std::size_t kMaxName = 255;
inline constexpr std::size_t kMaxS3ImageKey = 1024;
inline constexpr std::size_t kMaxCategory = 100;

// One entry of expectedLabels (a Label Studio result object) as the shell read it.
struct ExpectedLabel {
  bool is_object = true;
  std::optional<std::string> from_name;  // nullopt: absent or not a string
  std::optional<std::string> to_name;
  std::optional<std::string> type;
  bool value_is_object = false;
};

// expectedLabels: the array as compact JSON (kept as it is in the events) and what each entry holds.
struct ExpectedLabels {
  std::string json = "[]";
  std::vector<ExpectedLabel> items;
};

struct State {
  bool exists = false;
  bool deleted = false;
  std::int64_t id = 0;
  std::int64_t version = 0;  // stream version the state was folded to
  std::optional<std::string> name;
  std::string s3_image_key;
  std::string expected_labels_json = "[]";
  std::int64_t labeling_config_id = 0;
  std::optional<std::string> category;
  std::optional<std::string> difficulty;  // "easy", "medium" or "hard"
};

// ---- events (created and updated carry the whole task, expected labels included: the
// consumers that score annotators need them; see docs/adr/0009-gold-answers.md)
struct GoldTaskFields {
  std::int64_t id = 0;
  std::optional<std::string> name;
  std::string s3_image_key;
  std::string expected_labels_json;
  std::int64_t labeling_config_id = 0;
  std::optional<std::string> category;
  std::optional<std::string> difficulty;
  bool operator==(const GoldTaskFields&) const = default;
};
struct GoldTaskCreated : GoldTaskFields {};
struct GoldTaskUpdated : GoldTaskFields {};
struct GoldTaskDeleted {
  std::int64_t id = 0;
};
using Event = std::variant<GoldTaskCreated, GoldTaskUpdated, GoldTaskDeleted>;

// ---- commands
struct CreateGoldTask {
  std::int64_t id = 0;  // allocated by the shell before deciding
  std::optional<std::string> name;
  std::string s3_image_key;
  ExpectedLabels expected_labels;
  std::int64_t labeling_config_id = 0;
  std::optional<std::string> category;
  std::optional<std::string> difficulty;
  // The config labeling_config_id names, as the shell found it: nullopt when it does not
  // exist or was deleted.
  std::optional<labeling_config::ConfigSchema> config;
};
// Absent members are left as they are; a present null clears an optional field.
struct UpdateGoldTask {
  std::optional<std::optional<std::string>> name;
  std::optional<std::string> s3_image_key;
  std::optional<ExpectedLabels> expected_labels;
  std::optional<std::int64_t> labeling_config_id;
  std::optional<std::optional<std::string>> category;
  std::optional<std::optional<std::string>> difficulty;
  // The config the task references after the update (the new one when labeling_config_id is
  // given): nullopt when it does not exist or was deleted. The expected labels after the
  // update are checked against it.
  std::optional<labeling_config::ConfigSchema> config;
  // The shell's reading of the task's current expected_labels_json, re-checked against the
  // config when only labeling_config_id changes.
  std::vector<ExpectedLabel> current_labels;
};
struct DeleteGoldTask {};
using Command = std::variant<CreateGoldTask, UpdateGoldTask, DeleteGoldTask>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// The rules an expectedLabels array must follow against a config; issues at paths like
// "expectedLabels/0/from_name".
std::vector<FieldIssue> check_expected_labels(const std::vector<ExpectedLabel>& labels,
                                              const labeling_config::ConfigSchema& config);

}  // namespace lf::domain::gold_task
