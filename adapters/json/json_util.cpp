#include "adapters/json/json_util.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lf::adapters::json {
namespace {

// Offset of the first '[' or '{' nested deeper than `max_depth`, if any. `text` is valid JSON,
// so brackets inside string literals are the only ones to skip.
std::optional<std::size_t> too_deep_at(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return i;
        }
        break;
      case ']':
      case '}': --depth; break;
      default: break;
    }
  }
  return std::nullopt;
}

std::string_view text_of(const rapidjson::Value& string) { return {string.GetString(), string.GetStringLength()}; }

bool holds_nul(const rapidjson::Value& string) { return text_of(string).find('\0') != std::string_view::npos; }

// What PostgreSQL would refuse in one decoded string, if anything. The parser validated the
// input's UTF-8, so only escapes can have produced what it refuses: \u0000, and a low surrogate
// escape without its high half, which RapidJSON 1.1.0 writes as the bytes ED B0..BF xx.
std::optional<std::string> unstorable_reason(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0) {
      return "must not contain the character U+0000";
    }
    if (byte == 0xED && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0xA0) {
      return "must not contain an unpaired surrogate escape (\\uD800-\\uDFFF)";
    }
  }
  return std::nullopt;
}

std::string child_path(const std::string& parent, std::string_view child) {
  return parent.empty() ? std::string(child) : parent + "/" + std::string(child);
}

// Recursion is bounded: parse() refuses documents nested deeper than kMaxNestingDepth.
std::optional<UnstorableText> unstorable_under(const rapidjson::Value& value, const std::string& path) {
  if (value.IsString()) {
    if (auto reason = unstorable_reason(text_of(value))) {
      return UnstorableText{path, std::move(*reason)};
    }
  } else if (value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      if (auto found = unstorable_under(value[i], child_path(path, std::to_string(i)))) {
        return found;
      }
    }
  } else if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      auto member_path = child_path(path, text_of(member.name));
      if (auto reason = unstorable_reason(text_of(member.name))) {
        return UnstorableText{std::move(member_path), std::move(*reason)};
      }
      if (auto found = unstorable_under(member.value, member_path)) {
        return found;
      }
    }
  }
  return std::nullopt;
}

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string replaced_nul(const rapidjson::Value& string) {
  std::string out;
  for (const char c : text_of(string)) {
    if (c == '\0') {
      out += kReplacement;
    } else {
      out += c;
    }
  }
  return out;
}

// Replaces U+0000 in `string` (a string or a member name); true when there was any.
bool replace_nul_in(rapidjson::Value& string, rapidjson::Document::AllocatorType& allocator) {
  if (!holds_nul(string)) {
    return false;
  }
  const auto text = replaced_nul(string);
  string.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
  return true;
}

// Recursion is bounded: the text parsed here was accepted by parse() when it was written.
// True when anything was replaced.
bool replace_nul_under(rapidjson::Value& value, rapidjson::Document::AllocatorType& allocator) {
  bool replaced = false;
  if (value.IsString()) {
    replaced = replace_nul_in(value, allocator);
  } else if (value.IsArray()) {
    for (auto& item : value.GetArray()) {
      replaced = replace_nul_under(item, allocator) || replaced;
    }
  } else if (value.IsObject()) {
    for (auto& member : value.GetObject()) {
      replaced = replace_nul_in(member.name, allocator) || replaced;
      replaced = replace_nul_under(member.value, allocator) || replaced;
    }
  }
  return replaced;
}

}  // namespace

std::optional<std::string> without_nul_characters(std::string_view json_text) {
  // Every U+0000 in valid JSON text is written \u0000 (a raw NUL byte is not allowed there).
  if (json_text.find("\\u0000") == std::string_view::npos) {
    return std::nullopt;
  }
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(json_text.data(), json_text.size());
  if (document.HasParseError() || !replace_nul_under(document, document.GetAllocator())) {
    return std::nullopt;  // the text was "\\u0000", an escaped backslash before "u0000"
  }
  return to_string(document);
}

std::optional<UnstorableText> unstorable_text_at(const rapidjson::Value& value) { return unstorable_under(value, ""); }

std::expected<rapidjson::Document, std::string> parse(std::string_view text) {
  rapidjson::Document document;
  // Iterative: the parser itself uses no recursion, whatever the input's depth.
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (document.HasParseError()) {
    return std::unexpected("Malformed JSON at offset " + std::to_string(document.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(document.GetParseError()));
  }
  if (const auto offset = too_deep_at(text, kMaxNestingDepth)) {
    return std::unexpected("JSON nests deeper than " + std::to_string(kMaxNestingDepth) + " levels at offset " +
                           std::to_string(*offset));
  }
  return document;
}

std::string to_string(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string quote(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

std::optional<std::string> get_string(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) {
    return std::nullopt;
  }
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

bool has_null(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) {
    return false;
  }
  const auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsNull();
}

}  // namespace lf::adapters::json
