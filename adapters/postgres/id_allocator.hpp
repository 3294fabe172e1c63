#pragma once
#include "adapters/postgres/connection_pool.hpp"
#include "domain/ports/id_allocator.hpp"

namespace lf::adapters::pg {

// One Postgres sequence per stream type (<type>_ids); gaps are harmless, reuse never happens.
class PgIdAllocator final : public ports::IdAllocator {
 public:
  explicit PgIdAllocator(ConnectionPool& pool) : pool_(pool) {}
  std::int64_t next(std::string_view stream_type) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace lf::adapters::pg
