#include "adapters/http/command_support.hpp"

#include <algorithm>
#include <cstdint>

#include "adapters/http/errors.hpp"
#include "adapters/http/uri.hpp"
#include "adapters/json/json_util.hpp"
#include "adapters/json/schema_registry.hpp"

namespace lf::adapters::http {

std::expected<rapidjson::Document, HttpResponse> parse_body(const HttpRequest& request, std::string_view schema) {
  if (request.body.empty()) {
    return std::unexpected(error(400, "Request body is required (JSON)"));
  }
  auto doc = json::parse(request.body);
  if (!doc) {
    return std::unexpected(error(400, doc.error()));
  }
  const auto issues = json::SchemaRegistry::instance().validate(schema, *doc);
  if (!issues.empty()) {
    return std::unexpected(error(400, "Validation failed", issues));
  }
  if (auto text = json::unstorable_text_at(*doc)) {
    return std::unexpected(error(400, "Validation failed", {{std::move(text->path), std::move(text->reason)}}));
  }
  return std::move(*doc);
}

std::optional<HttpResponse> refused_idempotency_key(const HttpRequest& request) {
  static constexpr std::size_t kMaxKey = 255;
  const auto key = request.header("idempotency-key");
  if (!key || request.method == "GET") {
    return std::nullopt;
  }
  const bool visible_ascii = std::all_of(key->begin(), key->end(), [](char c) { return c >= ' ' && c <= '~'; });
  if (!key->empty() && key->size() <= kMaxKey && visible_ascii) {
    return std::nullopt;
  }
  return error(400, "Invalid Idempotency-Key header",
               {{"Idempotency-Key", "must be 1-255 characters of visible ASCII or spaces"}});
}

app::CommandContext command_context(const HttpRequest& request) {
  app::CommandContext ctx;
  ctx.request_id = request.request_id;
  ctx.actor = request.principal ? request.principal->label : "anonymous";
  ctx.idempotency_key = request.header("idempotency-key");
  // The path as the router read it: the same request with its path spelled otherwise
  // (s3%3Abucket or s3:bucket) is the same request. A command's path always decodes.
  const auto segments = path_segments(request.path);
  ctx.fingerprint = app::fingerprint(request.method, segments ? canonical_path(*segments) : request.path, request.body);
  return ctx;
}

HttpResponse respond(const std::expected<app::Outcome, ports::AppendError>& outcome,
                     const std::string& unique_message) {
  if (!outcome) {
    return from_append(outcome.error(), unique_message);
  }
  auto response = json(outcome->result.status, outcome->result.body);
  if (outcome->replayed) {
    response.headers.emplace_back("Idempotent-Replayed", "true");
  }
  return response;
}

HttpResponse with_location(HttpResponse response, const std::string& collection) {
  if (response.status != 201) {
    return response;
  }
  rapidjson::Document doc;
  doc.Parse<json::kParseFlags>(response.body.c_str(), response.body.size());
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("id") && doc["id"].IsInt64()) {
    response.headers.emplace_back("Location", collection + std::to_string(doc["id"].GetInt64()));
  }
  return response;
}

void add_claims(std::vector<ports::UniqueClaim>& claims, std::vector<ports::UniqueClaim>& releases,
                const std::string& scope, const domain::Claims& decided) {
  for (const auto& v : decided.claim) {
    claims.push_back({scope, v});
  }
  for (const auto& v : decided.release) {
    releases.push_back({scope, v});
  }
}

std::optional<ports::StreamGuard> live_reference(ports::EventStore& store, const std::string& stream_id) {
  const auto info = store.stream_info(stream_id);
  if (!info.live()) {
    return std::nullopt;
  }
  return ports::StreamGuard{stream_id, info.version};
}

std::optional<std::optional<std::string>> nullable_string(const rapidjson::Value& object, const char* key) {
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd()) {
    return std::nullopt;
  }
  if (it->value.IsNull()) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{std::string(it->value.GetString(), it->value.GetStringLength())};
}

std::optional<std::string> optional_string(const rapidjson::Value& object, const char* key) {
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace lf::adapters::http

namespace lf::adapters::http {
namespace {
std::int64_t integer(const rapidjson::Value& v) { return v.IsInt64() ? v.GetInt64() : INT64_MAX; }
}  // namespace

std::optional<std::int64_t> optional_int(const rapidjson::Value& object, const char* key) {
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsNumber()) {
    return std::nullopt;
  }
  return integer(it->value);
}

std::optional<std::optional<std::int64_t>> nullable_int(const rapidjson::Value& object, const char* key) {
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd()) {
    return std::nullopt;
  }
  if (it->value.IsNull()) {
    return std::optional<std::int64_t>{};
  }
  return std::optional<std::int64_t>{integer(it->value)};
}

}  // namespace lf::adapters::http
