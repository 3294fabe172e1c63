#pragma once
// Port: the event log. One implementation per technology (adapters/postgres), fakes in tests.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <utility>
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

// "This stream points at that one" (a gold task at its labeling config, a workflow at its
// predecessor). The store keeps the current set of references of every stream, written in the
// same transaction as the events that justify them, so a decision that needs "nobody points
// here any more" (deleting a config in use) can be checked atomically (docs/adr/0008).
struct StreamRef {
  std::string target;  // the stream pointed at, e.g. "labeling-config-3"
  std::string kind;    // what kind of reference, e.g. "gold_task.labeling_config"
  bool operator==(const StreamRef&) const = default;
};

// The decision read `stream_id` at `version` (e.g. the role an annotator is given); the append
// fails with version_conflict when that stream has moved since.
struct StreamGuard {
  std::string stream_id;
  std::int64_t version = 0;
};

// The append fails with `referenced` while another stream holds a reference of one of `kinds`
// to `target`.
struct UnreferencedGuard {
  std::string target;
  std::vector<std::string> kinds;
  std::string message;  // what the refusal says, e.g. "Labeling config is used by gold tasks"
};

// The events of one stream within an append.
struct StreamAppend {
  std::string stream_id;
  std::string stream_type;
  std::int64_t expected_version = 0;  // the version the decision was made on (0 = new stream)
  std::vector<domain::NewEvent> events;
  std::vector<UniqueClaim> claims;
  std::vector<UniqueClaim> releases;
  // When set, replaces every reference this stream holds (an empty list drops them all).
  std::optional<std::vector<StreamRef>> refs;
};

struct Appended {
  std::int64_t first_position = 0;
  std::int64_t last_position = 0;
  std::int64_t stream_version = 0;  // of the request's own stream
  // Set when the idempotency key was seen before: nothing was appended, this is the
  // original answer.
  std::optional<StoredResult> replayed;
  // The last position written to each stream of the request (its own and `more`).
  std::vector<std::pair<std::string, std::int64_t>> stream_positions;
};

// The largest event payload (its data JSON, in bytes) the log takes. Every event the log holds
// must also fit the distribution log: Kafka is configured to carry one this large with its
// envelope (adapters/kafka/topology.hpp), so no event can stop the relay.
inline constexpr std::size_t kMaxEventDataBytes = std::size_t{8} * 1024 * 1024;

enum class AppendErrc {
  version_conflict,      // a stream moved past expected_version, or a guarded stream moved
  unique_conflict,       // a claim is held by another stream
  referenced,            // an UnreferencedGuard's target is still referenced
  idempotency_mismatch,  // the key was used before for a different request
  unavailable,           // the store could not commit; nothing was appended
  refused,               // the database refused this request's own writes (a retry would be
                         // refused too); nothing was appended
  too_large,             // an event's data is over kMaxEventDataBytes; nothing was appended
};

struct AppendError {
  AppendErrc code;
  std::string message;
  std::string scope;  // unique_conflict: the claim's scope; referenced: the guard's target
  std::string value;  // unique_conflict: the claimed value
};

using AppendResult = std::expected<Appended, AppendError>;

// One command's append: its own stream (the fields below), plus `more` streams written in
// the same transaction (bulk commands: all or nothing), plus the guards the decision rests on.
struct AppendRequest {
  std::string stream_id;
  std::string stream_type;
  std::int64_t expected_version = 0;  // the version the decision was made on (0 = new stream)
  std::vector<domain::NewEvent> events;
  domain::Metadata metadata;
  std::string recorded_at;  // RFC 3339; the command's time, stored on each of its events
  std::vector<UniqueClaim> claims;
  std::vector<UniqueClaim> releases;
  std::optional<std::vector<StreamRef>> refs;
  std::optional<IdempotencyRecord> idempotency;
  std::vector<StreamAppend> more;
  std::vector<StreamGuard> guards;
  std::vector<UnreferencedGuard> unreferenced;
  // Called once with the outcome, on the store's own thread, before the future is ready: a
  // caller chains its next wait here (read-your-writes) instead of waking up in between. It
  // must be quick and must not throw or block.
  std::function<void(const AppendResult&)> on_outcome;
};

// What the store knows of a stream without folding it.
struct StreamInfo {
  std::int64_t version = 0;     // 0: no such stream
  std::string last_event_type;  // by convention "<type>.deleted" ends a stream's life
  bool live() const { return version > 0 && !last_event_type.ends_with(".deleted"); }
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  // Completes only after the events are committed (guarantee 1).
  virtual std::future<AppendResult> append(AppendRequest request) = 0;
  virtual std::vector<domain::RecordedEvent> read_stream(const std::string& stream_id) = 0;
  // Events with position > after, in position order, at most limit of them.
  virtual std::vector<domain::RecordedEvent> read_all(std::int64_t after, std::size_t limit) = 0;
  virtual std::optional<IdempotencyRecord> find_command(const std::string& key) = 0;
  virtual StreamInfo stream_info(const std::string& stream_id) = 0;
  // The stream holding `value` in `scope`, if any (e.g. to pick a free subdomain).
  virtual std::optional<std::string> claim_holder(const std::string& scope, const std::string& value) = 0;
  virtual std::int64_t head_position() = 0;
};

}  // namespace lf::ports
