#pragma once
// What a Label Studio labeling config declares, and the rules it must follow.
//
// The shell parses the XML (adapters/labeling/config_parser) into an XmlOutline: every element
// with its name and toName attributes and its line. The domain owns Label Studio's vocabulary:
// which tags are object tags (the data shown: Image, Text, …) and which are control tags (the
// answers given about them: Choices, RectangleLabels, …), and what makes a config usable.
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/common/error.hpp"

namespace lf::domain::labeling_config {

// One element of the XML, in document order.
struct XmlElement {
  std::string tag;                     // as written, e.g. "RectangleLabels"
  std::optional<std::string> name;     // the name attribute, if present
  std::optional<std::string> to_name;  // the toName attribute as written, if present
  int line = 0;                        // 1-based line of the element's start tag
  int depth = 0;                       // 0 for the root element
};

struct XmlOutline {
  std::vector<XmlElement> elements;  // the root first
};

// The shell's parse of configXml: the outline, or why the text is not well-formed XML (a
// message that already says where, e.g. "configXml is not well-formed XML: Start-end tags
// mismatch at line 3, column 3").
using ParsedXml = std::expected<XmlOutline, std::string>;

struct ObjectTag {
  std::string name;  // the name attribute, referenced by toName and by results' to_name
  std::string tag;   // e.g. "Image"
  int line = 0;
};

struct ControlTag {
  std::string name;                   // referenced by results' from_name
  std::string tag;                    // e.g. "Choices"
  std::string type;                   // the result type: the tag lower-cased, e.g. "choices"
  std::vector<std::string> to_names;  // the objects it labels (toName, comma-separated)
  int line = 0;
};

// A config that passed the rules: its object and control tags.
struct ConfigSchema {
  std::vector<ObjectTag> objects;
  std::vector<ControlTag> controls;

  const ControlTag* control(std::string_view name) const;
  const ObjectTag* object(std::string_view name) const;
};

// Label Studio's tags (compared ignoring ASCII case, as Label Studio does).
bool is_object_tag(std::string_view tag);
bool is_control_tag(std::string_view tag);

// Checks the rules of a labeling config: well-formed, <View> root, at least one object tag,
// every object and control tag named, names unique, every control's toName naming existing
// object tags. Errors are Errc::invalid with details at path "configXml" saying what and
// where ("… at line N").
Result<ConfigSchema> schema_of(const ParsedXml& parsed);

}  // namespace lf::domain::labeling_config
