#pragma once
// Shared steps of every write endpoint: parse and validate the body, build the command
// context, turn an outcome into a response.
#include <expected>
#include <string_view>

#include <rapidjson/document.h>

#include "adapters/app/command_executor.hpp"
#include "adapters/http/http_types.hpp"
#include "domain/common/claims.hpp"

namespace lf::adapters::http {

// 400 with the contract's error shape for malformed JSON or a schema violation.
std::expected<rapidjson::Document, HttpResponse> parse_body(const HttpRequest& request, std::string_view schema);
// 400 when a command (any method but GET, which ignores the header) carries an
// Idempotency-Key that is not 1-255 visible ASCII characters
// or spaces (what clients generate: UUIDs, hashes). Others would fail the key's lookup or its
// record in PostgreSQL (U+0000, invalid UTF-8, an index entry over 2.7 kB) as a 500.
std::optional<HttpResponse> refused_idempotency_key(const HttpRequest& request);
app::CommandContext command_context(const HttpRequest& request);
// `unique_message` says what a uniqueness conflict means for this command.
HttpResponse respond(const std::expected<app::Outcome, ports::AppendError>& outcome, const std::string& unique_message);

// A 201 names what it created: Location = collection + the body's "id" (also on a replay).
HttpResponse with_location(HttpResponse response, const std::string& collection);

// Encodes an aggregate's decided events into `out` (a Decision's or a StreamAppend's events).
template <class Event, class Encode>
void encode_into(std::vector<domain::NewEvent>& out, const std::vector<Event>& events, Encode encode) {
  for (const auto& e : events) {
    out.push_back(encode(e));
  }
}

// The claims and releases a decider reported for one scope (domain::track_claims).
void add_claims(std::vector<ports::UniqueClaim>& claims, std::vector<ports::UniqueClaim>& releases,
                const std::string& scope, const domain::Claims& decided);

// A resource another one points at: nullopt when it does not exist or was deleted; otherwise
// the guard that makes the append fail if it changes before the commit (docs/adr/0008).
std::optional<ports::StreamGuard> live_reference(ports::EventStore& store, const std::string& stream_id);

// For PUT-style partial updates: absent -> nullopt, null -> optional(nullopt), "x" -> "x".
std::optional<std::optional<std::string>> nullable_string(const rapidjson::Value& object, const char* key);
std::optional<std::string> optional_string(const rapidjson::Value& object, const char* key);
// An integer member (the schema has checked the type); one beyond int64 reads as INT64_MAX,
// which every rule on ids and bounds then refuses. Absent or not a number -> nullopt.
std::optional<std::int64_t> optional_int(const rapidjson::Value& object, const char* key);
// absent -> nullopt, null -> optional(nullopt), 3 -> 3.
std::optional<std::optional<std::int64_t>> nullable_int(const rapidjson::Value& object, const char* key);

}  // namespace lf::adapters::http
