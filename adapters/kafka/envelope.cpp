#include "adapters/kafka/envelope.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>

#include <librdkafka/rdkafkacpp.h>

namespace lf::adapters::kafka {
namespace {

// Parses all of `text` as a decimal integer; nullopt on anything else (sign, spaces, overflow).
template <typename Int>
std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string_view> find(std::span<const Header> headers, std::string_view key) {
  const auto it = std::find_if(headers.rbegin(), headers.rend(), [&](const Header& h) { return h.key == key; });
  if (it == headers.rend()) {
    return std::nullopt;
  }
  return std::string_view(it->value);
}

// A required header with a non-empty value.
std::expected<std::string_view, std::string> required(std::span<const Header> headers, std::string_view key) {
  const auto value = find(headers, key);
  if (!value || value->empty()) {
    return std::unexpected("missing header " + std::string(key));
  }
  return *value;
}

// A required header holding a positive integer.
template <typename Int>
std::expected<Int, std::string> required_positive(std::span<const Header> headers, std::string_view key) {
  const auto text = required(headers, key);
  if (!text) {
    return std::unexpected(text.error());
  }
  const auto value = parse_int<Int>(*text);
  if (!value || *value <= 0) {
    return std::unexpected("header " + std::string(key) + " is not a positive integer: " + std::string(*text));
  }
  return *value;
}

std::string optional_value(std::span<const Header> headers, std::string_view key) {
  return std::string(find(headers, key).value_or(""));
}

}  // namespace

std::string dataschema_for(std::string_view type, int schema_version) {
  return "schemas/events/" + std::string(type) + ".v" + std::to_string(schema_version) + ".json";
}

std::vector<Header> encode_headers(const domain::RecordedEvent& e) {
  std::vector<Header> h{
      {header::kSpecVersion, std::string(kSpecVersion)},
      {header::kId, e.event_id},
      {header::kType, std::string(kTypePrefix) + e.type},
      {header::kSource, std::string(kSourcePrefix) + e.stream_type},
      {header::kSubject, e.stream_id},
      {header::kTime, e.recorded_at},
      {header::kContentType, std::string(kContentType)},
      {header::kSequence, std::to_string(e.position)},
      {header::kStreamVersion, std::to_string(e.stream_version)},
      {header::kSchemaVersion, std::to_string(e.schema_version)},
      {header::kDataSchema, dataschema_for(e.type, e.schema_version)},
  };
  const std::pair<const char*, const std::string*> metadata[] = {
      {header::kCommandId, &e.metadata.command_id},
      {header::kCorrelationId, &e.metadata.correlation_id},
      {header::kCausationId, &e.metadata.causation_id},
      {header::kActor, &e.metadata.actor},
  };
  for (const auto& [key, value] : metadata) {
    if (!value->empty()) {
      h.push_back({key, *value});
    }
  }
  return h;
}

std::optional<std::int64_t> epoch_millis(std::string_view rfc3339) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)
  if (rfc3339.size() < 20 || rfc3339[4] != '-' || rfc3339[7] != '-' || (rfc3339[10] != 'T' && rfc3339[10] != 't') ||
      rfc3339[13] != ':' || rfc3339[16] != ':') {
    return std::nullopt;
  }
  const auto year = parse_int<int>(rfc3339.substr(0, 4));
  const auto month = parse_int<unsigned>(rfc3339.substr(5, 2));
  const auto day = parse_int<unsigned>(rfc3339.substr(8, 2));
  const auto hour = parse_int<int>(rfc3339.substr(11, 2));
  const auto minute = parse_int<int>(rfc3339.substr(14, 2));
  const auto second = parse_int<int>(rfc3339.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{*month}, std::chrono::day{*day}};
  if (!date.ok()) {
    return std::nullopt;
  }
  std::string_view rest = rfc3339.substr(19);
  std::int64_t millis = 0;
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      ++digits;
    }
    if (digits == 1) {
      return std::nullopt;
    }
    // Milliseconds: the first three fraction digits, padded (".5" is 500 ms).
    for (std::size_t i = 1; i <= 3; ++i) {
      millis = millis * 10 + (i < digits ? rest[i] - '0' : 0);
    }
    rest.remove_prefix(digits);
  }
  if (rest != "Z" && rest != "z" && rest != "+00:00") {
    return std::nullopt;
  }
  const auto days = std::chrono::sys_days{date}.time_since_epoch();
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(days) + std::chrono::hours{*hour} +
                           std::chrono::minutes{*minute} + std::chrono::seconds{*second} +
                           std::chrono::milliseconds{millis};
  return since_epoch.count();
}

std::expected<domain::RecordedEvent, std::string> decode_event(std::span<const Header> headers,
                                                               std::optional<std::string_view> key,
                                                               std::optional<std::string_view> value) {
  if (find(headers, header::kSpecVersion) != kSpecVersion) {
    return std::unexpected("not a CloudEvents " + std::string(kSpecVersion) + " message (ce_specversion)");
  }
  const auto id = required(headers, header::kId);
  const auto type = required(headers, header::kType);
  const auto source = required(headers, header::kSource);
  const auto subject = required(headers, header::kSubject);
  const auto time = required(headers, header::kTime);
  for (const auto* attr : {&id, &type, &source, &subject, &time}) {
    if (!*attr) {
      return std::unexpected(attr->error());
    }
  }
  if (!type->starts_with(kTypePrefix) || type->size() == kTypePrefix.size()) {
    return std::unexpected("ce_type is not a LabelFleet event type: " + std::string(*type));
  }
  if (!source->starts_with(kSourcePrefix) || source->size() == kSourcePrefix.size()) {
    return std::unexpected("ce_source is not a LabelFleet stream type: " + std::string(*source));
  }
  if (key && *key != *subject) {
    return std::unexpected("message key does not match ce_subject " + std::string(*subject));
  }
  const auto position = required_positive<std::int64_t>(headers, header::kSequence);
  if (!position) {
    return std::unexpected(position.error());
  }
  const auto stream_version = required_positive<std::int64_t>(headers, header::kStreamVersion);
  if (!stream_version) {
    return std::unexpected(stream_version.error());
  }
  const auto schema_version = required_positive<int>(headers, header::kSchemaVersion);
  if (!schema_version) {
    return std::unexpected(schema_version.error());
  }
  if (!value) {
    return std::unexpected("message has no value (a tombstone is not an event)");
  }

  domain::RecordedEvent e;
  e.position = *position;
  e.event_id = std::string(*id);
  e.stream_id = std::string(*subject);
  e.stream_type = std::string(source->substr(kSourcePrefix.size()));
  e.stream_version = *stream_version;
  e.type = std::string(type->substr(kTypePrefix.size()));
  e.schema_version = *schema_version;
  e.data_json = std::string(*value);
  e.metadata.command_id = optional_value(headers, header::kCommandId);
  e.metadata.causation_id = optional_value(headers, header::kCausationId);
  e.metadata.correlation_id = optional_value(headers, header::kCorrelationId);
  e.metadata.actor = optional_value(headers, header::kActor);
  e.recorded_at = std::string(*time);
  return e;
}

std::expected<domain::RecordedEvent, std::string> decode_event(RdKafka::Message& message) {
  std::vector<Header> headers;
  // headers() returns a list the message owns (nullptr when there are none).
  if (RdKafka::Headers* raw = message.headers(); raw != nullptr) {
    for (const auto& h : raw->get_all()) {
      const auto* bytes = static_cast<const char*>(h.value());
      headers.push_back({h.key(), bytes != nullptr ? std::string(bytes, h.value_size()) : std::string()});
    }
  }
  std::optional<std::string_view> key;
  if (message.key_pointer() != nullptr) {
    key = std::string_view(static_cast<const char*>(message.key_pointer()), message.key_len());
  }
  std::optional<std::string_view> value;
  if (message.payload() != nullptr) {
    value = std::string_view(static_cast<const char*>(message.payload()), message.len());
  }
  return decode_event(headers, key, value);
}

}  // namespace lf::adapters::kafka
