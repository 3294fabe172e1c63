#pragma once
// User events <-> their JSON payloads (schemas/events/user.*.v1.json).
#include <optional>

#include "domain/common/event.hpp"
#include "domain/user/user.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::user::Event& event);
// nullopt for an event type or schema version this build does not know (it is skipped when
// folding) and for a payload that does not match its schema. A payload without its password
// hash (the published form) decodes with an empty hash.
std::optional<domain::user::Event> decode_user(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
