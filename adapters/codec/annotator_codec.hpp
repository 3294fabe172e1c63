#pragma once
// Annotator events <-> their JSON payloads (schemas/events/annotator.*.v1.json).
#include <optional>

#include "domain/annotator/annotator.hpp"
#include "domain/common/event.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::annotator::Event& event);
// nullopt for an event type or schema version this build does not know (skipped when folding)
// and for a payload that does not match its schema. The published form of
// annotator.api_token_reported (without its writeOnly token) decodes with an empty token.
std::optional<domain::annotator::Event> decode_annotator(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
