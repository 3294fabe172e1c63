#include "projections/annotators/annotators_projection.hpp"
#include "projections/api_keys/api_keys_projection.hpp"
#include "projections/audit_events/audit_events_projection.hpp"
#include "projections/gold_tasks/gold_tasks_projection.hpp"
#include "projections/labeling_configs/labeling_configs_projection.hpp"
#include "projections/projection.hpp"
#include "projections/roles/roles_projection.hpp"
#include "projections/settings/settings_projection.hpp"
#include "projections/users/users_projection.hpp"
#include "projections/workflows/workflows_projection.hpp"

namespace lf::projections {

std::string iso_time(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

std::vector<std::shared_ptr<const Projection>> all() {
  return {std::make_shared<RolesProjection>(),           std::make_shared<SettingsProjection>(),
          std::make_shared<UsersProjection>(),           std::make_shared<ApiKeysProjection>(),
          std::make_shared<LabelingConfigsProjection>(), std::make_shared<GoldTasksProjection>(),
          std::make_shared<AnnotatorsProjection>(),      std::make_shared<AuditEventsProjection>(),
          std::make_shared<WorkflowsProjection>()};
}

}  // namespace lf::projections
