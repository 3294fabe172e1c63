#include "adapters/http/router.hpp"

#include <algorithm>
#include <map>

#include "adapters/http/uri.hpp"

namespace lf::adapters::http {
namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : path) {
    if (c == '/') {
      if (!cur.empty()) {
        out.push_back(cur);
      }
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) {
    out.push_back(cur);
  }
  return out;
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
             std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) {
    return false;
  }
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (!pattern[i].empty() && pattern[i][0] == ':') {
      if (params != nullptr) {
        (*params)[pattern[i].substr(1)] = path[i];
      }
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  const auto access = method == "GET" ? Access::read : Access::admin;
  add(std::move(method), std::move(pattern), access, std::move(handler));
}

void Router::wrap_commands(CommandWrapper wrapper) { wrap_commands_ = std::move(wrapper); }

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  if (wrap_commands_ && method != "GET") {
    handler = [wrapper = wrap_commands_, inner = std::move(handler)](HttpRequest& request) {
      return wrapper(inner, request);
    };
  }
  auto segments = split(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), access, std::move(handler)});
}

Router::Match Router::match(HttpRequest& request) const {
  Match m;
  m.route = "unmatched";
  const auto decoded = path_segments(request.path);
  if (!decoded) {
    m.route = "malformed_path";
    m.malformed_path = true;
    return m;
  }
  const auto& path = *decoded;
  // Literal segments win over parameters: "/api/annotators/bulk" before "/api/annotators/:id".
  const Route* best = nullptr;
  int best_literals = -1;
  for (const auto& r : routes_) {
    if (!matches(r.segments, path, nullptr)) {
      continue;
    }
    const int literals = static_cast<int>(std::count_if(r.segments.begin(), r.segments.end(),
                                                        [](const std::string& s) { return s.empty() || s[0] != ':'; }));
    if (r.method == request.method && literals > best_literals) {
      best = &r;
      best_literals = literals;
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) {
      m.allowed.push_back(r.method);
    }
  }
  if (best != nullptr) {
    matches(best->segments, path, &request.params);
    m.handler = &best->handler;
    m.route = best->pattern;
    m.access = best->access;
  } else if (!m.allowed.empty()) {
    m.route = "method_not_allowed";
  }
  return m;
}

}  // namespace lf::adapters::http
