#pragma once
// The one JSON rendering of each resource, used by reads (from read-model rows) and by
// write answers (from the decided state), so both always agree.
#include <string>
#include <vector>

#include "projections/api_keys/api_keys_projection.hpp"
#include "projections/roles/roles_projection.hpp"
#include "projections/settings/settings_projection.hpp"
#include "projections/users/users_projection.hpp"

namespace lf::adapters::http {

std::string render(const projections::RoleRow& role);
std::string render(const projections::SettingRow& setting);
std::string render(const projections::UserRow& user);
std::string render(const projections::ApiKeyRow& key);

template <class Row>
std::string render_array(const std::vector<Row>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += (i == 0 ? "" : ",") + render(rows[i]);
  }
  return out + "]";
}

}  // namespace lf::adapters::http
