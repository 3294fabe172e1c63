#pragma once
// A read model: its tables, and how each event of the log changes them.
// The runtime (adapters/kafka/projector, adapters/projection/replay) owns transactions and
// checkpoints; a projection only queues SQL into the batch it is handed, which the runtime
// sends inside its transaction together with the rest of the batch.
#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "domain/common/event.hpp"
#include "projections/sql_batch.hpp"

namespace lf::projections {

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string name() const = 0;                       // e.g. "roles"
  virtual std::vector<std::string> stream_types() const = 0;  // the streams it reads, e.g. {"role"}
  virtual void create(pqxx::work& tx) const = 0;              // CREATE TABLE IF NOT EXISTS …
  virtual void drop(pqxx::work& tx) const = 0;                // DROP TABLE IF EXISTS …
  // Applies one event: queues the statements that change the read model (none is sent, so no
  // result can be read). Called once per event, in stream-version order per stream; events of
  // other types of the same stream must be ignored (the log may grow new event types).
  virtual void apply(SqlBatch& sql, const domain::RecordedEvent& event) const = 0;
  // The columns that identify the read model's rows, for equality checks after a rebuild:
  // "SELECT … FROM <table> ORDER BY …" statements whose results must be identical.
  virtual std::vector<std::string> snapshot_queries() const = 0;
};

// SQL expression rendering a timestamptz column as the API's time format.
std::string iso_time(const std::string& column);

// Every projection of the product, in a stable order.
std::vector<std::shared_ptr<const Projection>> all();

}  // namespace lf::projections
