#pragma once
// The command path after the decider has spoken: validate the events against their schemas,
// append them (group-committed, durable before we answer), then wait until the read model
// shows them so a GET right after the answer sees the change (read-your-writes).
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "adapters/metrics/metrics.hpp"
#include "adapters/projection/progress_board.hpp"
#include "domain/common/event.hpp"
#include "domain/ports/event_store.hpp"

namespace lf::adapters::app {

struct CommandContext {
  std::string request_id;
  std::string actor = "anonymous";
  std::optional<std::string> idempotency_key;
  std::string fingerprint;  // of method, path and body; see fingerprint()
};

struct Decision {
  std::string stream_id;
  std::string stream_type;
  std::int64_t expected_version = 0;
  std::vector<domain::NewEvent> events;
  std::vector<ports::UniqueClaim> claims;
  std::vector<ports::UniqueClaim> releases;
  std::optional<std::vector<ports::StreamRef>> refs;  // set: replaces the stream's references
  std::vector<ports::StreamAppend> more;              // further streams, same transaction (bulk)
  std::vector<ports::StreamGuard> guards;             // streams the decision read (references)
  std::vector<ports::UnreferencedGuard> unreferenced;
  std::string recorded_at;      // the command's time, also used in `success`
  ports::StoredResult success;  // the answer when accepted (kept under the Idempotency-Key)
  // The read model that must show the change before we answer: it reads `stream_type`, so
  // the answer waits for every stream of that type the command wrote.
  std::string projection;
};

struct Outcome {
  ports::StoredResult result;
  bool replayed = false;  // answered from the Idempotency-Key record; nothing appended
};

class CommandExecutor {
 public:
  CommandExecutor(ports::EventStore& store, projection::ProgressBoard& board, metrics::Metrics& metrics,
                  std::chrono::milliseconds consistency_timeout);

  // Answers a retried command from its Idempotency-Key record, if there is one.
  std::optional<std::expected<Outcome, ports::AppendError>> replay(const CommandContext& ctx);
  std::expected<Outcome, ports::AppendError> execute(Decision decision, const CommandContext& ctx);

 private:
  ports::EventStore& store_;
  projection::ProgressBoard& board_;
  metrics::Metrics& metrics_;
  std::chrono::milliseconds consistency_timeout_;
};

// FNV-1a of method, path and body: a reused Idempotency-Key with another request is refused.
std::string fingerprint(const std::string& method, const std::string& path, const std::string& body);

}  // namespace lf::adapters::app
