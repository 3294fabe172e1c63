#pragma once
// Labeling config events <-> their JSON payloads (schemas/events/labeling_config.*.v1.json).
#include <optional>

#include "domain/common/event.hpp"
#include "domain/labeling_config/labeling_config.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::labeling_config::Event& event);
// nullopt for an event type this build does not know (it is skipped when folding).
std::optional<domain::labeling_config::Event> decode_labeling_config(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
