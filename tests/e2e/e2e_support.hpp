#pragma once
// Helpers shared by the end-to-end tests: the binary as a child process, an HTTP call that
// checks the invariants every response must keep, JSON and PostgreSQL look-ups.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pqxx/pqxx>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/labelfleet_process.hpp"
#include "tests/support/sql_quote.hpp"
#include "tests/support/test_db.hpp"

namespace lf::e2e {

using namespace std::chrono_literals;
using Headers = std::map<std::string, std::string>;
using lf::testing::HttpResult;
using lf::testing::LabelfleetProcess;
using lf::testing::TestDatabase;

// ---------------------------------------------------------------------------------------
// Waiting for asynchronous things: poll with a deadline, never a bare sleep.

using lf::testing::eventually;

// Progress notes on stderr when LF_E2E_TRACE is set: where a slow test spends its time.
inline void trace(const std::string& what) {
  static const bool kOn = std::getenv("LF_E2E_TRACE") != nullptr;
  static const auto kT0 = std::chrono::steady_clock::now();
  if (kOn) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - kT0);
    std::fprintf(stderr, "[e2e %7.3fs] %s\n", static_cast<double>(ms.count()) / 1000.0, what.c_str());
  }
}

// ---------------------------------------------------------------------------------------
// HTTP: every response of every test goes through call(), which checks what must hold for
// all of them: an X-Request-Id, and no internals (SQL, driver names, stack traces) in the body.

inline const std::vector<std::string>& leaked_internals() {
  static const std::vector<std::string> kFragments{
      "pqxx",      "SELECT",    "INSERT", "ERROR:",  "SQLSTATE", "terminate called",
      "Traceback", "backtrace", "std::",  "what():", ".cpp:",    "stack trace"};
  return kFragments;
}

inline void expect_no_internals(const HttpResult& r, const std::string& what) {
  for (const auto& fragment : leaked_internals()) {
    EXPECT_EQ(r.body.find(fragment), std::string::npos)
        << what << ": the response body leaks '" << fragment << "': " << r.body;
  }
}

inline HttpResult call(std::uint16_t port, const std::string& method, const std::string& path,
                       const std::string& body = "", const Headers& headers = {}) {
  auto r = lf::testing::http(port, method, path, body, headers);
  const std::string what = method + " " + path.substr(0, 120);
  expect_no_internals(r, what);
  if (r.status != 0) {
    EXPECT_FALSE(r.header("x-request-id").empty()) << what << " answered " << r.status << " without X-Request-Id";
  }
  return r;
}

// Credentials: none at all (not even the harness's default admin token), or a bearer token.
inline const Headers kNoCredential{{"Authorization", ""}};

inline Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The lf_refresh cookie's value from a Set-Cookie header ("" when there is none).
inline std::string refresh_cookie_value(const HttpResult& r) {
  const auto cookie = r.header("set-cookie");
  const std::string prefix = "lf_refresh=";
  if (cookie.rfind(prefix, 0) != 0) {
    return "";
  }
  const auto end = cookie.find(';');
  return cookie.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

// ---------------------------------------------------------------------------------------
// Raw HTTP, for the tests that need what call() hides: the client's address, every header as
// received. Exactly the headers given are sent (no default Authorization).

// True once `raw` holds the head and the whole body its Content-Length announces.
inline bool complete_response(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) {
    return false;
  }
  std::string head = raw.substr(0, end);
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto cl = head.find("\ncontent-length:");
  return cl != std::string::npos && raw.size() >= end + 4 + std::stoul(head.substr(cl + 16));
}

// A socket connected to 127.0.0.1:port, from `source` (an IPv4 loopback address) when one is
// given, with a receive buffer of `receive_buffer` bytes when that is not 0; -1 when the
// connection failed.
inline int connect_loopback(std::uint16_t port, const std::string& source = "", int receive_buffer = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = 0;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ADD_FAILURE() << "cannot bind a client socket to " << source;
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends exactly `bytes` to 127.0.0.1:port, from `source` (an IPv4 loopback address) when one is
// given; the response as received ("" when the connection failed).
inline std::string raw_exchange(std::uint16_t port, const std::string& bytes, const std::string& source = "") {
  const int fd = connect_loopback(port, source);
  if (fd < 0) {
    return "";
  }
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    raw.append(buf, static_cast<std::size_t>(n));
    if (complete_response(raw)) {
      break;  // the whole answer is in: no need to wait for the server to close
    }
  }
  ::close(fd);
  return raw;
}

// One HTTP/1.1 request to 127.0.0.1:port (see raw_exchange). Exactly the headers given are
// sent, plus Host, Connection: close, Content-Length and (with a body) a JSON Content-Type.
inline std::string raw_http(std::uint16_t port, const std::string& method, const std::string& path,
                            const std::string& body, const Headers& headers, const std::string& source = "") {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req.append(k).append(": ").append(v).append("\r\n");
    has_type = has_type || k == "Content-Type";
  }
  if (!body.empty() && !has_type) {
    req += "Content-Type: application/json\r\n";
  }
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return raw_exchange(port, req, source);
}

struct RawResponse {
  int status = 0;                                            // 0: not an HTTP response
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order, name lower-cased
  std::string body;

  // The first value of a header (name lower-cased), "" when absent.
  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) {
        return v;
      }
    }
    return "";
  }
};

inline RawResponse parse_response(const std::string& raw) {
  RawResponse out;
  const auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) {
    return out;
  }
  out.status = std::stoi(raw.substr(9, 3));
  std::istringstream lines(raw.substr(0, end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    out.headers.emplace_back(name, value);
  }
  out.body = raw.substr(end + 4);
  return out;
}

// ---------------------------------------------------------------------------------------
// JSON

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

inline std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

// A JSON string literal.
inline std::string json_quote(const std::string& text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return {buf.GetString(), buf.GetSize()};
}

inline std::string repeat(const std::string& unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += unit;
  }
  return out;
}

inline std::optional<std::string> string_member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) {
    return std::nullopt;
  }
  const auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

inline std::optional<std::int64_t> int_member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) {
    return std::nullopt;
  }
  const auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsInt64()) {
    return std::nullopt;
  }
  return it->value.GetInt64();
}

inline bool is_null_member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) {
    return false;
  }
  const auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsNull();
}

// The `path` of every entry of an error body's `details` (empty when there are none).
inline std::vector<std::string> detail_paths(const std::string& body) {
  std::vector<std::string> out;
  const auto d = parse_json(body);
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("details") || !d["details"].IsArray()) {
    return out;
  }
  for (const auto& item : d["details"].GetArray()) {
    if (auto p = string_member(item, "path")) {
      out.push_back(*p);
    }
  }
  return out;
}

// The contract's error shape: {"error": "<non-empty>", "details": [{"path","message"}]?}.
inline void expect_error(const HttpResult& r, int status, const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0U)
      << what << ": Content-Type " << r.header("content-type");
  const auto d = parse_json(r.body);
  ASSERT_FALSE(d.HasParseError()) << what << ": error body is not JSON: " << r.body;
  ASSERT_TRUE(d.IsObject()) << what << ": " << r.body;
  const auto message = string_member(d, "error");
  ASSERT_TRUE(message.has_value()) << what << ": no \"error\" string: " << r.body;
  EXPECT_FALSE(message->empty()) << what;
  if (d.HasMember("details")) {
    ASSERT_TRUE(d["details"].IsArray()) << what << ": " << r.body;
    for (const auto& item : d["details"].GetArray()) {
      EXPECT_TRUE(string_member(item, "path").has_value()) << what << ": detail without path: " << r.body;
      EXPECT_TRUE(string_member(item, "message").has_value()) << what << ": detail without message: " << r.body;
    }
  }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL (the test database the server writes to)

inline std::int64_t query_int(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  const auto r = tx.exec(sql);
  return r[0][0].is_null() ? 0 : r[0][0].as<std::int64_t>();
}

// Every row of `sql`, every column as text ("<null>" for NULL).
inline std::vector<std::vector<std::string>> query_rows(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  std::vector<std::vector<std::string>> out;
  for (const auto& row : tx.exec(sql)) {
    std::vector<std::string> cols;
    for (const auto& field : row) {
      cols.push_back(field.is_null() ? "<null>" : field.as<std::string>());
    }
    out.push_back(std::move(cols));
  }
  return out;
}

using lf::testing::sql_text;

inline std::int64_t event_count(const std::string& url) { return query_int(url, "SELECT count(*) FROM events"); }

inline std::int64_t stream_event_count(const std::string& url, const std::string& stream_id) {
  return query_int(url, "SELECT count(*) FROM events WHERE stream_id = " + sql_text(stream_id));
}

// A Prometheus text exposition (GET /metrics): the value of the first sample line that starts with `name{` and contains
// every label.
inline std::optional<double> sample(const std::string& metrics, const std::string& name,
                                    const std::vector<std::string>& labels = {}) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) {
      continue;
    }
    bool all = true;
    for (const auto& l : labels) {
      all = all && line.find(l) != std::string::npos;
    }
    if (all) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// The binary

// Environment of every server the tests start: a write waits long enough for its read model
// that a slow, loaded test machine does not turn read-your-writes into a timing question.
// (Variables a build does not know are ignored by it.)
inline std::map<std::string, std::string> serve_env(std::map<std::string, std::string> extra = {}) {
  extra.emplace("LABELFLEET_CONSISTENCY_TIMEOUT_MS", "20000");
  // The tests send hundreds of requests a minute with one credential; where the build limits
  // requests per credential, that limit is not what these tests are about.
  extra.emplace("LABELFLEET_RATE_LIMIT_PER_MINUTE", "1000000");
  extra.emplace("LABELFLEET_LOG_LEVEL", "info");
  return extra;
}

// `labelfleet serve` on `url`, healthy; nullptr (with a test failure holding its log) if not.
inline std::unique_ptr<LabelfleetProcess> start_serve(const std::string& url,
                                                      std::map<std::string, std::string> extra_env = {}) {
  trace("starting serve");
  auto p = std::make_unique<LabelfleetProcess>(std::vector<std::string>{"serve"}, url, serve_env(std::move(extra_env)));
  const bool healthy = p->wait_healthy(60s);
  trace(healthy ? "serve healthy" : "serve NOT healthy");
  if (!healthy) {
    ADD_FAILURE() << "labelfleet serve did not become healthy; log:\n" << p->log();
    return nullptr;
  }
  return p;
}

// One database and one `labelfleet serve` for a whole test suite: `class X : public ServedSuite<X>`.
// A suite may hide, as public members, `static std::map<std::string, std::string> suite_env()`
// (extra server environment) and `static void after_start()` (runs once the server is healthy,
// e.g. to create a viewer; set setup_error or throw to fail the suite), and extend SetUp() (call
// this one first and return when suite_setup_failed()).
// The server log's warn and error lines (at most 200) and its last 40 lines, on stderr.
inline void print_server_log_excerpt(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
  }
  std::cerr << "---- server log: warn and error lines ----\n";
  int shown = 0;
  for (const auto& line : lines) {
    if ((line.find(R"("level":"warn")") != std::string::npos || line.find(R"("level":"error")") != std::string::npos) &&
        shown++ < 200) {
      std::cerr << line.substr(0, 600) << "\n";
    }
  }
  std::cerr << "---- server log: last lines ----\n";
  for (std::size_t i = lines.size() > 40 ? lines.size() - 40 : 0; i < lines.size(); ++i) {
    std::cerr << lines[i].substr(0, 600) << "\n";
  }
}

template <class Suite>
class ServedSuite : public ::testing::Test {
 public:
  static std::map<std::string, std::string> suite_env() { return {}; }
  static void after_start() {}

 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::available()) {
      return;
    }
    try {
      shared_db = new TestDatabase();
      shared_server = start_serve(shared_db->url(), Suite::suite_env()).release();
      if (shared_server != nullptr) {
        Suite::after_start();
      }
    } catch (const std::exception& e) {
      setup_error = e.what();
    }
  }
  static void TearDownTestSuite() {
    // When a test of the suite failed, what the server logged at warn or error, and its last
    // lines: a CI run keeps nothing else of the process.
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (shared_server != nullptr && suite != nullptr && suite->failed_test_count() > 0) {
      print_server_log_excerpt(shared_server->log());
    }
    delete shared_server;
    shared_server = nullptr;
    delete shared_db;
    shared_db = nullptr;
  }
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    ASSERT_TRUE(setup_error.empty()) << setup_error;
    ASSERT_NE(shared_server, nullptr) << "labelfleet serve did not start";
    ASSERT_TRUE(shared_server->running()) << shared_server->log();
  }
  // For a suite's SetUp() after this one's: true when it failed or skipped the test.
  static bool suite_setup_failed() { return HasFatalFailure() || IsSkipped(); }

  static std::uint16_t port() { return shared_server->port(); }
  static const std::string& url() { return shared_db->url(); }

  static HttpResult get(const std::string& path, const Headers& h = {}) { return call(port(), "GET", path, "", h); }
  static HttpResult post(const std::string& path, const std::string& body, const Headers& h = {}) {
    return call(port(), "POST", path, body, h);
  }
  static HttpResult put(const std::string& path, const std::string& body, const Headers& h = {}) {
    return call(port(), "PUT", path, body, h);
  }
  static HttpResult del(const std::string& path, const std::string& body = "", const Headers& h = {}) {
    return call(port(), "DELETE", path, body, h);
  }

  inline static TestDatabase* shared_db = nullptr;
  inline static LabelfleetProcess* shared_server = nullptr;
  inline static std::string setup_error;
};

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string output;  // stdout and stderr
};

// Runs `labelfleet <args>` to completion with `env` added to this process's environment.
inline CommandResult run_binary(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                                std::chrono::seconds timeout = 120s) {
  CommandResult result;
  char tmpl[] = "/tmp/labelfleet-e2e-cmd-XXXXXX";
  const int out_fd = ::mkstemp(tmpl);
  const std::string out_path = tmpl;
  const auto bin = LabelfleetProcess::binary();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(out_fd, STDERR_FILENO);
    for (const auto& [k, v] : env) {
      ::setenv(k.c_str(), v.c_str(), 1);
    }
    std::vector<std::string> owned = args;
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (auto& a : owned) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out_fd);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool done = false;
  while (!done) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      done = true;
    } else if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  if (done && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  result.output = ss.str();
  std::filesystem::remove(out_path);
  return result;
}

// Runs a shell command (for scripts/pg.sh); its exit code and output.
inline CommandResult run_shell(const std::string& command) {
  CommandResult result;
  const std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) {
    result.output += buf;
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// ---------------------------------------------------------------------------------------
// Kafka's default partitioner (murmur2 of the key, Java client), written out here so that the
// test does not trust the product's own implementation.

inline std::int32_t java_murmur2(const std::string& data) {
  const auto length = static_cast<std::uint32_t>(data.size());
  const std::uint32_t seed = 0x9747b28cU;
  const std::uint32_t m = 0x5bd1e995U;
  const int r = 24;
  std::uint32_t h = seed ^ length;
  const std::uint32_t length4 = length / 4;
  const auto byte = [&](std::uint32_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])); };
  for (std::uint32_t i = 0; i < length4; ++i) {
    const std::uint32_t i4 = i * 4;
    std::uint32_t k = byte(i4) + (byte(i4 + 1) << 8U) + (byte(i4 + 2) << 16U) + (byte(i4 + 3) << 24U);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length % 4) {
    case 3: h ^= byte((length & ~3U) + 2) << 16U; [[fallthrough]];
    case 2: h ^= byte((length & ~3U) + 1) << 8U; [[fallthrough]];
    case 1:
      h ^= byte(length & ~3U);
      h *= m;
      break;
    default: break;
  }
  h ^= h >> 13U;
  h *= m;
  h ^= h >> 15U;
  return static_cast<std::int32_t>(h);
}

inline int kafka_partition(const std::string& key, int partitions = 4) {
  return static_cast<int>((static_cast<std::uint32_t>(java_murmur2(key)) & 0x7fffffffU) %
                          static_cast<std::uint32_t>(partitions));
}

// A process-wide counter for unique names within one shared server.
inline std::string unique_suffix() {
  static std::atomic<int> n{0};
  return std::to_string(::getpid()) + "-" + std::to_string(++n);
}

}  // namespace lf::e2e
