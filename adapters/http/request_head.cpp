#include "adapters/http/request_head.hpp"

#include <algorithm>

#include "adapters/common/ascii.hpp"

namespace lf::adapters::http {
namespace {

std::string_view trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::optional<std::string> malformed_head(std::string_view head) {
  std::optional<std::string_view> content_length;
  // The request line comes first; header lines follow, up to the empty line.
  auto at = head.find("\r\n");
  if (at == 0) {
    return "the request line is empty";
  }
  const auto request_line = head.substr(0, at);
  const bool http11 = request_line.size() >= 9 && request_line.substr(request_line.size() - 9) == " HTTP/1.1";
  int hosts = 0;
  while (at != std::string_view::npos) {
    const auto start = at + 2;
    const auto end = head.find("\r\n", start);
    if (end == std::string_view::npos || end == start) {
      break;  // the empty line: the end of the head
    }
    const auto line = head.substr(start, end - start);
    at = end;
    if (line.front() == ' ' || line.front() == '\t') {
      return "a header line may not start with whitespace (folded lines are not accepted)";
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return "a header line must be a name, a colon and a value";
    }
    const auto name = line.substr(0, colon);
    if (name.back() == ' ' || name.back() == '\t') {
      return "a header name may not be followed by whitespace before its colon";
    }
    if (ascii::equal_ignoring_case(name, "host") && ++hosts > 1) {
      return "Host is given more than once";
    }
    if (!ascii::equal_ignoring_case(name, "content-length")) {
      continue;
    }
    const auto value = trimmed(line.substr(colon + 1));
    if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return "Content-Length must be a number of bytes";
    }
    if (content_length && *content_length != value) {
      return "Content-Length is given twice with different values";
    }
    content_length = value;
  }
  if (http11 && hosts == 0) {
    return "an HTTP/1.1 request must name its Host";
  }
  return std::nullopt;
}

std::size_t bare_line_feed(std::string_view head, std::size_t from) {
  for (auto at = head.find('\n', from); at != std::string_view::npos; at = head.find('\n', at + 1)) {
    if (at == 0 || head[at - 1] != '\r') {
      return at;
    }
  }
  return std::string_view::npos;
}

}  // namespace lf::adapters::http
