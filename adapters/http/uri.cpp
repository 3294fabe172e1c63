#include "adapters/http/uri.hpp"

#include <algorithm>

#include "adapters/common/ascii.hpp"

namespace lf::adapters::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0U) == 0x80U; }

}  // namespace

std::string_view origin_path(std::string_view target) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (ascii::starts_with_ignoring_case(target, scheme)) {
      const auto path = target.find('/', scheme.size());
      return path == std::string_view::npos ? std::string_view("/") : target.substr(path);
    }
  }
  return target;
}

std::optional<std::string> percent_decoded(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
      if (low < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool is_storable_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead == 0) {
      return false;
    }
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Sequence length and the range its second byte must fall in (RFC 3629 section 4).
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
      high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      low = lead == 0xF0 ? 0x90 : 0x80;   // no overlong forms
      high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) {
      return false;
    }
    for (std::size_t k = 2; k < length; ++k) {
      if (!is_continuation(static_cast<unsigned char>(text[i + k]))) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

std::optional<std::vector<std::string>> path_segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    if (end > start) {
      auto segment = percent_decoded(path.substr(start, end - start), false);
      if (!segment || !is_storable_text(*segment)) {
        return std::nullopt;
      }
      out.push_back(std::move(*segment));
    }
    start = end + 1;
  }
  return out;
}

std::string canonical_path(const std::vector<std::string>& segments) {
  static constexpr std::string_view kKept = "-._~!$&'()*+,;=:@";
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const auto& segment : segments) {
    out += '/';
    for (const char c : segment) {
      const auto byte = static_cast<unsigned char>(c);
      const bool alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (alphanumeric || kKept.find(c) != std::string_view::npos) {
        out += c;
      } else {
        out += '%';
        out += kHex[byte >> 4U];
        out += kHex[byte & 0x0FU];
      }
    }
  }
  return out.empty() ? "/" : out;
}

std::expected<std::map<std::string, std::string>, std::string> decoded_query(
    const std::map<std::string, std::string>& raw) {
  std::map<std::string, std::string> out;
  for (const auto& [raw_name, raw_value] : raw) {
    auto name = percent_decoded(raw_name, true);
    const bool name_ok = name && is_storable_text(*name);
    auto value = percent_decoded(raw_value, true);
    if (!name_ok || !value || !is_storable_text(*value)) {
      if (name_ok) {
        return std::unexpected(std::move(*name));
      }
      return std::unexpected(is_storable_text(raw_name) ? raw_name : std::string("?"));
    }
    out[std::move(*name)] = std::move(*value);
  }
  return out;
}

}  // namespace lf::adapters::http
