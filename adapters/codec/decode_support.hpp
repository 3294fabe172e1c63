#pragma once
// Reading an event payload back into a domain event, for the codecs' decode functions.
//
// A decoder builds the event in one expression and lets the reader say whether it held:
//
//   PayloadReader r(event.data_json);
//   return r.make<Event>(UserDeleted{r.int64("id")});
//
// Each getter returns the member's value, or a default when the member is missing or of the
// wrong type and then marks the payload unreadable, so make() yields nullopt: a payload that
// does not match its schema decodes to nothing rather than to an event with made-up fields.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <rapidjson/document.h>

#include "adapters/json/json_util.hpp"
#include "domain/common/access.hpp"

namespace lf::adapters::codec {

class PayloadReader {
 public:
  explicit PayloadReader(std::string_view json) {
    doc_.Parse<json::kParseFlags>(json.data(), json.size());
    ok_ = !doc_.HasParseError() && doc_.IsObject();
  }

  std::int64_t int64(const char* key) {
    const auto* v = member(key);
    if (v == nullptr || !v->IsInt64()) {
      return fail(std::int64_t{0});
    }
    return v->GetInt64();
  }

  bool boolean(const char* key) {
    const auto* v = member(key);
    if (v == nullptr || !v->IsBool()) {
      return fail(false);
    }
    return v->GetBool();
  }

  std::string text(const char* key) {
    const auto* v = member(key);
    if (v == nullptr || !v->IsString()) {
      return fail(std::string());
    }
    return {v->GetString(), v->GetStringLength()};
  }

  // Present as a string or null (null -> nullopt); absent or another type is an error.
  std::optional<std::string> nullable_text(const char* key) {
    const auto* v = member(key);
    if (v != nullptr && v->IsNull()) {
      return std::nullopt;
    }
    return text(key);
  }

  // Present as an integer or null (null -> nullopt); absent or another type is an error.
  std::optional<std::int64_t> nullable_int64(const char* key) {
    const auto* v = member(key);
    if (v != nullptr && v->IsNull()) {
      return std::nullopt;
    }
    return int64(key);
  }

  double number(const char* key) {
    const auto* v = member(key);
    if (v == nullptr || !v->IsNumber()) {
      return fail(0.0);
    }
    return v->GetDouble();
  }

  // "admin" or "viewer".
  domain::Role role(const char* key) {
    const auto parsed = domain::parse_role(text(key));
    return parsed ? *parsed : fail(domain::Role::viewer);
  }

  // A write-only (secret) member. The published form of an event leaves it out
  // (SchemaRegistry::public_payload), so there it reads as "" and the rest of the event still
  // decodes; present but not a string is still an error.
  std::string secret(const char* key) {
    if (ok_ && !doc_.HasMember(key)) {
      return {};
    }
    return text(key);
  }

  // Every member read so far was there with the right type.
  bool ok() const { return ok_; }
  // A member was there but its value is not one the decoder knows (an unknown enum value).
  void invalidate() { ok_ = false; }

  // `event` as `Out` when every member read so far was there with the right type.
  template <class Out, class Event>
  std::optional<Out> make(Event&& event) const {
    if (!ok_) {
      return std::nullopt;
    }
    return Out(std::forward<Event>(event));
  }

 private:
  const rapidjson::Value* member(const char* key) const {
    if (!ok_) {
      return nullptr;
    }
    const auto it = doc_.FindMember(key);
    return it == doc_.MemberEnd() ? nullptr : &it->value;
  }

  template <class T>
  T fail(T fallback) {
    ok_ = false;
    return fallback;
  }

  rapidjson::Document doc_;
  bool ok_ = false;
};

}  // namespace lf::adapters::codec
