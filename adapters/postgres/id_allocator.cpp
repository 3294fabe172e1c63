#include "adapters/postgres/id_allocator.hpp"

#include <stdexcept>
#include <string>

namespace lf::adapters::pg {

std::int64_t PgIdAllocator::next(std::string_view stream_type) {
  // Only known types: the sequence name is not a bind parameter.
  if (stream_type != "role" && stream_type != "setting" && stream_type != "user" && stream_type != "api_key") {
    throw std::invalid_argument("no id sequence for stream type " + std::string(stream_type));
  }
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  return tx.exec("SELECT nextval('" + std::string(stream_type) + "_ids')")[0][0].as<std::int64_t>();
}

}  // namespace lf::adapters::pg
