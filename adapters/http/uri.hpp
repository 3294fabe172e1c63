#pragma once
// Reading the parts of a request's URL: percent-decoding (RFC 3986 2.1) and the text checks
// that keep what a client can put in a URL out of PostgreSQL's way.
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lf::adapters::http {

// The path of a request target. A client talking to the server as to a proxy sends the
// absolute form ("http://host:8080/api/health"), which RFC 9112 3.2.2 says a server must
// accept: its scheme and authority are dropped ("/" when it has no path). Other targets are
// returned as they are.
std::string_view origin_path(std::string_view target);

// `text` with every %XX replaced by its byte; nullopt when a '%' is not followed by two hex
// digits. In a query string '+' is a space too (application/x-www-form-urlencoded, as
// URLSearchParams and Python's urlencode write it); in a path it is itself.
std::optional<std::string> percent_decoded(std::string_view text, bool plus_is_space);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF) without U+0000: what PostgreSQL's text accepts.
bool is_storable_text(std::string_view text);

// The decoded segments of a request path ("/api/settings/s3%3Abucket" -> api, settings,
// s3:bucket); empty segments are skipped. A %2F stays inside its segment. nullopt when a segment
// is not percent-encoded storable text.
std::optional<std::vector<std::string>> path_segments(std::string_view path);

// A path written back from its decoded segments: "/" before each, the bytes RFC 3986 3.3 lets
// a segment hold (unreserved, sub-delims, ':' and '@') as they are, every other byte as %XX in
// upper case. The spellings of one path (/api/settings/s3%3Abucket, /api/settings/s3:bucket,
// /api//settings/s3:bucket/) give one text; a path already so written is returned unchanged.
std::string canonical_path(const std::vector<std::string>& segments);

// Query parameters as Pistache hands them over (raw), decoded; a name decoded twice keeps the
// last value. The error names the first parameter that is not percent-encoded storable text,
// as far as it can be shown ("?" when not even its name can).
std::expected<std::map<std::string, std::string>, std::string> decoded_query(
    const std::map<std::string, std::string>& raw);

}  // namespace lf::adapters::http
