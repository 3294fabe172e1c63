#include "adapters/json/schema_registry.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

// RapidJSON 1.1.0's schema.h enables std::regex only when RAPIDJSON_SCHEMA_USE_INTERNALREGEX is
// defined and RAPIDJSON_SCHEMA_USE_STDREGEX is NOT: a predefined RAPIDJSON_SCHEMA_USE_STDREGEX,
// whatever its value, is redefined to 0 and every "pattern" is then silently ignored. This is
// the only translation unit that includes schema.h, so the choice is made here and checked.
#undef RAPIDJSON_SCHEMA_USE_STDREGEX
#include <rapidjson/schema.h>
static_assert(RAPIDJSON_SCHEMA_USE_STDREGEX == 1 && RAPIDJSON_SCHEMA_USE_INTERNALREGEX == 0,
              "JSON Schema patterns need std::regex: build with RAPIDJSON_SCHEMA_USE_INTERNALREGEX=0 "
              "(RapidJSON's own engine ignores \\d and \\w)");

#include "adapters/json/json_util.hpp"

namespace lf::schemas {
// Generated at build time by cmake/embed_schemas.cmake: every schemas/**/*.json by path.
const std::map<std::string, std::string>& embedded();
}  // namespace lf::schemas

namespace lf::adapters::json {

struct SchemaRegistry::Compiled {
  explicit Compiled(rapidjson::Document parsed) : source(std::move(parsed)), schema(source) {}
  rapidjson::Document source;        // kept to read keyword arguments (maxLength, required...) for messages
  rapidjson::SchemaDocument schema;  // immutable once built: shared by all threads
};

namespace {

using domain::FieldIssue;
using rapidjson::Pointer;
using rapidjson::Value;

// --- checks made when a schema is loaded --------------------------------------------------------

std::regex compile_pattern(const std::string& pattern) {
  // The same engine and grammar RapidJSON uses with RAPIDJSON_SCHEMA_USE_STDREGEX.
  return std::regex(pattern, std::regex_constants::ECMAScript);
}

// libstdc++'s std::regex matches recursively, one stack frame chain per character a quantifier
// repeats: "^[^@]+@[^@]+$" overflows an 8 MiB stack somewhere between 20,000 and 40,000
// characters (measured with g++ 12). RapidJSON checks maxLength before pattern, so an
// unbounded repetition is safe only under a small maxLength.
constexpr unsigned kMaxLengthForUnboundedPattern = 5000;

// True when the pattern has *, + or {n,} outside escapes and character classes.
bool repeats_without_bound(std::string_view pattern) {
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '*' || c == '+') {
      return true;
    } else if (c == '{') {
      const auto close = pattern.find('}', i);
      if (close != std::string_view::npos && close > i + 1 && pattern[close - 1] == ',') {
        return true;
      }
    }
  }
  return false;
}

// RapidJSON 1.1.0 silently ignores a pattern std::regex rejects and an unresolvable $ref:
// refuse such a schema instead, and one whose pattern could overflow the stack.
void check_schema(const Value& node, const std::string& name) {
  if (node.IsArray()) {
    for (const auto& item : node.GetArray()) {
      check_schema(item, name);
    }
    return;
  }
  if (!node.IsObject()) {
    return;
  }
  const auto check_pattern = [&name](const std::string& pattern) {
    try {
      (void)compile_pattern(pattern);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("JSON Schema " + name + ": pattern " + pattern + " does not compile: " + e.what());
    }
  };
  for (const auto& member : node.GetObject()) {
    const std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (key == "pattern" && member.value.IsString()) {
      const std::string pattern(member.value.GetString(), member.value.GetStringLength());
      check_pattern(pattern);
      const auto max_length = node.FindMember("maxLength");
      if (repeats_without_bound(pattern) && (max_length == node.MemberEnd() || !max_length->value.IsUint() ||
                                             max_length->value.GetUint() > kMaxLengthForUnboundedPattern)) {
        std::string message = "JSON Schema " + name;
        message += ": pattern " + pattern;
        message += " repeats without bound; give it a maxLength of at most ";
        message += std::to_string(kMaxLengthForUnboundedPattern);
        message += " (std::regex would overflow the stack on long input)";
        throw std::invalid_argument(message);
      }
    } else if (key == "patternProperties" && member.value.IsObject()) {
      for (const auto& property : member.value.GetObject()) {
        check_pattern(property.name.GetString());
      }
    } else if (key == "$ref" && member.value.IsString() && member.value.GetString()[0] != '#') {
      throw std::invalid_argument("JSON Schema " + name + ": $ref " + member.value.GetString() +
                                  " leaves the document; only local references (#/...) are supported");
    }
    check_schema(member.value, name);
  }
}

// --- describing the first failure -------------------------------------------------------------

std::string join_path(const std::string& parent, std::string_view child) {
  return parent.empty() ? std::string(child) : parent + "/" + std::string(child);
}

// "annotators/2/email" for the pointer #/annotators/2/email; "" for the root.
std::string path_of(const Pointer::Token* tokens, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count; ++i) {
    path = join_path(path, std::string_view(tokens[i].name, tokens[i].length));
  }
  return path;
}

const Value* member(const Value* object, const char* key) {
  if (object == nullptr || !object->IsObject()) {
    return nullptr;
  }
  const auto it = object->FindMember(key);
  return it == object->MemberEnd() ? nullptr : &it->value;
}

// The keyword's argument as written in the schema: 500, 0.5, "^#...$".
std::string argument(const Value* schema, const char* keyword) {
  const Value* v = member(schema, keyword);
  if (v == nullptr) {
    return "?";
  }
  return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : to_string(*v);
}

std::string counted(const Value* schema, const char* keyword, std::string_view singular, std::string_view plural) {
  const Value* v = member(schema, keyword);
  const bool one = v != nullptr && v->IsNumber() && v->GetDouble() == 1.0;
  return argument(schema, keyword) + " " + std::string(one ? singular : plural);
}

std::string with_article(std::string_view type) {
  if (type == "null") {
    return "null";
  }
  const bool vowel = !type.empty() && std::string_view("aeiou").find(type.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(type);
}

// "must be a string", "must be a string or null", "must be an integer, a string or null".
std::string type_message(const Value* schema) {
  const Value* type = member(schema, "type");
  std::vector<std::string> allowed;
  if (type != nullptr && type->IsString()) {
    allowed.push_back(with_article(type->GetString()));
  } else if (type != nullptr && type->IsArray()) {
    for (const auto& t : type->GetArray()) {
      if (t.IsString() && std::string_view(t.GetString()) != "null") {
        allowed.push_back(with_article(t.GetString()));
      }
    }
    if (std::any_of(type->Begin(), type->End(), [](const Value& t) { return t.IsString() && t == "null"; })) {
      allowed.emplace_back("null");
    }
  }
  if (allowed.empty()) {
    return "has the wrong type";
  }
  std::string message = "must be " + allowed.front();
  for (std::size_t i = 1; i < allowed.size(); ++i) {
    message += (i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
  }
  return message;
}

std::string enum_message(const Value* schema) {
  const Value* values = member(schema, "enum");
  if (values == nullptr || !values->IsArray()) {
    return "is not an allowed value";
  }
  std::string list;
  for (const auto& v : values->GetArray()) {
    list +=
        (list.empty() ? "" : ", ") + (v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : to_string(v));
  }
  return "must be one of: " + list;
}

std::string bound_message(const Value* schema, const char* keyword, const char* exclusive_keyword,
                          std::string_view inclusive, std::string_view exclusive) {
  const Value* flag = member(schema, exclusive_keyword);
  const bool is_exclusive = flag != nullptr && flag->IsBool() && flag->GetBool();
  return std::string(is_exclusive ? exclusive : inclusive) + " " + argument(schema, keyword);
}

// Members of `object` that `schema` neither lists in "properties" nor matches by "patternProperties".
std::vector<std::string> unknown_members(const Value& object, const Value* schema) {
  const Value* properties = member(schema, "properties");
  std::vector<std::regex> patterns;
  if (const Value* pp = member(schema, "patternProperties"); pp != nullptr && pp->IsObject()) {
    for (const auto& p : pp->GetObject()) {
      patterns.push_back(compile_pattern(p.name.GetString()));
    }
  }
  std::vector<std::string> unknown;
  for (const auto& m : object.GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    const bool listed = properties != nullptr && properties->IsObject() && properties->HasMember(m.name);
    const bool matched = std::any_of(patterns.begin(), patterns.end(),
                                     [&name](const std::regex& r) { return std::regex_search(name, r); });
    if (!listed && !matched) {
      unknown.push_back(name);
    }
  }
  return unknown;
}

std::vector<FieldIssue> missing_required(const Value* object, const Value* schema, const std::string& path) {
  std::vector<FieldIssue> issues;
  const Value* required = member(schema, "required");
  if (object != nullptr && object->IsObject() && required != nullptr && required->IsArray()) {
    for (const auto& name : required->GetArray()) {
      if (name.IsString() && !object->HasMember(name)) {
        issues.push_back({join_path(path, std::string_view(name.GetString(), name.GetStringLength())), "is required"});
      }
    }
  }
  if (issues.empty()) {
    issues.push_back({path, "is missing a required property"});
  }
  return issues;
}

// RapidJSON fails on the first unknown key, with the document pointer already extended by
// that key: report every unknown key of the enclosing object.
std::vector<FieldIssue> not_allowed(const Value& document, const Pointer& at, const Value* schema) {
  const std::size_t count = at.GetTokenCount();
  const Pointer::Token* tokens = at.GetTokens();
  const Value* object = at.Get(document);
  std::string object_path = path_of(tokens, count);
  if (count > 0) {
    const Pointer parent(tokens, count - 1);
    const Value* enclosing = parent.Get(document);
    if (enclosing != nullptr && enclosing->IsObject() &&
        enclosing->HasMember(Value(rapidjson::StringRef(tokens[count - 1].name, tokens[count - 1].length)))) {
      object = enclosing;
      object_path = path_of(tokens, count - 1);
    }
  }
  std::vector<FieldIssue> issues;
  if (object != nullptr && object->IsObject()) {
    for (const auto& name : unknown_members(*object, schema)) {
      issues.push_back({join_path(object_path, name), "is not allowed"});
    }
  }
  if (issues.empty()) {
    issues.push_back({path_of(tokens, count), "is not allowed"});
  }
  return issues;
}

std::vector<FieldIssue> describe(const rapidjson::SchemaValidator& validator, const Value& schema_root,
                                 const Value& document) {
  const std::string keyword = validator.GetInvalidSchemaKeyword() != nullptr ? validator.GetInvalidSchemaKeyword() : "";
  const Pointer schema_at = validator.GetInvalidSchemaPointer();
  const Pointer document_at = validator.GetInvalidDocumentPointer();
  const Value* schema = schema_at.Get(schema_root);
  const std::string path = path_of(document_at.GetTokens(), document_at.GetTokenCount());

  if (keyword == "required") {
    return missing_required(document_at.Get(document), schema, path);
  }
  if (keyword == "additionalProperties") {
    return not_allowed(document, document_at, schema);
  }
  std::string message;
  if (keyword == "type") {
    message = type_message(schema);
  } else if (keyword == "enum") {
    message = enum_message(schema);
  } else if (keyword == "minLength") {
    message = "must be at least " + counted(schema, "minLength", "character", "characters");
  } else if (keyword == "maxLength") {
    message = "must be at most " + counted(schema, "maxLength", "character", "characters");
  } else if (keyword == "pattern") {
    message = "must match pattern " + argument(schema, "pattern");
  } else if (keyword == "minimum") {
    message = bound_message(schema, "minimum", "exclusiveMinimum", "must be at least", "must be greater than");
  } else if (keyword == "maximum") {
    message = bound_message(schema, "maximum", "exclusiveMaximum", "must be at most", "must be less than");
  } else if (keyword == "multipleOf") {
    message = "must be a multiple of " + argument(schema, "multipleOf");
  } else if (keyword == "minProperties") {
    message = "must have at least " + counted(schema, "minProperties", "property", "properties");
  } else if (keyword == "maxProperties") {
    message = "must have at most " + counted(schema, "maxProperties", "property", "properties");
  } else if (keyword == "minItems") {
    message = "must have at least " + counted(schema, "minItems", "item", "items");
  } else if (keyword == "maxItems") {
    message = "must have at most " + counted(schema, "maxItems", "item", "items");
  } else if (keyword == "additionalItems") {
    const Value* items = member(schema, "items");
    message =
        "must have at most " + std::to_string(items != nullptr && items->IsArray() ? items->Size() : 0) + " items";
  } else if (keyword == "uniqueItems") {
    message = "duplicates an earlier item";  // RapidJSON points at the repeated element
  } else if (keyword == "anyOf") {
    message = "does not match any of the allowed forms";
  } else if (keyword == "oneOf") {
    message = "must match exactly one of the allowed forms";
  } else if (keyword == "not") {
    message = "is not allowed in this form";
  } else {
    message = "is invalid (" + (keyword.empty() ? std::string("unknown rule") : keyword) + ")";
  }
  return {{path, std::move(message)}};
}

}  // namespace

SchemaRegistry::SchemaRegistry(const std::map<std::string, std::string>& sources) {
  for (const auto& [name, text] : sources) {
    rapidjson::Document parsed;
    parsed.Parse(text.data(), text.size());
    if (parsed.HasParseError() || !parsed.IsObject()) {
      throw std::invalid_argument(
          "JSON Schema " + name + " is not a JSON object" +
          (parsed.HasParseError() ? " (offset " + std::to_string(parsed.GetErrorOffset()) + ")" : std::string()));
    }
    check_schema(parsed, name);
    schemas_.emplace(name, std::make_unique<const Compiled>(std::move(parsed)));
  }
}

SchemaRegistry::~SchemaRegistry() = default;

const SchemaRegistry& SchemaRegistry::instance() {
  static const SchemaRegistry kRegistry(lf::schemas::embedded());
  return kRegistry;
}

bool SchemaRegistry::has(std::string_view name) const { return schemas_.find(name) != schemas_.end(); }

std::vector<domain::FieldIssue> SchemaRegistry::validate(std::string_view name,
                                                         const rapidjson::Value& document) const {
  const auto it = schemas_.find(name);
  if (it == schemas_.end()) {
    throw std::out_of_range("unknown JSON Schema: " + std::string(name));
  }
  // A validator holds per-document state: one per call, never shared between threads.
  rapidjson::SchemaValidator validator(it->second->schema);
  if (document.Accept(validator) && validator.IsValid()) {
    return {};
  }
  return describe(validator, it->second->source, document);
}

std::vector<std::string> SchemaRegistry::write_only_properties(std::string_view name) const {
  std::vector<std::string> out;
  const auto it = schemas_.find(name);
  if (it == schemas_.end()) {
    return out;
  }
  const auto& source = it->second->source;
  const auto props = source.FindMember("properties");
  if (props == source.MemberEnd() || !props->value.IsObject()) {
    return out;
  }
  for (const auto& p : props->value.GetObject()) {
    const auto w = p.value.IsObject() ? p.value.FindMember("writeOnly") : p.value.MemberEnd();
    if (p.value.IsObject() && w != p.value.MemberEnd() && w->value.IsBool() && w->value.GetBool()) {
      out.emplace_back(p.name.GetString(), p.name.GetStringLength());
    }
  }
  return out;
}

std::string SchemaRegistry::public_payload(const std::string& type, int version, const std::string& data_json) const {
  const auto hidden = write_only_properties("events/" + type + ".v" + std::to_string(version) + ".json");
  if (hidden.empty()) {
    return data_json;
  }
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(data_json.data(), data_json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return "{}";  // never publish what we cannot inspect
  }
  for (const auto& name : hidden) {
    doc.RemoveMember(name.c_str());
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::vector<std::string> SchemaRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(schemas_.size());
  for (const auto& entry : schemas_) {
    out.push_back(entry.first);
  }
  return out;
}

}  // namespace lf::adapters::json
