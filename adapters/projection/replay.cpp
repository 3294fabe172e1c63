#include "adapters/projection/replay.hpp"

#include <map>

#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/event_store.hpp"
#include "adapters/postgres/sql_text.hpp"

namespace lf::adapters::projection {

void lock_projection(pqxx::transaction_base& tx, const std::string& projection) {
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('labelfleet.projection:' || $1))", projection);
}

ReplayResult rebuild(pqxx::connection& conn, const projections::Projection& projection) {
  pqxx::work tx(conn);
  lock_projection(tx, projection.name());
  projection.drop(tx);
  projection.create(tx);
  tx.exec_params("DELETE FROM projection_checkpoints WHERE projection = $1", projection.name());

  const auto types = pg::text_array(projection.stream_types());

  ReplayResult result;
  std::map<int, std::int64_t> checkpoints;
  // Everything committed before this snapshot; the projector carries on from the checkpoints.
  for (;;) {
    const auto rows = tx.exec_params(std::string("SELECT ") + pg::kEventColumns +
                                         " FROM events WHERE stream_type = ANY($1::text[]) AND position > $2 "
                                         "ORDER BY position LIMIT 5000",
                                     types, result.up_to_position);
    if (rows.empty()) {
      break;
    }
    for (const auto& row : rows) {
      const auto event = pg::to_recorded_event(row);
      projection.apply(tx, event);
      checkpoints[kafka::partition_for(event.stream_id)] = event.position;
      result.up_to_position = event.position;
      ++result.events_applied;
    }
  }
  for (const auto& [partition, position] : checkpoints) {
    tx.exec_params("INSERT INTO projection_checkpoints (projection, partition, position) VALUES ($1, $2, $3)",
                   projection.name(), partition, position);
  }
  tx.commit();
  return result;
}

}  // namespace lf::adapters::projection
