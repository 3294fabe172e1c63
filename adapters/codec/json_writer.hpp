#pragma once
// A thin wrapper over RapidJSON's Writer for the codecs: optional strings become null,
// raw JSON values are embedded as they are.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lf::adapters::codec {

class JsonWriter {
 public:
  JsonWriter() : w_(buf_) {}
  JsonWriter& begin_object() {
    w_.StartObject();
    return *this;
  }
  JsonWriter& end_object() {
    w_.EndObject();
    return *this;
  }
  JsonWriter& begin_array(std::string_view key) {
    this->key(key);
    w_.StartArray();
    return *this;
  }
  JsonWriter& begin_array() {
    w_.StartArray();
    return *this;
  }
  JsonWriter& end_array() {
    w_.EndArray();
    return *this;
  }
  JsonWriter& key(std::string_view k) {
    w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  JsonWriter& field(std::string_view k, std::string_view v) {
    key(k);
    return value(v);
  }
  JsonWriter& field(std::string_view k, const std::string& v) {
    key(k);
    return value(v);
  }
  JsonWriter& field(std::string_view k, const char* v) {
    key(k);
    return value(std::string_view(v));
  }
  JsonWriter& field(std::string_view k, std::int64_t v) {
    key(k);
    w_.Int64(v);
    return *this;
  }
  JsonWriter& field(std::string_view k, bool v) {
    key(k);
    w_.Bool(v);
    return *this;
  }
  JsonWriter& field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    if (v) {
      return value(*v);
    }
    w_.Null();
    return *this;
  }
  // Embeds already-serialised JSON (a setting's value).
  JsonWriter& raw_field(std::string_view k, std::string_view json) {
    key(k);
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  JsonWriter& value(std::string_view v) {
    w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
  }
  JsonWriter& raw(std::string_view json) {
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  std::string str() const { return {buf_.GetString(), buf_.GetSize()}; }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace lf::adapters::codec
