#pragma once
// Workflow events <-> their JSON payloads (schemas/events/workflow.*.v1.json).
#include <optional>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "domain/common/event.hpp"
#include "domain/workflow/workflow.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::workflow::Event& event);
// nullopt for an event type this build does not know, or a payload that does not match its schema.
std::optional<domain::workflow::Event> decode_workflow(const domain::RecordedEvent& event);

// Writes the workflow's fields (camelCase, as in the events and the API) into an open object.
void write_workflow_fields(rapidjson::Writer<rapidjson::StringBuffer>& w, const domain::workflow::Workflow& x);

}  // namespace lf::adapters::codec
