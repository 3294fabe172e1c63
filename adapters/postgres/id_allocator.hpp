#pragma once
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "adapters/postgres/connection_pool.hpp"
#include "domain/ports/id_allocator.hpp"

namespace lf::adapters::pg {

// One Postgres sequence per stream type (<type>_ids); gaps are harmless, reuse never happens.
//
// Ids are taken from the sequence in blocks whose size follows the demand: one at a time while
// creations are rare (ids stay dense for people reading them), doubling up to kMaxBlock while a
// type's block runs out within kBusyWindow of the previous fetch (a round trip per creation
// was a fifth of the database's statements under load). Ids of a block this process never
// hands out are lost at exit, like any rolled-back nextval.
class PgIdAllocator final : public ports::IdAllocator {
 public:
  static constexpr std::size_t kMaxBlock = 64;
  static constexpr std::chrono::milliseconds kBusyWindow{100};

  explicit PgIdAllocator(ConnectionPool& pool) : pool_(pool) {}
  std::int64_t next(std::string_view stream_type) override;

 private:
  struct Block {
    std::mutex mu;
    std::deque<std::int64_t> ids;  // ascending, fetched but not handed out
    std::size_t size = 1;          // ids per fetch
    std::chrono::steady_clock::time_point fetched_at{};
  };
  Block& block_for(std::string_view stream_type);

  ConnectionPool& pool_;
  std::mutex blocks_mu_;
  std::map<std::string, Block, std::less<>> blocks_;
};

}  // namespace lf::adapters::pg
