#pragma once
// API key events <-> their JSON payloads (schemas/events/api_key.*.v1.json).
#include <optional>

#include "domain/api_key/api_key.hpp"
#include "domain/common/event.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::api_key::Event& event);
// nullopt for an event type or schema version this build does not know (it is skipped when
// folding) and for a payload that does not match its schema. A payload without its key hash
// (the published form) decodes with an empty hash.
std::optional<domain::api_key::Event> decode_api_key(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
