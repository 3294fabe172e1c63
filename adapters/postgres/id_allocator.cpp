#include "adapters/postgres/id_allocator.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace lf::adapters::pg {

std::int64_t PgIdAllocator::next(std::string_view stream_type) {
  // Only known types: the sequence name is not a bind parameter.
  static constexpr std::array<std::string_view, 8> kKnown{"role",      "setting",         "user",      "api_key",
                                                          "annotator", "labeling_config", "gold_task", "workflow"};
  if (std::find(kKnown.begin(), kKnown.end(), stream_type) == kKnown.end()) {
    throw std::invalid_argument("no id sequence for stream type " + std::string(stream_type));
  }
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  return tx.exec("SELECT nextval('" + std::string(stream_type) + "_ids')")[0][0].as<std::int64_t>();
}

}  // namespace lf::adapters::pg
