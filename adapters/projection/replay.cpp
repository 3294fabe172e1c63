#include "adapters/projection/replay.hpp"

#include <map>

#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/event_store.hpp"
#include "adapters/postgres/sql_text.hpp"
#include "adapters/projection/checkpoint_news.hpp"
#include "adapters/projection/storable_event.hpp"

namespace lf::adapters::projection {
namespace {

constexpr const char* kLockSql = "SELECT pg_advisory_xact_lock(hashtext('labelfleet.projection:' || $1::text))";

}  // namespace

void lock_projection(pqxx::transaction_base& tx, const std::string& projection) {
  tx.exec_params(kLockSql, projection);
}

void lock_projection(projections::SqlBatch& sql, const std::string& projection) { sql.add(kLockSql, projection); }

ReplayResult rebuild(pqxx::connection& conn, const projections::Projection& projection) {
  pqxx::work tx(conn);
  lock_projection(tx, projection.name());
  projection.drop(tx);
  projection.create(tx);
  tx.exec_params("DELETE FROM projection_checkpoints WHERE projection = $1", projection.name());

  const auto types = pg::text_array(projection.stream_types());

  ReplayResult result;
  std::map<int, std::int64_t> checkpoints;
  projections::PreparedStatements prepared;  // for this transaction's chunks
  projections::SqlBatch sql(tx, &prepared);
  // Everything committed before this snapshot; the projector carries on from the checkpoints.
  // Each chunk's read-model changes go to the server in one round trip.
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
      apply_storable(projection, sql, event);
      checkpoints[kafka::partition_for(event.stream_id)] = event.position;
      result.up_to_position = event.position;
      ++result.events_applied;
    }
    sql.flush();
  }
  if (!checkpoints.empty()) {
    std::string values;
    for (const auto& [partition, position] : checkpoints) {
      values += (values.empty() ? "" : ", ") +
                sql.render("($1::text, $2::integer, $3::bigint)", projection.name(), partition, position);
    }
    sql.add("INSERT INTO projection_checkpoints (projection, partition, position) VALUES " + values);
    std::vector<Checkpoint> news;
    news.reserve(checkpoints.size());
    for (const auto& [partition, position] : checkpoints) {
      news.push_back({projection.name(), partition, position});
    }
    sql.add("SELECT pg_notify($1::text, $2::text)", kCheckpointChannel, encode_checkpoints(news));
    sql.flush();
  }
  tx.commit();
  return result;
}

}  // namespace lf::adapters::projection
