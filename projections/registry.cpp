#include "projections/projection.hpp"
#include "projections/roles/roles_projection.hpp"
#include "projections/settings/settings_projection.hpp"

namespace lf::projections {

std::string iso_time(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

std::vector<std::shared_ptr<const Projection>> all() {
  return {std::make_shared<RolesProjection>(), std::make_shared<SettingsProjection>()};
}

}  // namespace lf::projections
