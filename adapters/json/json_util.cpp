#include "adapters/json/json_util.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
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

// Re-serialises JSON text as the parser reads it, without building a document: numbers arrive
// as their text (kParseNumbersAsStringsFlag) and are written unchanged, strings and member names
// are escaped as to_string() escapes them, whitespace goes. It copies the whole text, or only the
// value of one top-level member; it can replace U+0000 in strings and names.
class Copier : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Copier> {
 public:
  Copier(std::optional<std::string_view> member, bool replace_nul) : member_(member), replace_nul_(replace_nul) {}

  // Reads `text` through this copier; false when it is not valid JSON.
  bool copy(std::string_view text) {
    rapidjson::MemoryStream bytes(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(bytes);
    rapidjson::Reader reader;
    return !reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag>(input, *this)
                .IsError();
  }

  bool found() const { return found_; }
  bool replaced() const { return replaced_; }
  std::string text() const { return {buffer_.GetString(), buffer_.GetSize()}; }

  bool Null() {
    if (copying()) {
      writer_.Null();
    }
    return scalar_done();
  }
  bool Bool(bool b) {
    if (copying()) {
      writer_.Bool(b);
    }
    return scalar_done();
  }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (copying()) {
      // Not writer_.RawNumber: RapidJSON 1.1.0's writes the number as a quoted string.
      writer_.RawValue(text, length, rapidjson::kNumberType);
    }
    return scalar_done();
  }
  bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (copying()) {
      write_text({text, length}, false);
    }
    return scalar_done();
  }
  bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (member_ && inside_ == 0) {
      armed_ = depth_ == 1 && !found_ && *member_ == std::string_view(text, length);
    } else {
      write_text({text, length}, true);
    }
    return true;
  }
  bool StartObject() {
    open();
    if (copying()) {
      writer_.StartObject();
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType /*members*/) {
    if (copying()) {
      writer_.EndObject();
    }
    close();
    return true;
  }
  bool StartArray() {
    open();
    if (copying()) {
      writer_.StartArray();
    }
    return true;
  }
  bool EndArray(rapidjson::SizeType /*elements*/) {
    if (copying()) {
      writer_.EndArray();
    }
    close();
    return true;
  }

 private:
  // Whether the value the parser is at belongs to what is copied.
  bool copying() const { return !member_ || armed_ || inside_ > 0; }
  bool scalar_done() {
    if (armed_) {
      armed_ = false;
      found_ = true;
    }
    return true;
  }
  void open() {
    if (armed_) {
      armed_ = false;
      inside_ = 1;
    } else if (inside_ > 0) {
      ++inside_;
    }
    ++depth_;
  }
  void close() {
    --depth_;
    if (inside_ > 0 && --inside_ == 0) {
      found_ = true;
    }
  }
  // A string or member name, with U+0000 replaced when asked (copied only then).
  void write_text(std::string_view text, bool key) {
    std::string replaced;
    if (replace_nul_ && text.find('\0') != std::string_view::npos) {
      replaced_ = true;
      for (const char c : text) {
        if (c == '\0') {
          replaced += kReplacement;
        } else {
          replaced += c;
        }
      }
      text = replaced;
    }
    const auto length = static_cast<rapidjson::SizeType>(text.size());
    if (key) {
      writer_.Key(text.data(), length);
    } else {
      writer_.String(text.data(), length);
    }
  }

  std::optional<std::string_view> member_;  // nullopt: the whole text
  bool replace_nul_;
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_{buffer_};
  int depth_ = 0;       // containers open at the parser's position
  int inside_ = 0;      // containers open within the copied member's value
  bool armed_ = false;  // the next value is the copied member's
  bool found_ = false;
  bool replaced_ = false;
};

}  // namespace

std::optional<std::string> without_nul_characters(std::string_view json_text) {
  // Every U+0000 in valid JSON text is written \u0000 (a raw NUL byte is not allowed there).
  if (json_text.find("\\u0000") == std::string_view::npos) {
    return std::nullopt;
  }
  Copier copier(std::nullopt, true);
  if (!copier.copy(json_text) || !copier.replaced()) {
    return std::nullopt;  // the text was "\\u0000", an escaped backslash before "u0000"
  }
  return copier.text();
}

std::optional<std::string> member_text(std::string_view object_text, std::string_view name) {
  Copier copier(name, false);
  if (!copier.copy(object_text) || !copier.found()) {
    return std::nullopt;
  }
  return copier.text();
}

std::optional<UnstorableText> unstorable_text_at(const rapidjson::Value& value) { return unstorable_under(value, ""); }

std::expected<rapidjson::Document, std::string> parse(std::string_view text) {
  rapidjson::Document document;
  document.Parse<kParseFlags | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
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
