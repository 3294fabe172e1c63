#pragma once
// Role events <-> their JSON payloads (schemas/events/role.*.v1.json).
#include <optional>

#include "domain/common/event.hpp"
#include "domain/role/role.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::role::Event& event);
// nullopt for an event type this build does not know (it is skipped when folding).
std::optional<domain::role::Event> decode_role(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
