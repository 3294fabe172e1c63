#pragma once
// Transport-neutral request and response: handlers see these, never Pistache's types, so
// they can be run on worker threads and tested without a socket.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/common/error.hpp"

namespace lf::adapters::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string path;    // without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::map<std::string, std::string> params;   // path parameters filled by the router
  std::string body;
  std::string request_id;
  std::string client_address;

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

}  // namespace lf::adapters::http
