#include "adapters/http/http_types.hpp"

#include "adapters/codec/json_writer.hpp"

namespace lf::adapters::http {

HttpResponse json(int status, std::string body) {
  return HttpResponse{status, std::move(body), "application/json", {}};
}

HttpResponse error(int status, const std::string& message, const std::vector<domain::FieldIssue>& details) {
  codec::JsonWriter w;
  w.begin_object().field("error", message);
  if (!details.empty()) {
    w.begin_array("details");
    for (const auto& d : details) {
      w.begin_object().field("path", d.path).field("message", d.message).end_object();
    }
    w.end_array();
  }
  return json(status, w.end_object().str());
}

HttpResponse too_many_requests(const std::string& message, std::int64_t retry_after) {
  codec::JsonWriter w;
  w.begin_object().field("error", message).field("code", "RATE_LIMIT_EXCEEDED").field("retry_after", retry_after);
  auto r = json(429, w.end_object().str());
  r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

HttpResponse unavailable(const std::string& message) {
  auto r = error(503, message);
  r.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  return r;
}

}  // namespace lf::adapters::http
