#pragma once
// How far the relay and each projection are behind the head of the log, read from Postgres so
// the answer is the same whichever process asks (api, projector and relay may be apart).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "projections/projection.hpp"

namespace lf::adapters::projection {

struct ProjectionLag {
  std::string name;
  std::int64_t lag = 0;  // events of its stream types not yet applied (capped at kLagScanLimit)
};

struct LogStatus {
  std::int64_t head = 0;
  std::int64_t relay_position = 0;
  std::vector<ProjectionLag> projections;
};

inline constexpr std::int64_t kLagScanLimit = 100000;

LogStatus read_status(pqxx::transaction_base& tx,
                      const std::vector<std::shared_ptr<const projections::Projection>>& projections);

}  // namespace lf::adapters::projection
