#pragma once
// Checks of a request's head that Pistache 0.0.5 does not make and RFC 9112 requires of a server.
// Without them, a header line without a colon or with bare LF line ends waited out the 60 s header
// timeout, "Content-Length: abc" framed an empty body, and two differing Content-Length lines
// framed the body by the first: a proxy in front that framed it by the other would let one
// request's body be read here as another request (request smuggling).
#include <optional>
#include <string>
#include <string_view>

namespace lf::adapters::http {

// `head` is the request line and header lines up to and including the empty line that ends
// them. nullopt when it passes; otherwise what is wrong, for a 400:
// - an empty request line,
// - a header line without a colon, or with whitespace before it (RFC 9112 5.1),
// - a folded line, one starting with a space or tab (5.2),
// - a Content-Length that is not digits, or repeated with another value (6.3),
// - no Host in an HTTP/1.1 request, or more than one Host (3.2).
std::optional<std::string> malformed_head(std::string_view head);

// Where `head` (the bytes received so far) has a line ended by LF alone, the first such LF
// at or after `from`; npos when none. Such a line never ends the head for Pistache, which
// then waits for its timeout: it is refused at once instead.
std::size_t bare_line_feed(std::string_view head, std::size_t from);

}  // namespace lf::adapters::http
