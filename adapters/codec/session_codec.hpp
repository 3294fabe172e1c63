#pragma once
// Session events <-> their JSON payloads (schemas/events/session.*.v1.json).
#include <optional>

#include "domain/common/event.hpp"
#include "domain/session/session.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::session::Event& event);
// nullopt for an event type or schema version this build does not know (it is skipped when
// folding) and for a payload that does not match its schema. A payload without its refresh
// token hash (the published form) decodes with an empty hash.
std::optional<domain::session::Event> decode_session(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
