#pragma once
// Method + path pattern ("/api/roles/:id") -> handler. Distinguishes an unknown path (404)
// from a known path with the wrong method (405 with Allow).
#include <functional>
#include <string>
#include <vector>

#include "adapters/http/http_types.hpp"

namespace lf::adapters::http {

using Handler = std::function<HttpResponse(HttpRequest&)>;

class Router {
 public:
  // Runs every command handler (any method but GET) added after this call through `wrapper`,
  // e.g. to retry a command whose decision rested on stale state.
  using CommandWrapper = std::function<HttpResponse(const Handler&, HttpRequest&)>;
  void wrap_commands(CommandWrapper wrapper);
  // Access defaults by method: GET is a read, everything else needs an admin.
  void add(std::string method, std::string pattern, Handler handler);
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method
    std::string route;                 // the pattern, used as the metrics label ("unmatched" if none)
    std::vector<std::string> allowed;  // methods the path accepts (for 405)
    Access access = Access::admin;
    bool malformed_path = false;  // a segment is not percent-encoded UTF-8 (400, not 404)
  };
  // Matches the percent-decoded path segments ("/api/settings/s3%3Abucket" is the setting
  // "s3:bucket"); fills request.params, decoded, on a match.
  Match match(HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
  };
  std::vector<Route> routes_;
  CommandWrapper wrap_commands_;
};

}  // namespace lf::adapters::http
