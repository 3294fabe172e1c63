#include "adapters/http/pagination.hpp"

#include <charconv>

namespace lf::adapters::http {
namespace {

std::optional<std::int64_t> parse_int(const std::string& s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || s.empty()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<std::int64_t> parse_id(const std::string& text) {
  const auto v = parse_int(text);
  if (!v || *v < 1) {
    return std::nullopt;
  }
  return v;
}

std::expected<Page, HttpResponse> parse_page(const HttpRequest& request) {
  Page page;
  std::vector<domain::FieldIssue> issues;
  if (const auto it = request.query.find("limit"); it != request.query.end()) {
    const auto v = parse_int(it->second);
    if (!v || *v < 1 || *v > 500) {
      issues.push_back({"limit", "must be an integer from 1 to 500"});
    } else {
      page.limit = *v;
    }
  }
  if (const auto it = request.query.find("offset"); it != request.query.end()) {
    const auto v = parse_int(it->second);
    if (!v || *v < 0) {
      issues.push_back({"offset", "must be an integer of 0 or more"});
    } else {
      page.offset = *v;
    }
  }
  if (!issues.empty()) {
    return std::unexpected(error(400, "Invalid query parameters", issues));
  }
  return page;
}

std::string envelope(const std::string& data_json, std::int64_t total, const Page& page) {
  const bool has_more = page.offset + page.limit < total;
  return R"({"data":)" + data_json + R"(,"pagination":{"total":)" + std::to_string(total) + R"(,"limit":)" +
         std::to_string(page.limit) + R"(,"offset":)" + std::to_string(page.offset) + R"(,"hasMore":)" +
         (has_more ? "true" : "false") + "}}";
}

}  // namespace lf::adapters::http
