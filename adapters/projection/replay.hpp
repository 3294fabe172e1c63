#pragma once
// `labelfleet replay`: drop a projection and rebuild it from the Postgres log (not from Kafka,
// whose retention is bounded), in one transaction, so readers see the old rows or the new
// ones, never half. Checkpoints are rewritten to where the log was read up to.
#include <cstdint>
#include <string>

#include <pqxx/pqxx>

#include "projections/projection.hpp"

namespace lf::adapters::projection {

// Serialises every writer of one projection (projector batches, replay): at once, or queued
// with the batch's other statements.
void lock_projection(pqxx::transaction_base& tx, const std::string& projection);
void lock_projection(projections::SqlBatch& sql, const std::string& projection);

struct ReplayResult {
  std::int64_t events_applied = 0;
  std::int64_t up_to_position = 0;
};

ReplayResult rebuild(pqxx::connection& conn, const projections::Projection& projection);

}  // namespace lf::adapters::projection
