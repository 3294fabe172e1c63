#include "adapters/postgres/id_allocator.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace lf::adapters::pg {

PgIdAllocator::Block& PgIdAllocator::block_for(std::string_view stream_type) {
  // Only known types: the sequence name is not a bind parameter.
  static constexpr std::array<std::string_view, 8> kKnown{"role",      "setting",         "user",      "api_key",
                                                          "annotator", "labeling_config", "gold_task", "workflow"};
  if (std::find(kKnown.begin(), kKnown.end(), stream_type) == kKnown.end()) {
    throw std::invalid_argument("no id sequence for stream type " + std::string(stream_type));
  }
  const std::lock_guard lock(blocks_mu_);
  const auto it = blocks_.find(stream_type);
  if (it != blocks_.end()) {
    return it->second;
  }
  // std::map never moves its nodes: the reference stays valid while other types are added.
  return blocks_.try_emplace(std::string(stream_type)).first->second;
}

std::int64_t PgIdAllocator::next(std::string_view stream_type) {
  Block& block = block_for(stream_type);
  const std::lock_guard lock(block.mu);
  if (block.ids.empty()) {
    const auto now = std::chrono::steady_clock::now();
    block.size = (now - block.fetched_at < kBusyWindow) ? std::min(block.size * 2, kMaxBlock) : 1;
    auto conn = pool_.acquire();
    pqxx::nontransaction tx(*conn);
    // generate_series yields its rows in order, so the block is ascending.
    for (const auto& row : tx.exec("SELECT nextval('" + std::string(stream_type) + "_ids') FROM generate_series(1, " +
                                   std::to_string(block.size) + ")")) {
      block.ids.push_back(row[0].as<std::int64_t>());
    }
    block.fetched_at = now;
  }
  const auto id = block.ids.front();
  block.ids.pop_front();
  return id;
}

}  // namespace lf::adapters::pg
