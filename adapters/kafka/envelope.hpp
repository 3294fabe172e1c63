#pragma once
// The envelope of an event on Kafka: CloudEvents 1.0 in Kafka binary content mode
// (docs/adr/0003-topics-and-envelope.md). The value is the event's JSON payload unchanged;
// everything else travels in headers. Encoding (relay) and decoding (projector, sagas, tests)
// live here so both sides cannot drift apart.
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/common/event.hpp"

namespace RdKafka {
class Message;
}

namespace lf::adapters::kafka {

// Header names. ce_* are CloudEvents attributes (ce_sequence etc. are extensions: the
// event's global log position, its stream version, its schema version and its metadata).
namespace header {
inline constexpr const char* kSpecVersion = "ce_specversion";
inline constexpr const char* kId = "ce_id";
inline constexpr const char* kType = "ce_type";
inline constexpr const char* kSource = "ce_source";
inline constexpr const char* kSubject = "ce_subject";
inline constexpr const char* kTime = "ce_time";
inline constexpr const char* kContentType = "content-type";
inline constexpr const char* kSequence = "ce_sequence";
inline constexpr const char* kStreamVersion = "ce_streamversion";
inline constexpr const char* kSchemaVersion = "ce_schemaversion";
inline constexpr const char* kDataSchema = "ce_dataschema";
inline constexpr const char* kCommandId = "ce_commandid";
inline constexpr const char* kCorrelationId = "ce_correlationid";
inline constexpr const char* kCausationId = "ce_causationid";
inline constexpr const char* kActor = "ce_actor";
}  // namespace header

inline constexpr std::string_view kSpecVersion = "1.0";
inline constexpr std::string_view kTypePrefix = "com.labelfleet.";  // + "role.created"
inline constexpr std::string_view kSourcePrefix = "/labelfleet/";   // + stream type
inline constexpr std::string_view kContentType = "application/json";

struct Header {
  std::string key;
  std::string value;
  bool operator==(const Header&) const = default;
};

// "schemas/events/<type>.v<N>.json": where the payload's JSON Schema lives in the repository.
std::string dataschema_for(std::string_view type, int schema_version);

// Every header of the event's message, in a stable order. Metadata headers whose value is
// empty are left out (CloudEvents attributes must not be empty strings).
std::vector<Header> encode_headers(const domain::RecordedEvent& event);

// Milliseconds since the Unix epoch of an RFC 3339 UTC time ("…Z" or "…+00:00", optional
// fraction), the message timestamp. nullopt when it is not such a time.
std::optional<std::int64_t> epoch_millis(std::string_view rfc3339);

// Rebuilds the event from a message's headers, key and value. The error names what is
// missing or malformed; such a message cannot be applied and is the caller's to report.
// When several headers share a key, the last one counts (Kafka's convention).
std::expected<domain::RecordedEvent, std::string> decode_event(std::span<const Header> headers,
                                                               std::optional<std::string_view> key,
                                                               std::optional<std::string_view> value);
std::expected<domain::RecordedEvent, std::string> decode_event(
    RdKafka::Message& message);  // non-const: librdkafka parses headers lazily

}  // namespace lf::adapters::kafka
