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
  void add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method
    std::string route;                 // the pattern, used as the metrics label ("unmatched" if none)
    std::vector<std::string> allowed;  // methods the path accepts (for 405)
  };
  // Fills request.params on a match.
  Match match(HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace lf::adapters::http
