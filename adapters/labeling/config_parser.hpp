#pragma once
// Parses a Label Studio labeling config (XML) with pugixml into the domain's outline: every
// element with its name/toName attributes and line. Whether the outline makes a usable config
// is the domain's decision (domain/labeling_config/config_schema.hpp).
#include <string_view>

#include "domain/labeling_config/config_schema.hpp"

namespace lf::adapters::labeling {

// The outline, or "configXml is not well-formed XML: <what> at line L, column C". Stricter than
// pugixml alone: a second top-level element and a repeated attribute are refused too.
domain::labeling_config::ParsedXml parse_config_xml(std::string_view xml);

// 1-based line and column (in characters) of a byte offset into `text`.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

}  // namespace lf::adapters::labeling
