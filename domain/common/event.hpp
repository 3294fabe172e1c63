#pragma once
// The envelope every aggregate's events travel in once they leave the decider.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lf::domain {

// An event about to be appended: the type and its JSON payload.
struct NewEvent {
  std::string type;        // e.g. "role.created"
  int schema_version = 1;  // the version of schemas/events/<type>.v<N>.json
  std::string data_json;   // the payload, valid against that schema
};

// Who asked, and why, carried on every event of one command.
struct Metadata {
  std::string command_id;      // the Idempotency-Key, or a fresh uuid
  std::string causation_id;    // the event or command that caused this one
  std::string correlation_id;  // the request id that started the chain
  std::string actor;           // who issued the command ("anonymous" until accounts exist)
};

// An event as the log holds it.
struct RecordedEvent {
  std::int64_t position = 0;        // dense global position, assigned in commit order
  std::string event_id;             // uuid
  std::string stream_id;            // e.g. "role-12"
  std::string stream_type;          // e.g. "role"
  std::int64_t stream_version = 0;  // 1 for the stream's first event
  std::string type;
  int schema_version = 1;
  std::string data_json;
  Metadata metadata;
  std::string recorded_at;  // RFC 3339 UTC with milliseconds, e.g. 2026-04-01T00:00:00.000Z
};

}  // namespace lf::domain
