#include "domain/labeling_config/config_schema.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "domain/common/text.hpp"

namespace lf::domain::labeling_config {
namespace {

// Label Studio's object tags: what is shown to the annotator.
constexpr std::array<std::string_view, 13> kObjectTags{"image", "text",       "hypertext",  "audio", "audioplus",
                                                       "video", "timeseries", "paragraphs", "table", "list",
                                                       "pdf",   "markdown",   "chat"};
// Label Studio's control tags: the answers given about an object (their result type is the
// tag's name lower-cased).
constexpr std::array<std::string_view, 27> kControlTags{
    "choices",        "labels",        "rectanglelabels", "polygonlabels",   "keypointlabels",   "ellipselabels",
    "brushlabels",    "bitmasklabels", "hypertextlabels", "paragraphlabels", "timeserieslabels", "timelinelabels",
    "videorectangle", "rectangle",     "polygon",         "keypoint",        "ellipse",          "brush",
    "bitmask",        "magicwand",     "textarea",        "rating",          "number",           "datetime",
    "taxonomy",       "pairwise",      "ranker"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view tag) {
  const auto lower = text::lower_ascii(tag);
  return std::find(set.begin(), set.end(), lower) != set.end();
}

std::string at(int line) { return " at line " + std::to_string(line); }

// `<Choices name="label">` or `<Choices>` for messages.
std::string describe(const XmlElement& e) {
  if (e.name && !e.name->empty()) {
    return "<" + e.tag + " name=\"" + *e.name + "\">";
  }
  return "<" + e.tag + ">";
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = list.find(',', start);
    out.push_back(text::trim(std::string_view(list).substr(start, comma == std::string::npos ? comma : comma - start)));
    if (comma == std::string::npos) {
      return out;
    }
    start = comma + 1;
  }
}

}  // namespace

const ControlTag* ConfigSchema::control(std::string_view name) const {
  const auto it = std::find_if(controls.begin(), controls.end(), [&](const ControlTag& c) { return c.name == name; });
  return it == controls.end() ? nullptr : &*it;
}

const ObjectTag* ConfigSchema::object(std::string_view name) const {
  const auto it = std::find_if(objects.begin(), objects.end(), [&](const ObjectTag& o) { return o.name == name; });
  return it == objects.end() ? nullptr : &*it;
}

bool is_object_tag(std::string_view tag) { return contains(kObjectTags, tag); }
bool is_control_tag(std::string_view tag) { return contains(kControlTags, tag); }

Result<ConfigSchema> schema_of(const ParsedXml& parsed) {
  std::vector<FieldIssue> issues;
  const auto issue = [&](std::string message) { issues.push_back({"configXml", std::move(message)}); };
  const auto refuse = [&]() { return fail(Errc::invalid, issues.front().message, issues); };
  if (!parsed) {
    issue(parsed.error());
    return refuse();
  }
  const auto& elements = parsed->elements;
  if (elements.empty()) {
    issue("configXml has no root element; it must be a <View>");
    return refuse();
  }
  if (text::lower_ascii(elements.front().tag) != "view") {
    issue("configXml root element must be <View>, found <" + elements.front().tag + ">" + at(elements.front().line));
    return refuse();
  }

  ConfigSchema schema;
  std::map<std::string, int> name_lines;  // every object and control name -> its line
  const auto take_name = [&](const XmlElement& e) {
    if (!e.name || text::trim(*e.name).empty()) {
      issue(describe(e) + at(e.line) + " has no name attribute");
      return false;
    }
    const auto [it, fresh] = name_lines.emplace(*e.name, e.line);
    if (!fresh) {
      issue(describe(e) + at(e.line) + ": name \"" + *e.name + "\" is already used at line " +
            std::to_string(it->second));
      return false;
    }
    return true;
  };
  for (const auto& e : elements) {
    if (is_object_tag(e.tag)) {
      if (take_name(e)) {
        schema.objects.push_back({*e.name, e.tag, e.line});
      }
    } else if (is_control_tag(e.tag)) {
      const bool named = take_name(e);
      if (!e.to_name || text::trim(*e.to_name).empty()) {
        issue(describe(e) + at(e.line) + " has no toName attribute");
        continue;
      }
      if (named) {
        schema.controls.push_back({*e.name, e.tag, text::lower_ascii(e.tag), split_names(*e.to_name), e.line});
      }
    }
  }
  if (schema.objects.empty() && issues.empty()) {
    issue(
        "configXml has no Label Studio object tag (Image, Text, HyperText, Audio, Video, TimeSeries, Paragraphs, "
        "Table, List, Pdf, Markdown, Chat, …)");
  }
  for (const auto& c : schema.controls) {
    for (const auto& target : c.to_names) {
      if (target.empty()) {
        issue("<" + c.tag + " name=\"" + c.name + "\">" + at(c.line) + ": toName has an empty entry");
      } else if (schema.object(target) == nullptr) {
        issue("<" + c.tag + " name=\"" + c.name + "\">" + at(c.line) + ": toName \"" + target +
              "\" names no object tag of this config");
      }
    }
  }
  if (!issues.empty()) {
    return refuse();
  }
  return schema;
}

}  // namespace lf::domain::labeling_config
