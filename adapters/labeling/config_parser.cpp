#include "adapters/labeling/config_parser.hpp"

#include <algorithm>
#include <cstring>
#include <expected>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <pugixml.hpp>

namespace lf::adapters::labeling {
namespace {

using domain::labeling_config::ParsedXml;
using domain::labeling_config::XmlElement;
using domain::labeling_config::XmlOutline;

std::unexpected<std::string> malformed(std::string_view xml, const std::string& what, std::size_t offset) {
  const auto at = position_of(xml, offset);
  return std::unexpected("configXml is not well-formed XML: " + what + " at line " + std::to_string(at.line) +
                         ", column " + std::to_string(at.column));
}

std::size_t offset_of(const pugi::xml_node& node) {
  return static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0));
}

// Every element under `root` (included), depth-first in document order; iterative, so a deeply
// nested document cannot exhaust the stack. Fails on a repeated attribute (pugixml accepts it).
std::expected<XmlOutline, std::pair<std::string, std::size_t>> outline(std::string_view xml,
                                                                       const pugi::xml_node& root) {
  XmlOutline out;
  std::vector<std::pair<pugi::xml_node, int>> unvisited{{root, 0}};
  while (!unvisited.empty()) {
    const auto [node, depth] = unvisited.back();
    unvisited.pop_back();
    XmlElement e;
    e.tag = node.name();
    e.depth = depth;
    e.line = position_of(xml, offset_of(node)).line;
    std::set<std::string, std::less<>> seen;
    for (const auto& a : node.attributes()) {
      if (!seen.emplace(a.name()).second) {
        return std::unexpected(
            std::pair{"attribute '" + std::string(a.name()) + "' repeated in <" + e.tag + ">", offset_of(node)});
      }
      if (std::strcmp(a.name(), "name") == 0) {
        e.name = a.value();
      } else if (std::strcmp(a.name(), "toName") == 0) {
        e.to_name = a.value();
      }
    }
    out.elements.push_back(std::move(e));
    // Children pushed last-first so that they come off the stack in document order.
    std::vector<pugi::xml_node> children;
    for (const auto& child : node.children()) {
      if (child.type() == pugi::node_element) {
        children.push_back(child);
      }
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      unvisited.emplace_back(*it, depth + 1);
    }
  }
  return out;
}

}  // namespace

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition p;
  const auto end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      ++p.column;  // a UTF-8 continuation byte is part of the previous character
    }
  }
  return p;
}

ParsedXml parse_config_xml(std::string_view xml) {
  pugi::xml_document doc;
  // parse_default: the five predefined entities are expanded, comments and processing
  // instructions skipped; a DOCTYPE is skipped too, never fetched or expanded.
  const auto result = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result) {
    return malformed(xml, result.description(), static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0)));
  }
  pugi::xml_node root;
  for (const auto& child : doc.children()) {
    if (child.type() != pugi::node_element) {
      continue;
    }
    if (root) {
      return malformed(xml, "a second top-level element <" + std::string(child.name()) + "> (only one root is allowed)",
                       offset_of(child));
    }
    root = child;
  }
  if (!root) {
    return malformed(xml, "No document element found", 0);
  }
  auto out = outline(xml, root);
  if (!out) {
    return malformed(xml, out.error().first, out.error().second);
  }
  return std::move(*out);
}

}  // namespace lf::adapters::labeling
