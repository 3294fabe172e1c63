#pragma once
// Small RapidJSON helpers for the HTTP handlers and the codecs.
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace lf::adapters::json {

// Deepest nesting of arrays/objects parse() accepts. Validation and serialisation walk a
// document recursively, so an unbounded depth would let a request body exhaust the stack.
inline constexpr std::size_t kMaxNestingDepth = 100;

// Flags for every parse of JSON whose numbers are kept, compared or passed on. RapidJSON's
// default conversion is off by a unit in the last place for about 1 in 100 decimals of 17
// significant digits ("37.107837676690007" reads as 37.107837676690011, not the nearest double
// 37.107837676690004); full precision always reads the nearest double. Iterative: the parser
// itself uses no recursion, whatever the input's depth.
inline constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag;

// Parses one JSON text (UTF-8 is validated, trailing content is an error). On failure the
// message names the byte offset: "Malformed JSON at offset 12: Missing a comma or '}' after
// an object member."
std::expected<rapidjson::Document, std::string> parse(std::string_view text);

// Text in a parsed document that PostgreSQL's text and jsonb cannot store: the character U+0000,
// or an unpaired surrogate escape (RapidJSON 1.1.0 decodes "\udc00" alone to bytes that are not
// UTF-8). A request carrying either is refused at the boundary rather than failing its append
// or, later, every projection of its event.
struct UnstorableText {
  std::string path;    // field path: "name", "annotators/2/email", "" for the root; a member
                       // name counts as its own path
  std::string reason;  // "must not contain the character U+0000"
};
// The first string or member name holding such text, in document order.
std::optional<UnstorableText> unstorable_text_at(const rapidjson::Value& value);

// `json_text` (valid JSON) with every U+0000 in its strings and member names replaced by U+FFFD,
// re-serialised compactly with its numbers as written; nullopt when it holds none (the common
// case, found without parsing).
std::optional<std::string> without_nul_characters(std::string_view json_text);

// The value of the top-level member `name` of the JSON object `object_text`, serialised compactly
// with every number exactly as written: a parsed document holds a number as an int64, a uint64
// or a double, so 123456789012345678901234567890 or 3.14159265358979323846 would come back
// changed, while PostgreSQL's json and jsonb keep them. For values stored as given (a setting's).
// The first such member if the object repeats it (as a parsed document's FindMember does);
// nullopt when `object_text` is not valid JSON or has no such member.
std::optional<std::string> member_text(std::string_view object_text, std::string_view name);

// Compact serialisation of a value.
std::string to_string(const rapidjson::Value& value);

// A JSON string literal, quotes included, with the characters JSON requires escaped.
std::string quote(std::string_view text);

// The member's text when `object` is an object and the member exists and is a string.
std::optional<std::string> get_string(const rapidjson::Value& object, const char* key);

// True when `object` is an object whose member `key` is present and null.
bool has_null(const rapidjson::Value& object, const char* key);

}  // namespace lf::adapters::json
