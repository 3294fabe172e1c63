#pragma once
// JSON Schema (draft-04, as RapidJSON 1.1.0 implements it) validation of request bodies and
// event payloads. Every schemas/**/*.json is embedded in the binary at build time and compiled
// once; a schema is named by its path relative to schemas/, e.g. "requests/role-create.json".
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "adapters/json/json_util.hpp"
#include "domain/common/error.hpp"

namespace lf::adapters::json {

class SchemaRegistry {
 public:
  // The registry of the embedded schemas, compiled on first use (thread-safe). Every method
  // is const and may be called from any number of threads at once.
  static const SchemaRegistry& instance();

  // Compiles `sources` (name -> schema text). Throws std::invalid_argument when a schema is
  // not a JSON object, has a pattern std::regex cannot compile (RapidJSON would silently drop
  // it), a pattern with an unbounded repetition (*, +, {n,}) and no maxLength of at most 5000
  // beside it (std::regex recurses per character and would overflow the stack on long input),
  // or a $ref outside its own document (no remote references are resolved).
  explicit SchemaRegistry(const std::map<std::string, std::string>& sources);
  ~SchemaRegistry();
  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  bool has(std::string_view name) const;

  // Empty when `document` is valid against schema `name`. Otherwise what is wrong, as field
  // issues with a path relative to the document root ("name", "annotators/2/email", "" for
  // the root). RapidJSON stops at the first failing keyword; for `required` and
  // `additionalProperties` every missing or unknown property of that object is reported.
  // Throws std::out_of_range for an unknown schema name (a bug, not a client error).
  std::vector<domain::FieldIssue> validate(std::string_view name, const rapidjson::Value& document) const;

  // Every schema name, sorted.
  std::vector<std::string> names() const;

  // Top-level properties marked "writeOnly": true — secrets (password and token hashes) that
  // are stored in the log but never published or answered. Empty for an unknown schema.
  std::vector<std::string> write_only_properties(std::string_view name) const;

  // The event payload as outside consumers may see it: `data_json` without the write-only
  // properties of events/<type>.v<version>.json (unchanged when there are none).
  std::string public_payload(const std::string& type, int version, const std::string& data_json) const;

 private:
  struct Compiled;
  std::map<std::string, std::unique_ptr<const Compiled>, std::less<>> schemas_;
};

}  // namespace lf::adapters::json
