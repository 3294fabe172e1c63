#pragma once
// Setting events <-> their JSON payloads (schemas/events/setting.*.v1.json).
#include <optional>
#include <string>
#include <string_view>

#include "domain/common/event.hpp"
#include "domain/setting/setting.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::setting::Event& event);
std::optional<domain::setting::Event> decode_setting(const domain::RecordedEvent& event);
// Compact, canonical text of any JSON value (whitespace removed), so equal values compare equal.
std::string canonical_json(std::string_view json);

}  // namespace lf::adapters::codec
