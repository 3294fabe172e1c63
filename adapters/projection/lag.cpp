#include "adapters/projection/lag.hpp"

#include <algorithm>
#include <map>

#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/sql_text.hpp"

namespace lf::adapters::projection {

LogStatus read_status(pqxx::transaction_base& tx,
                      const std::vector<std::shared_ptr<const projections::Projection>>& projections) {
  LogStatus s;
  s.head = tx.exec("SELECT position FROM log_head")[0][0].as<std::int64_t>();
  s.relay_position = tx.exec("SELECT position FROM relay_checkpoint")[0][0].as<std::int64_t>();
  for (const auto& p : projections) {
    std::map<int, std::int64_t> checkpoint;
    for (const auto& r :
         tx.exec_params("SELECT partition, position FROM projection_checkpoints WHERE projection = $1", p->name())) {
      checkpoint[r[0].as<int>()] = r[1].as<std::int64_t>();
    }
    // Checkpoints are per partition, so an event is pending when it is past the checkpoint
    // of the partition its stream lives on. Only events past the lowest checkpoint can be.
    std::int64_t low = checkpoint.size() == static_cast<std::size_t>(kafka::kPartitions)
                           ? std::min_element(checkpoint.begin(), checkpoint.end(),
                                              [](const auto& a, const auto& b) { return a.second < b.second; })
                                 ->second
                           : 0;
    const auto types = pg::text_array(p->stream_types());
    std::int64_t lag = 0;
    for (const auto& r :
         tx.exec_params("SELECT stream_id, position FROM events WHERE stream_type = ANY($1::text[]) AND position > $2 "
                        "ORDER BY position LIMIT $3",
                        types, low, kLagScanLimit)) {
      const auto it = checkpoint.find(kafka::partition_for(r[0].as<std::string>()));
      if (it == checkpoint.end() || r[1].as<std::int64_t>() > it->second) {
        ++lag;
      }
    }
    s.projections.push_back({p->name(), lag});
  }
  return s;
}

}  // namespace lf::adapters::projection
