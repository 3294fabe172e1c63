#pragma once
// Transport-neutral request and response: handlers see these, never Pistache's types, so
// they can be run on worker threads and tested without a socket.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/common/access.hpp"
#include "domain/common/error.hpp"

namespace lf::adapters::http {

// Who may call a route.
enum class Access {
  open,     // no credential (health, version, metrics, login)
  webhook,  // an annotator's X-Webhook-Secret
  read,     // any authenticated caller: viewers and admins
  admin,    // admins only
};

// The authenticated caller of a request.
struct Principal {
  enum class Kind { user, api_key, annotator };
  Kind kind = Kind::user;
  std::int64_t id = 0;
  domain::Role role = domain::Role::viewer;
  std::string label;  // "user:3", "api-key:7", "annotator:12": rate-limit key and audit actor
};

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string path;    // without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::map<std::string, std::string> params;   // path parameters filled by the router
  std::map<std::string, std::string> cookies;
  std::string body;
  std::string request_id;
  std::string client_address;
  std::optional<Principal> principal;  // set by the gate for authenticated routes

  std::optional<std::string> header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::nullopt : std::optional(it->second);
  }
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

HttpResponse json(int status, std::string body);
// {"error": message, "details": [{"path": …, "message": …}]} — the contract's error shape.
HttpResponse error(int status, const std::string& message, const std::vector<domain::FieldIssue>& details = {});
// 429: the error shape plus "code": "RATE_LIMIT_EXCEEDED" and "retry_after" (seconds), and
// the Retry-After header.
HttpResponse too_many_requests(const std::string& message, std::int64_t retry_after);
// 503 in the error shape, with Retry-After (RFC 9110 10.2.3): what is missing now (the
// database, a free connection, a server not stopping) may be there a second later. Client
// libraries that retry (urllib3's Retry, for one) wait that long instead of their own backoff.
inline constexpr std::int64_t kRetryAfterSeconds = 1;
HttpResponse unavailable(const std::string& message);

}  // namespace lf::adapters::http
