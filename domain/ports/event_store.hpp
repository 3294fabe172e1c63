#pragma once
// Port: the event log. One implementation per technology (adapters/postgres), fakes in tests.
#include <cstdint>
#include <expected>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "domain/common/event.hpp"

namespace lf::ports {

// A value that at most one stream may hold at a time within a scope (a role's name, an
// annotator's email). Claimed and released atomically with the events that justify it.
struct UniqueClaim {
  std::string scope;  // e.g. "role.name"
  std::string value;  // normalised by the caller, e.g. lower-cased
};

// What a command answered the first time, kept under its Idempotency-Key so a retry gets
// the same answer without appending anything.
struct StoredResult {
  int status = 0;
  std::string body;
};

struct IdempotencyRecord {
  std::string key;          // the client's Idempotency-Key
  std::string fingerprint;  // hash of method, path and body: a reused key with another request is refused
  StoredResult result;
};

// expected_version for appends that depend on nothing earlier in the stream (audit trails).
inline constexpr std::int64_t kAnyVersion = -1;

struct AppendRequest {
  std::string stream_id;
  std::string stream_type;
  std::int64_t expected_version = 0;  // the version the decision was made on (0 = new stream)
  std::vector<domain::NewEvent> events;
  domain::Metadata metadata;
  std::string recorded_at;  // RFC 3339; the command's time, stored on each of its events
  std::vector<UniqueClaim> claims;
  std::vector<UniqueClaim> releases;
  std::optional<IdempotencyRecord> idempotency;
};

struct Appended {
  std::int64_t first_position = 0;
  std::int64_t last_position = 0;
  std::int64_t stream_version = 0;
  // Set when the idempotency key was seen before: nothing was appended, this is the
  // original answer.
  std::optional<StoredResult> replayed;
};

enum class AppendErrc {
  version_conflict,      // the stream moved past expected_version
  unique_conflict,       // a claim is held by another stream
  idempotency_mismatch,  // the key was used before for a different request
  unavailable,           // the store could not commit; nothing was appended
};

struct AppendError {
  AppendErrc code;
  std::string message;
};

using AppendResult = std::expected<Appended, AppendError>;

class EventStore {
 public:
  virtual ~EventStore() = default;
  // Completes only after the events are committed (guarantee 1).
  virtual std::future<AppendResult> append(AppendRequest request) = 0;
  virtual std::vector<domain::RecordedEvent> read_stream(const std::string& stream_id) = 0;
  // Events with position > after, in position order, at most limit of them.
  virtual std::vector<domain::RecordedEvent> read_all(std::int64_t after, std::size_t limit) = 0;
  virtual std::optional<IdempotencyRecord> find_command(const std::string& key) = 0;
  virtual std::int64_t head_position() = 0;
};

}  // namespace lf::ports
