// What happens to the connection around each answer (RFC 9112 9.3): an HTTP/1.1 connection
// persists unless the request says "close"; one that says so, or an HTTP/1.0 one without
// "keep-alive", is closed by the server once its answer is out. Requests pipelined behind one
// still being answered are not dropped in silence: the client gets the first answer and the
// connection ends, so it retries the others (RFC 9112 9.3.2).
#include <algorithm>
#include <future>
#include <sstream>
#include <thread>
#include <utility>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

class HttpConnection : public ServedSuite<HttpConnection> {};

// One client connection, read with poll() so that a test can tell "closed by the server" from
// "still open, nothing to read".
class Connection {
 public:
  explicit Connection(std::uint16_t port) : fd_(connect_loopback(port)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  bool open() const { return fd_ >= 0; }

  bool send(const std::string& bytes) const {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads what arrives until the server closes the connection (true) or nothing more comes
  // within `quiet` (false).
  bool read_until_closed(std::chrono::milliseconds quiet) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(quiet.count())) <= 0) {
        return false;
      }
      char buf[16384];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        return true;
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // The next whole answer (by its Content-Length); status 0 when none came within 10 s.
  RawResponse next_response() {
    while (!complete_response(received_)) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0) {
        return {};
      }
      char buf[16384];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        return {};
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
    auto response = parse_response(received_);
    received_.clear();  // one answer at a time is outstanding in these tests
    return response;
  }

  const std::string& received() const { return received_; }

  // What arrives within `wait` (and is read at once after it), taken out of what was received.
  std::string take_within(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) > 0) {
      char buf[16384];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        received_.append(buf, static_cast<std::size_t>(n));
      }
    }
    return std::exchange(received_, {});
  }

 private:
  int fd_;
  std::string received_;
};

// The head of an HTTP/1.1 request with the suite's admin credential and a JSON body of
// `length` bytes, with `extra` header lines ("Name: value\r\n" each) before the blank line.
std::string admin_head(std::uint16_t port, const std::string& method, const std::string& path, std::size_t length,
                       const std::string& extra = "") {
  return method + " " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + lf::testing::default_authorization(port) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) + "\r\n" + extra + "\r\n";
}

// Sends `bytes` on a new connection and reads until the server closes it; what came back.
// The test fails when the server neither answers nor closes within `quiet` of silence.
std::string answer_then_close(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds quiet,
                              const std::string& why) {
  Connection c(port);
  EXPECT_TRUE(c.open());
  EXPECT_TRUE(c.send(bytes));
  EXPECT_TRUE(c.read_until_closed(quiet)) << why;
  return c.received();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int answers_in(const std::string& raw) {
  int n = 0;
  for (auto at = raw.find("HTTP/1."); at != std::string::npos; at = raw.find("HTTP/1.", at + 1)) {
    n += at == 0 || raw.compare(at - 1, 1, "}") == 0 ? 1 : 0;  // after the previous JSON body
  }
  return n;
}

TEST_F(HttpConnection, AnAnswerToARequestThatSaysCloseIsFollowedByTheServerClosing) {
  const std::vector<std::pair<std::string, std::string>> requests{
      {"HTTP/1.1, Connection: close", "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
      {"HTTP/1.0", "GET /api/health HTTP/1.0\r\n\r\n"},
      {"HTTP/1.0, Connection: close", "GET /api/version HTTP/1.0\r\nConnection: close\r\n\r\n"},
  };
  for (const auto& [label, request] : requests) {
    SCOPED_TRACE(label);
    const auto received =
        answer_then_close(port(), request, 10s, "the answer said close, but the connection stayed open");
    const auto r = parse_response(received);
    EXPECT_EQ(r.status, 200) << received.substr(0, 200);
    EXPECT_EQ(lower(r.header("connection")), "close");
  }
}

TEST_F(HttpConnection, AnHttp11ConnectionPersistsWithoutAConnectionHeader) {
  Connection c(port());
  ASSERT_TRUE(c.open());
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(c.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto r = c.next_response();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(lower(r.header("connection")), "keep-alive") << "an answer saying close invites the client to reconnect";
  }
  // An HTTP/1.0 client that asks for keep-alive keeps its connection too.
  Connection old(port());
  ASSERT_TRUE(old.open());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(old.send("GET /api/version HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto r = old.next_response();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(lower(r.header("connection")), "keep-alive");
  }
}

// The request's head and its body may come in separate reads; the connection is still kept.
TEST_F(HttpConnection, ABodyArrivingAfterItsHeadIsOneRequest) {
  Connection c(port());
  ASSERT_TRUE(c.open());
  const auto name = "split-" + unique_suffix();
  const auto body = R"({"name":)" + json_quote(name) + "}";
  ASSERT_TRUE(c.send(admin_head(port(), "POST", "/api/roles", body.size())));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(c.send(body));
  const auto created = c.next_response();
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(lower(created.header("connection")), "keep-alive");
  ASSERT_TRUE(c.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.next_response().status, 200);
}

TEST_F(HttpConnection, PipelinedRequestsGetTheFirstAnswerAndThenTheConnectionEnds) {
  const auto name = "pipelined-" + unique_suffix();
  const auto body = R"({"name":)" + json_quote(name) + "}";
  const auto events_before = event_count(url());
  const auto received = answer_then_close(port(),
                                          admin_head(port(), "POST", "/api/roles", body.size()) + body +
                                              "GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"
                                              "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n",
                                          10s, "requests after the first were dropped, and the client left waiting");
  EXPECT_EQ(answers_in(received), 1) << received;
  const auto first = parse_response(received);
  EXPECT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(lower(first.header("connection")), "close");
  EXPECT_EQ(event_count(url()), events_before + 1);

  // A request sent while the previous answer is still being worked out (the POST waits for its
  // read model) is pipelined too. Answered at once, it would overtake the POST's answer.
  Connection slow(port());
  ASSERT_TRUE(slow.open());
  const auto second = "pipelined-" + unique_suffix();
  const auto second_body = R"({"name":)" + json_quote(second) + "}";
  ASSERT_TRUE(slow.send(admin_head(port(), "POST", "/api/roles", second_body.size()) + second_body));
  ASSERT_TRUE(slow.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
  const bool closed = slow.read_until_closed(3s);
  const auto answers = answers_in(slow.received());
  ASSERT_GE(answers, 1) << slow.received();
  EXPECT_EQ(parse_response(slow.received()).status, 201) << "answers out of the requests' order: " << slow.received();
  if (answers == 1) {
    // The GET came while the POST was being answered. (Had it come after, both are answered.)
    EXPECT_TRUE(closed);
  }
}

// RFC 9110 10.1.1: a client that sends "Expect: 100-continue" waits before sending its body
// (curl about a second, then sends anyway); it is told to go on, or given the final answer at
// once when the body would be refused anyway.
TEST_F(HttpConnection, AnExpectationOf100ContinueIsAnsweredBeforeTheBody) {
  const auto key = "expect." + unique_suffix();
  const std::string body = R"({"value":"sent after 100"})";
  Connection c(port());
  ASSERT_TRUE(c.open());
  ASSERT_TRUE(c.send(admin_head(port(), "PUT", "/api/settings/" + key, body.size(), "Expect: 100-continue\r\n")));
  EXPECT_EQ(c.take_within(2s), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.send(body));
  const auto r = c.next_response();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(get("/api/settings/" + key).body, r.body);

  // Over the body limit (1 MiB by default): 413 before a byte of the body is sent.
  const auto received = answer_then_close(
      port(), admin_head(port(), "PUT", "/api/settings/" + key, 2'000'000, "Expect: 100-continue\r\n"), 2s,
      "no final answer before the body");
  const auto refused = parse_response(received);
  EXPECT_EQ(refused.status, 413) << received;
  EXPECT_EQ(string_member(parse_json(refused.body), "error"), "Request body exceeds 1048576 bytes");
}

// A malformed head used to wait out Pistache's 60 s header timeout (no colon, bare LF) or be
// framed by a guess (Content-Length "abc" as 0, two differing ones by the first). Now each is
// a 400 in the contract's shape at once, and the connection ends: nothing after it can be framed.
TEST_F(HttpConnection, AMalformedHeadIs400AtOnce) {
  const std::vector<std::pair<std::string, std::string>> heads{
      {"no colon", "GET /api/health HTTP/1.1\r\nHost: x\r\nBogusHeader\r\n\r\n"},
      {"space before colon", "GET /api/health HTTP/1.1\r\nHost : x\r\n\r\n"},
      {"folded line", "GET /api/health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  more\r\n\r\n"},
      {"bare LF", "GET /api/health HTTP/1.1\nHost: x\n\n"},
      {"Content-Length not a number", "POST /api/roles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}"},
      {"Content-Length twice, differing",
       "POST /api/roles HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nContent-Length: 2\r\n\r\n{\"name\":\"zz1\"}"},
      {"empty request line", "\r\n\r\n"},
      {"HTTP/1.1 without Host", "GET /api/health HTTP/1.1\r\nAccept: */*\r\n\r\n"},
      {"two Hosts", "GET /api/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
  };
  const auto events_before = event_count(url());
  for (const auto& [label, head] : heads) {
    SCOPED_TRACE(label);
    const auto received = answer_then_close(port(), head, 5s, "no answer and no close within 5 s");
    const auto r = parse_response(received);
    EXPECT_EQ(r.status, 400) << received.substr(0, 300);
    EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0U);
    EXPECT_EQ(string_member(parse_json(r.body), "error").value_or("").rfind("Malformed HTTP request: ", 0), 0U)
        << r.body;
  }
  EXPECT_EQ(event_count(url()), events_before);
}

// RFC 9110 9.3.2: HEAD is GET without the content, with GET's Content-Length. Before, it was a
// 405 that still carried a body, which a keep-alive client then read as its next answer.
TEST_F(HttpConnection, HeadAnswersLikeGetWithoutTheBody) {
  Connection c(port());
  ASSERT_TRUE(c.open());
  const auto request = [&](const std::string& method, const std::string& path) {
    std::string bytes = method;
    bytes.append(" ").append(path).append(" HTTP/1.1\r\nHost: x\r\nAuthorization: ");
    return bytes.append(lf::testing::default_authorization(port())).append("\r\n\r\n");
  };
  for (const std::string path : {"/api/version", "/api/roles?limit=2", "/api/settings"}) {
    SCOPED_TRACE(path);
    ASSERT_TRUE(c.send(request("GET", path)));
    const auto got = c.next_response();
    ASSERT_EQ(got.status, 200);
    ASSERT_TRUE(c.send(request("HEAD", path)));
    const auto head = c.take_within(2s);
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << head;
    EXPECT_EQ(head.find("\r\n\r\n"), head.size() - 4) << "content after the head of a HEAD answer: " << head;
    const auto r = parse_response(head);
    EXPECT_EQ(r.header("content-length"), std::to_string(got.body.size()));
    EXPECT_EQ(r.header("content-type"), got.header("content-type"));
    EXPECT_FALSE(r.header("x-request-id").empty());
  }
  // An error has no content either, and the connection goes on.
  ASSERT_TRUE(c.send("HEAD /api/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto missing = c.take_within(2s);
  EXPECT_EQ(missing.rfind("HTTP/1.1 404", 0), 0U) << missing;
  EXPECT_EQ(missing.find("\r\n\r\n"), missing.size() - 4) << missing;
  ASSERT_TRUE(c.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.next_response().status, 200);
  // Where GET is allowed, so is HEAD.
  const auto wrong = call(port(), "DELETE", "/api/version");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("allow"), "GET, HEAD");
}

// A chunked body's end cannot be told apart from a request pipelined behind it: the answer
// ends the connection, and the request itself is served.
TEST_F(HttpConnection, AChunkedRequestIsServedAndEndsItsConnection) {
  const auto name = "chunked-" + unique_suffix();
  const auto body = R"({"name":)" + json_quote(name) + "}";
  std::ostringstream size;
  size << std::hex << body.size();
  const auto received = answer_then_close(
      port(),
      "POST /api/roles HTTP/1.1\r\nHost: x\r\nAuthorization: " + lf::testing::default_authorization(port()) +
          "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size.str() + "\r\n" + body +
          "\r\n0\r\n\r\n",
      10s, "the answer to a chunked request did not end the connection");
  const auto r = parse_response(received);
  EXPECT_EQ(r.status, 201) << received.substr(0, 300);
  EXPECT_EQ(lower(r.header("connection")), "close");
  EXPECT_EQ(string_member(
                parse_json(get("/api/roles/" + std::to_string(int_member(parse_json(r.body), "id").value_or(0))).body),
                "name"),
            name);
}

// How long a connection may keep the server waiting (LABELFLEET_HTTP_IDLE_TIMEOUT_MS,
// LABELFLEET_HTTP_REQUEST_TIMEOUT_MS): only the client's share of the time is limited. Pistache
// 0.0.5's own header timeout ran while a worker computed an answer, and answered a bare 408 in
// its place; it kept idle connections five minutes, whatever was configured.
constexpr int kIdleMs = 1000;
constexpr int kRequestMs = 1500;

class HttpTimeouts : public ServedSuite<HttpTimeouts> {
 public:
  static std::map<std::string, std::string> suite_env() {
    return {{"LABELFLEET_HTTP_IDLE_TIMEOUT_MS", std::to_string(kIdleMs)},
            {"LABELFLEET_HTTP_REQUEST_TIMEOUT_MS", std::to_string(kRequestMs)}};
  }

 protected:
  static double metric(const std::string& name, const std::vector<std::string>& labels = {}) {
    return sample(get("/metrics").body, name, labels).value_or(-1);
  }
};

TEST_F(HttpTimeouts, AConnectionWithoutARequestIsClosedWithoutAWordOnceIdleTooLong) {
  const auto before = metric("labelfleet_http_connection_timeouts_total", {R"(wait="idle")"});
  Connection silent(port());
  ASSERT_TRUE(silent.open());
  Connection answered(port());
  ASSERT_TRUE(answered.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(answered.next_response().status, 200);

  EXPECT_TRUE(silent.read_until_closed(10s)) << "a connection that never sent a request stayed open";
  EXPECT_EQ(silent.received(), "") << "a client that asked nothing is answered nothing";
  EXPECT_TRUE(answered.read_until_closed(10s)) << "an idle keep-alive connection stayed open";
  EXPECT_EQ(answered.received(), "");
  EXPECT_GE(metric("labelfleet_http_connection_timeouts_total", {R"(wait="idle")"}), std::max(before, 0.0) + 2);
}

TEST_F(HttpTimeouts, TheIdleClockStartsAgainWithEachAnswer) {
  Connection c(port());
  ASSERT_TRUE(c.open());
  // Three times the idle limit in all, never more than half of it between answer and request.
  for (int i = 0; i < 3 * kIdleMs / (kIdleMs / 2); ++i) {
    SCOPED_TRACE(i);
    std::this_thread::sleep_for(std::chrono::milliseconds(kIdleMs / 2));
    ASSERT_TRUE(c.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto r = c.next_response();
    ASSERT_EQ(r.status, 200) << "the connection was closed although its client was never idle for long";
    EXPECT_EQ(lower(r.header("connection")), "keep-alive");
  }
}

TEST_F(HttpTimeouts, ARequestNotAllReceivedInTimeIs408InTheContractsShapeAndEndsItsConnection) {
  const std::vector<std::pair<std::string, std::string>> partial{
      {"head", "GET /api/health HTTP/1.1\r\nHost: x\r\n"},
      {"body", admin_head(port(), "POST", "/api/roles", 40) + R"({"name":)"},
  };
  for (const auto& [label, bytes] : partial) {
    SCOPED_TRACE(label);
    const auto received = answer_then_close(port(), bytes, 10s, "a request that never ended kept its connection");
    const auto r = parse_response(received);
    EXPECT_EQ(r.status, 408) << received.substr(0, 300);
    EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0U);
    EXPECT_EQ(lower(r.header("connection")), "close");
    EXPECT_FALSE(r.header("x-request-id").empty());
    EXPECT_EQ(string_member(parse_json(r.body), "error"),
              "Request not received in full within " + std::to_string(kRequestMs) + " ms")
        << r.body;
  }
  EXPECT_GE(metric("labelfleet_http_connection_timeouts_total", {R"(wait="request")"}), 2);
  EXPECT_GE(metric("labelfleet_http_requests_total", {R"(route="request_timeout")", R"(status="408")"}), 2);
}

// The request's rows are locked for longer than either limit: its answer comes when the lock
// goes, on a connection still open and still kept.
TEST_F(HttpTimeouts, AnAnswerThatTakesLongerThanEveryLimitIsStillSentAndTheConnectionKept) {
  pqxx::connection db(url());
  pqxx::work lock(db);
  lock.exec("LOCK TABLE rm_roles IN ACCESS EXCLUSIVE MODE");
  Connection c(port());
  ASSERT_TRUE(c.send(admin_head(port(), "GET", "/api/roles", 0)));
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * std::max(kIdleMs, kRequestMs)));
  EXPECT_EQ(c.take_within(std::chrono::milliseconds(0)), "") << "something was sent before the answer";
  lock.abort();
  const auto r = c.next_response();
  EXPECT_EQ(r.status, 200) << "the answer did not come; received: " << c.received().substr(0, 200);
  ASSERT_TRUE(c.send(admin_head(port(), "GET", "/api/roles", 0)));
  EXPECT_EQ(c.next_response().status, 200) << "the connection was not kept after the slow answer";
}

// An answer the client does not read stays queued in the server, and with it the connection;
// once the request limit has passed since the answer was queued, the connection ends.
TEST_F(HttpTimeouts, AClientThatDoesNotReadItsAnswerIsCutOff) {
  // An answer larger than both sides' socket buffers: settings of 900 KB each, 9 MB in all.
  const std::string big(std::size_t{900} * 1024, 'x');
  const auto prefix = "unread." + unique_suffix() + ".";
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(put("/api/settings/" + prefix + std::to_string(i), R"({"value":")" + big + R"("})").status, 200);
  }
  const auto written_before = metric("labelfleet_http_connection_timeouts_total", {R"(wait="write")"});
  const int fd = connect_loopback(port(), "", 4096);
  ASSERT_GE(fd, 0);
  const auto request = admin_head(port(), "GET", "/api/settings?limit=500", 0);
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  // The client reads nothing.
  EXPECT_TRUE(eventually(
      [&] {
        return metric("labelfleet_http_connection_timeouts_total", {R"(wait="write")"}) >=
               std::max(written_before, 0.0) + 1;
      },
      15s))
      << "a connection whose answer is never read stayed open";
  ::close(fd);
}

// After an answer that ends the connection our side is shut; a client that keeps its own side
// open anyway is cut off, so that its descriptor is freed.
TEST_F(HttpTimeouts, AClientThatKeepsAnEndedConnectionOpenIsCutOff) {
  const auto open_before = metric("labelfleet_http_connections");
  const auto lingered_before = metric("labelfleet_http_connection_timeouts_total", {R"(wait="linger")"});
  Connection c(port());
  ASSERT_TRUE(c.send("GET /api/health HTTP/1.1\r\nHost: x\r\nBogus\r\n\r\n"));
  ASSERT_TRUE(c.read_until_closed(10s));
  EXPECT_EQ(parse_response(c.received()).status, 400);
  // The client does not close. Each scrape is a connection of its own, counted in the gauge.
  EXPECT_TRUE(eventually([&] { return metric("labelfleet_http_connections") <= open_before; }, 10s))
      << "the ended connection is still open on the server's side";
  EXPECT_GE(metric("labelfleet_http_connection_timeouts_total", {R"(wait="linger")"}),
            std::max(lingered_before, 0.0) + 1);
}

// SIGTERM drains the server before it stops (LABELFLEET_HTTP_DRAIN_TIMEOUT_MS): an answer in
// progress is still sent, idle connections are closed at once, and a new connection is told to
// retry. Before, the answer was computed and then lost: the client saw the connection close.
class HttpStop : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<TestDatabase>();
  }

  // A connection whose request (GET /api/roles) is with a worker, held there by a lock on the
  // roles read model until unlock_roles(); nullptr (with a test failure) when it is not.
  std::unique_ptr<Connection> request_held_by_lock(std::uint16_t port) {
    locker_ = std::make_unique<pqxx::connection>(db_->url());
    lock_ = std::make_unique<pqxx::work>(*locker_);
    lock_->exec("LOCK TABLE rm_roles IN ACCESS EXCLUSIVE MODE");
    auto busy = std::make_unique<Connection>(port);
    EXPECT_TRUE(busy->send(admin_head(port, "GET", "/api/roles", 0)));
    const bool waits = eventually(
        [&] {
          return query_int(db_->url(),
                           "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                           "wait_event_type = 'Lock'") > 0;
        },
        10s);
    EXPECT_TRUE(waits) << "the request did not reach the lock";
    return waits ? std::move(busy) : nullptr;
  }
  void unlock_roles() { lock_->abort(); }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<pqxx::connection> locker_;
  std::unique_ptr<pqxx::work> lock_;
};

TEST_F(HttpStop, AnAnswerInProgressIsSentBeforeTheServerStops) {
  auto server = start_serve(db_->url());
  ASSERT_NE(server, nullptr);
  const auto port = server->port();
  Connection idle(port);
  ASSERT_TRUE(idle.send("GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(idle.next_response().status, 200);
  const auto busy = request_held_by_lock(port);
  ASSERT_NE(busy, nullptr);

  auto stopped = std::async(std::launch::async, [&] { return server->stop(); });
  EXPECT_TRUE(idle.read_until_closed(10s)) << "an idle connection was not closed at the stop";
  EXPECT_EQ(idle.received(), "");
  const auto refused = parse_response(raw_http(port, "GET", "/api/health", "", {}));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(string_member(parse_json(refused.body), "error"), "Server is shutting down; retry") << refused.body;

  unlock_roles();
  const auto r = busy->next_response();
  EXPECT_EQ(r.status, 200) << "the answer in progress was lost";
  EXPECT_EQ(lower(r.header("connection")), "close");
  EXPECT_TRUE(busy->read_until_closed(10s));
  EXPECT_EQ(stopped.get(), 0) << server->log();
  EXPECT_NE(server->log().find(R"("msg":"http drained")"), std::string::npos) << server->log();
}

TEST_F(HttpStop, WhenTheDrainRunsOutTheServerStopsAndTheLateAnswerIsDropped) {
  auto server = start_serve(db_->url(), {{"LABELFLEET_HTTP_DRAIN_TIMEOUT_MS", "300"}});
  ASSERT_NE(server, nullptr);
  const auto port = server->port();
  const auto busy = request_held_by_lock(port);
  ASSERT_NE(busy, nullptr);

  auto stopped = std::async(std::launch::async, [&] { return server->stop(); });
  EXPECT_TRUE(busy->read_until_closed(10s)) << "the connection outlived the drain";
  EXPECT_EQ(busy->received(), "");
  // The worker still waits for the lock; once it has its answer, the connections are gone.
  unlock_roles();
  EXPECT_EQ(stopped.get(), 0) << server->log();
  EXPECT_NE(server->log().find(R"("msg":"http drain timed out")"), std::string::npos) << server->log();
}

}  // namespace
}  // namespace lf::e2e
