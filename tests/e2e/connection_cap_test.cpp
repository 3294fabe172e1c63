// The cap on open connections (LABELFLEET_HTTP_MAX_CONNECTIONS). Without one, idle connections
// use up the process's descriptors, after which accept() fails and Pistache 0.0.5's listener
// retries it in a loop: a core busy and no request answered until some close.
#include <sys/socket.h>
#include <unistd.h>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

constexpr int kCap = 12;

class ConnectionCap : public ServedSuite<ConnectionCap> {
 public:
  static std::map<std::string, std::string> suite_env() {
    return {{"LABELFLEET_HTTP_MAX_CONNECTIONS", std::to_string(kCap)}};
  }
};

TEST_F(ConnectionCap, OneConnectionOverTheCapIs503InTheContractsShapeAndServiceResumesWhenOthersClose) {
  std::vector<int> idle;
  idle.reserve(kCap);
  for (int i = 0; i < kCap; ++i) {
    idle.push_back(connect_loopback(port()));
    ASSERT_GE(idle.back(), 0);
  }
  // Counted when the server accepts them: until then one more may still slip in.
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = parse_response(raw_http(port(), "GET", "/api/health", "", {}));
        return r.status == 503;
      },
      10s));
  const auto over = parse_response(raw_http(port(), "GET", "/api/health", "", {}));
  EXPECT_EQ(over.status, 503);
  EXPECT_EQ(over.header("content-type").rfind("application/json", 0), 0U);
  EXPECT_FALSE(over.header("x-request-id").empty());
  EXPECT_EQ(over.header("retry-after"), "1");
  EXPECT_EQ(string_member(parse_json(over.body), "error"), "Too many connections; retry later") << over.body;

  // The connections under the cap are served.
  const std::string request = "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(idle.front(), request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::string answer(4096, '\0');
  const auto n = ::recv(idle.front(), answer.data(), answer.size(), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0U) << answer.substr(0, 80);

  for (const int fd : idle) {
    ::close(fd);
  }
  EXPECT_TRUE(eventually([&] { return get("/api/health").status == 200; }, 10s)) << "closed connections still counted";
  // And again up to the cap, not below it: closed connections were counted out, not lost.
  for (int round = 0; round < 3; ++round) {
    std::vector<int> again;
    again.reserve(kCap - 1);
    for (int i = 0; i < kCap - 1; ++i) {
      again.push_back(connect_loopback(port()));
    }
    EXPECT_TRUE(eventually([&] { return get("/api/health").status == 200; }, 10s)) << "round " << round;
    for (const int fd : again) {
      ::close(fd);
    }
  }
}

}  // namespace
}  // namespace lf::e2e
