#pragma once
// limit (1-500, default 100) and offset (>= 0, default 0), and the list envelope
// {data, pagination{total, limit, offset, hasMore}} every list endpoint answers with.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "adapters/http/http_types.hpp"

namespace lf::adapters::http {

struct Page {
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

std::expected<Page, HttpResponse> parse_page(const HttpRequest& request);
// data_json is a JSON array of the page's items.
std::string envelope(const std::string& data_json, std::int64_t total, const Page& page);
// Parses a positive integer path id ("12"); nullopt for anything else.
std::optional<std::int64_t> parse_id(const std::string& text);

}  // namespace lf::adapters::http
