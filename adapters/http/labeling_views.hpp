#pragma once
// The JSON rendering of labeling configs and gold tasks, used by reads (from read-model rows)
// and by write answers (from the decided state), so both always agree.
#include <cstdint>
#include <string>
#include <vector>

#include "projections/gold_tasks/gold_tasks_projection.hpp"
#include "projections/labeling_configs/labeling_configs_projection.hpp"

namespace lf::adapters::http {

// How many streams point at a config, by kind (from the store's reference index).
struct ConfigUsage {
  std::int64_t workflows = 0;
  std::int64_t gold_tasks = 0;
};

std::string render_config(const projections::LabelingConfigRow& row);
// GET /api/labeling-configs/:id: the config plus workflowCount, goldTaskCount and isLocked.
std::string render_config(const projections::LabelingConfigRow& row, const ConfigUsage& usage);
std::string render_configs(const std::vector<projections::LabelingConfigRow>& rows);

// `with_answers`: include expectedLabels (admins only; docs/adr/0009-gold-answers.md).
std::string render_gold_task(const projections::GoldTaskRow& row, bool with_answers);
std::string render_gold_tasks(const std::vector<projections::GoldTaskRow>& rows, bool with_answers);

}  // namespace lf::adapters::http
