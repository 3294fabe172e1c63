#pragma once
// Setting events <-> their JSON payloads (schemas/events/setting.*.v1.json).
#include <optional>
#include <string>

#include "domain/common/event.hpp"
#include "domain/setting/setting.hpp"

namespace lf::adapters::codec {

domain::NewEvent encode(const domain::setting::Event& event);
std::optional<domain::setting::Event> decode_setting(const domain::RecordedEvent& event);

}  // namespace lf::adapters::codec
