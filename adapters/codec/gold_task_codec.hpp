#pragma once
// Gold task events <-> their JSON payloads (schemas/events/gold_task.*.v1.json). The expected
// labels travel as a JSON array inside the payload, exactly as they were accepted.
#include <optional>

#include "domain/common/event.hpp"
#include "domain/gold_task/gold_task.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::gold_task::Event& event);
// nullopt for an event type this build does not know (it is skipped when folding).
std::optional<domain::gold_task::Event> decode_gold_task(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
