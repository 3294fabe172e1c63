// The checks of a request's head that Pistache 0.0.5 does not make (RFC 9112 5.1, 5.2, 6.3).
#include "adapters/http/request_head.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::http {
namespace {

TEST(MalformedHead, PassesWellFormedHeads) {
  EXPECT_EQ(malformed_head("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"), std::nullopt);
  EXPECT_EQ(malformed_head("GET / HTTP/1.0\r\n\r\n"), std::nullopt) << "HTTP/1.0 needs no Host";
  EXPECT_EQ(malformed_head("GET / HTTP/1.1\r\nHost:\r\n\r\n"), std::nullopt) << "an empty Host is a Host";
  EXPECT_EQ(malformed_head("POST /api/roles HTTP/1.1\r\nHost: x\r\ncontent-length:  12 \r\nX-Empty:\r\n"
                           "Content-Length: 12\r\n\r\n"),
            std::nullopt)
      << "the same length twice is one length";
}

TEST(MalformedHead, RefusesWhatRfc9112HasAServerRefuse) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"GET / HTTP/1.1\r\nHost: x\r\nBogusHeader\r\n\r\n", "a header line must be a name, a colon and a value"},
      {"GET / HTTP/1.1\r\nHost: x\r\n: no name\r\n\r\n", "a header line must be a name, a colon and a value"},
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", "a header name may not be followed by whitespace before its colon"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n continued\r\n\r\n",
       "a header line may not start with whitespace (folded lines are not accepted)"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "Content-Length must be a number of bytes"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "Content-Length must be a number of bytes"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", "Content-Length must be a number of bytes"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", "Content-Length must be a number of bytes"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nCONTENT-LENGTH: 2\r\n\r\n",
       "Content-Length is given twice with different values"},
      {"\r\n\r\n", "the request line is empty"},
      {"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "an HTTP/1.1 request must name its Host"},
      {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "Host is given more than once"},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "Host is given more than once"},
  };
  for (const auto& [head, reason] : cases) {
    EXPECT_EQ(malformed_head(head), reason) << head;
  }
}

TEST(BareLineFeed, FindsALineEndedByLfAloneFromWhereItIsAsked) {
  EXPECT_EQ(bare_line_feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0), std::string_view::npos);
  EXPECT_EQ(bare_line_feed("GET / HTTP/1.1\nHost: x\n\n", 0), 14U);
  EXPECT_EQ(bare_line_feed("\n", 0), 0U);
  // A CR that came in an earlier read still pairs with the LF of this one.
  EXPECT_EQ(bare_line_feed("GET / HTTP/1.1\r\n", 15), std::string_view::npos);
  EXPECT_EQ(bare_line_feed("a\nGET / HTTP/1.1\r\n", 2), std::string_view::npos) << "before `from` is not looked at";
}

}  // namespace
}  // namespace lf::adapters::http
