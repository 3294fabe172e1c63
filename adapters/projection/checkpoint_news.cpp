#include "adapters/projection/checkpoint_news.hpp"

#include <charconv>

namespace lf::adapters::projection {
namespace {

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::string encode_checkpoints(const std::vector<Checkpoint>& moved) {
  std::string out;
  for (const auto& c : moved) {
    if (!out.empty()) {
      out += ';';
    }
    out += c.projection;
    out += ':';
    out += std::to_string(c.partition);
    out += ':';
    out += std::to_string(c.position);
  }
  return out.size() <= kMaxCheckpointPayload ? out : std::string();
}

std::optional<std::vector<Checkpoint>> decode_checkpoints(std::string_view payload) {
  if (payload.empty()) {
    return std::nullopt;
  }
  std::vector<Checkpoint> out;
  while (!payload.empty()) {
    const auto end = payload.find(';');
    const auto item = payload.substr(0, end);
    payload = end == std::string_view::npos ? std::string_view() : payload.substr(end + 1);
    const auto first = item.find(':');
    const auto second = first == std::string_view::npos ? first : item.find(':', first + 1);
    if (first == 0 || second == std::string_view::npos) {
      return std::nullopt;
    }
    Checkpoint c{std::string(item.substr(0, first)), 0, 0};
    if (!parse_number(item.substr(first + 1, second - first - 1), c.partition) ||
        !parse_number(item.substr(second + 1), c.position)) {
      return std::nullopt;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace lf::adapters::projection
