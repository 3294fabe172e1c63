// /api/version, /api/health, /metrics, and what a client sees while PostgreSQL is down.
#include <atomic>
#include <csignal>
#include <mutex>
#include <regex>
#include <set>

#include "tests/e2e/e2e_support.hpp"

#ifndef LABELFLEET_SOURCE_DIR
#error "LABELFLEET_SOURCE_DIR must be defined (tests/e2e/CMakeLists.txt)"
#endif

namespace lf::e2e {
namespace {

class SystemApi : public ServedSuite<SystemApi> {};

TEST_F(SystemApi, VersionHasTheContractShape) {
  const auto r = call(port(), "GET", "/api/version");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0U);
  const auto d = parse_json(r.body);
  ASSERT_TRUE(d.IsObject()) << r.body;
  const auto version = string_member(d, "version");
  ASSERT_TRUE(version.has_value()) << r.body;
  EXPECT_TRUE(std::regex_match(*version, std::regex(R"(\d+\.\d+\.\d+)"))) << *version;
  EXPECT_EQ(*version, LABELFLEET_VERSION) << "the version is the project's";
  EXPECT_EQ(string_member(d, "apiVersion"), "v1");
  ASSERT_TRUE(d.HasMember("features") && d["features"].IsArray()) << r.body;
  EXPECT_GT(d["features"].Size(), 0U);
  bool settings = false;
  for (const auto& f : d["features"].GetArray()) {
    ASSERT_TRUE(f.IsString()) << r.body;
    settings = settings || std::string(f.GetString()) == "system-settings";
  }
  EXPECT_TRUE(settings) << "the contract names the system-settings feature: " << r.body;
}

TEST_F(SystemApi, HealthReportsDatabaseLogRelayAndProjections) {
  ASSERT_EQ(call(port(), "POST", "/api/roles", R"({"name":)" + json_quote("health-" + unique_suffix()) + "}").status,
            201);
  const auto r = call(port(), "GET", "/api/health");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0U);
  const auto d = parse_json(r.body);
  ASSERT_TRUE(d.IsObject()) << r.body;
  EXPECT_EQ(string_member(d, "status"), "ok");
  EXPECT_EQ(string_member(d, "database"), "connected");
  ASSERT_TRUE(d.HasMember("log") && d["log"].IsObject()) << r.body;
  EXPECT_GE(int_member(d["log"], "head").value_or(-1), 1) << r.body;
  ASSERT_TRUE(d.HasMember("relay") && d["relay"].IsObject()) << r.body;
  EXPECT_TRUE(int_member(d["relay"], "position").has_value()) << r.body;
  EXPECT_TRUE(int_member(d["relay"], "lag").has_value()) << r.body;
  ASSERT_TRUE(d.HasMember("projections") && d["projections"].IsArray()) << r.body;
  std::set<std::string> names;
  for (const auto& p : d["projections"].GetArray()) {
    names.insert(string_member(p, "name").value_or(""));
    EXPECT_TRUE(int_member(p, "lag").has_value()) << r.body;
  }
  EXPECT_TRUE(names.count("roles") == 1 && names.count("settings") == 1)
      << "projections roles and settings: " << r.body;
  // Read-your-writes means the projections have caught up with every acknowledged write.
  for (const auto& p : d["projections"].GetArray()) {
    EXPECT_EQ(int_member(p, "lag"), 0) << r.body;
  }
  // The relay catches up too.
  EXPECT_TRUE(eventually(
      [&] {
        const auto h = parse_json(call(port(), "GET", "/api/health").body);
        return h.IsObject() && h.HasMember("relay") && int_member(h["relay"], "lag") == 0;
      },
      10s))
      << "relay lag never reached 0";
}

TEST_F(SystemApi, MetricsExposeRequestsLatencyAppendsAndLag) {
  ASSERT_EQ(call(port(), "POST", "/api/roles", R"({"name":)" + json_quote("metrics-" + unique_suffix()) + "}").status,
            201);
  ASSERT_EQ(call(port(), "PUT", "/api/settings/metrics." + unique_suffix(), R"({"value":1})").status, 200);
  EXPECT_EQ(call(port(), "GET", "/api/nope/12345").status, 404);
  EXPECT_EQ(call(port(), "GET", "/api/roles/424242").status, 404);

  const auto before = call(port(), "GET", "/metrics");
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.header("content-type").rfind("text/plain", 0), 0U) << before.header("content-type");
  const auto& m = before.body;
  EXPECT_TRUE(
      sample(m, "labelfleet_http_requests_total", {R"(route="/api/roles")", R"(method="POST")", R"(status="201")"})
          .has_value())
      << m;
  // Routes are labelled by pattern, never by the raw path (bounded cardinality).
  EXPECT_TRUE(sample(m, "labelfleet_http_requests_total", {R"(route="/api/roles/:id")", R"(status="404")"}).has_value())
      << m;
  EXPECT_EQ(m.find("/api/roles/424242"), std::string::npos) << "a raw path became a label";
  EXPECT_EQ(m.find("/api/nope"), std::string::npos) << "an unknown path became a label";
  EXPECT_NE(m.find("labelfleet_http_request_duration_seconds_bucket{"), std::string::npos) << m;
  EXPECT_TRUE(sample(m, "labelfleet_http_request_duration_seconds_count").has_value()) << m;
  EXPECT_TRUE(sample(m, "labelfleet_http_request_duration_seconds_sum").has_value()) << m;
  EXPECT_GE(sample(m, "labelfleet_events_appended_total", {R"("role")"}).value_or(0), 1.0) << m;
  EXPECT_GE(sample(m, "labelfleet_events_appended_total", {R"("setting")"}).value_or(0), 1.0) << m;
  EXPECT_TRUE(sample(m, "labelfleet_relay_lag_positions").has_value()) << m;
  EXPECT_EQ(sample(m, "labelfleet_projection_lag_events", {R"("roles")"}), 0.0) << m;
  EXPECT_EQ(sample(m, "labelfleet_projection_lag_events", {R"("settings")"}), 0.0) << m;
  // serve's projector applied the writes from its local feed, ahead of Kafka (ADR 15).
  EXPECT_GE(sample(m, "labelfleet_projector_events_total", {R"(outcome="applied")", R"(path="feed")"}).value_or(0), 2.0)
      << m;
  EXPECT_TRUE(sample(m, "labelfleet_projector_events_total", {R"(outcome="skipped")", R"(path="kafka")"}).has_value())
      << m;

  // The request counter counts.
  const auto version_label = std::vector<std::string>{R"(route="/api/version")", R"(status="200")"};
  const auto n0 = sample(m, "labelfleet_http_requests_total", version_label).value_or(0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(call(port(), "GET", "/api/version").status, 200);
  }
  const auto after = call(port(), "GET", "/metrics").body;
  EXPECT_EQ(sample(after, "labelfleet_http_requests_total", version_label).value_or(0), n0 + 3) << after;
}

// From the first moment /api/health answers 200, the read endpoints answer too: 200 for the
// lists, 404 for what does not exist, never a 500 because a read model is not there yet. A
// race by nature, so it is run on several fresh databases, with readers polling from the
// instant the server is reported healthy.
TEST(StartupReadiness, ReadEndpointsWorkAsSoonAsHealthIsOk) {
  LF_REQUIRE_DATABASE();
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("fresh start " + std::to_string(round));
    TestDatabase db;
    LabelfleetProcess server({"serve"}, db.url(), serve_env());
    std::atomic<bool> healthy{false};
    std::atomic<bool> done{false};
    std::mutex mu;
    std::vector<std::string> bad;
    const std::vector<std::pair<std::string, int>> reads{
        {"/api/roles", 200}, {"/api/settings", 200}, {"/api/roles/1", 404}, {"/api/settings/nothing.here", 404}};
    std::vector<std::thread> readers;
    readers.reserve(reads.size());
    for (const auto& [path, expected] : reads) {
      readers.emplace_back([&, path = path, expected = expected] {
        while (!done.load()) {
          if (!healthy.load()) {
            std::this_thread::sleep_for(1ms);
            continue;
          }
          const auto r = lf::testing::http(server.port(), "GET", path);
          if (r.status != expected) {
            const std::lock_guard lock(mu);
            bad.push_back(path + " -> " + std::to_string(r.status) + " " + r.body);
          }
        }
      });
    }
    // wait_healthy() returns at the first 200 of /api/health (and, where the build requires a
    // credential, right after the harness has logged in with it).
    const bool up = server.wait_healthy(60s);
    healthy = true;
    // Let the readers run through the first second of service.
    std::this_thread::sleep_for(1s);
    done = true;
    for (auto& t : readers) {
      t.join();
    }
    ASSERT_TRUE(up && server.running()) << server.log();
    const std::lock_guard lock(mu);
    EXPECT_TRUE(bad.empty()) << bad.size() << " bad answers right after health said ok, first: " << bad.front();
    if (!bad.empty()) {
      break;
    }
  }
}

// A crash says which signal it was and where, in the log, and the process still dies of it
// (exit status and core as without the report). Before, a crashed server left no trace at all.
TEST(CrashReport, SigpipeIsIgnoredAndAFatalSignalIsLoggedWithABacktraceAndStillEndsTheProcess) {
  LF_REQUIRE_DATABASE();
  TestDatabase db;
  LabelfleetProcess server({"serve"}, db.url(), serve_env());
  ASSERT_TRUE(server.wait_healthy(60s)) << server.log();
  // SIGPIPE (a write to a connection the peer closed) is not a reason to die.
  ASSERT_EQ(::kill(server.pid(), SIGPIPE), 0);
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(server.running()) << server.log();
  EXPECT_EQ(lf::testing::http(server.port(), "GET", "/api/health").status, 200);
  ASSERT_EQ(::kill(server.pid(), SIGSEGV), 0);
  ASSERT_TRUE(eventually([&] { return !server.running(); }, 10s));
  const auto log = server.log();
  EXPECT_NE(log.find(R"({"level":"fatal","msg":"fatal signal","signal":11,"name":"SEGV"})"), std::string::npos) << log;
  EXPECT_NE(log.find("backtrace:\n"), std::string::npos) << log;
  EXPECT_NE(log.find("[labelfleet killed by signal 11 (SEGV)]"), std::string::npos) << log;
}

// ---------------------------------------------------------------------------------------
// PostgreSQL stops under a running server, then comes back.

class PostgresOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();  // the same prerequisites as the rest: a PostgreSQL 15 installation
    char tmpl[] = "/tmp/lf-e2e-pg-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A free port can be taken by a test running beside this one before the cluster binds it:
    // try another, as scripts/test.sh does.
    CommandResult started;
    for (int attempt = 0; attempt < 3; ++attempt) {
      const auto free_port = run_shell(script() + " free-port");
      ASSERT_EQ(free_port.exit_code, 0) << free_port.output;
      port_ = trim(free_port.output);
      started = run_shell(script() + " start " + dir_ + " " + port_);
      if (started.exit_code == 0) {
        break;
      }
      run_shell(script() + " destroy " + dir_);
    }
    ASSERT_EQ(started.exit_code, 0) << started.output;
    const auto u = run_shell(script() + " url " + dir_);
    ASSERT_EQ(u.exit_code, 0) << u.output;
    url_ = trim(u.output);
  }
  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) {
      run_shell(script() + " destroy " + dir_);
      std::filesystem::remove_all(dir_);
    }
  }
  static std::string script() { return std::string(LABELFLEET_SOURCE_DIR) + "/scripts/pg.sh"; }
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
      s.pop_back();
    }
    const auto nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
  }
  std::uint16_t port() const { return server_->port(); }

  std::string dir_;
  std::string port_;
  std::string url_;
  std::unique_ptr<LabelfleetProcess> server_;
};

// The last `lines` lines of the log at level error or warn (the request lines drown them).
std::string log_tail(const std::string& log, std::size_t lines) {
  std::vector<std::string> kept;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(R"("level":"error")") != std::string::npos || line.find(R"("level":"warn")") != std::string::npos) {
      kept.push_back(line);
    }
  }
  std::string out;
  for (std::size_t i = kept.size() > lines ? kept.size() - lines : 0; i < kept.size(); ++i) {
    out += kept[i] + "\n";
  }
  return out;
}

void expect_no_sql(const HttpResult& r, const std::string& what) {
  for (const char* f : {"SQL", "pqxx", "ERROR:", "FATAL", "connection to server", "127.0.0.1"}) {
    EXPECT_EQ(r.body.find(f), std::string::npos) << what << " leaks '" << f << "': " << r.body;
  }
}

TEST_F(PostgresOutage, HealthIs503AndWritesFailCleanlyUntilPostgresIsBack) {
  server_ = start_serve(url_);
  ASSERT_NE(server_, nullptr);
  const auto before = call(port(), "POST", "/api/roles", R"({"name":"survivor","color":"#112233"})");
  ASSERT_EQ(before.status, 201) << before.body;
  const auto survivor_id = int_member(parse_json(before.body), "id").value_or(0);

  const auto stopped = run_shell(script() + " stop " + dir_);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;

  HttpResult health;
  ASSERT_TRUE(eventually(
      [&] {
        health = call(port(), "GET", "/api/health");
        return health.status == 503;
      },
      20s))
      << "health never turned 503; last: " << health.status << " " << health.body;
  EXPECT_EQ(health.header("content-type").rfind("application/json", 0), 0U);
  const auto h = parse_json(health.body);
  ASSERT_TRUE(h.IsObject()) << health.body;
  EXPECT_EQ(string_member(h, "status"), "error");
  EXPECT_EQ(string_member(h, "database"), "disconnected");
  expect_no_sql(health, "health");

  // Writes and reads fail with 503 in the error shape and without internals.
  const auto write = call(port(), "POST", "/api/roles", R"({"name":"during-outage"})");
  expect_error(write, 503, "POST during the outage");
  expect_no_sql(write, "POST during the outage");
  const auto update = call(port(), "PUT", "/api/roles/" + std::to_string(survivor_id), R"({"description":"x"})");
  expect_error(update, 503, "PUT during the outage");
  expect_no_sql(update, "PUT during the outage");
  const auto setting = call(port(), "PUT", "/api/settings/outage.key", R"({"value":1})");
  expect_error(setting, 503, "PUT setting during the outage");
  expect_no_sql(setting, "PUT setting during the outage");
  const auto read = call(port(), "GET", "/api/roles");
  expect_error(read, 503, "GET during the outage");
  expect_no_sql(read, "GET during the outage");
  for (const auto* r : {&write, &update, &setting, &read}) {
    EXPECT_EQ(r->header("retry-after"), "1") << "a 503 says when to retry: " << r->body;
  }
  // Scraping keeps working.
  EXPECT_EQ(call(port(), "GET", "/metrics").status, 200);
  ASSERT_TRUE(server_->running()) << "the server died with its database:\n" << log_tail(server_->log(), 6);

  const auto restarted = run_shell(script() + " start " + dir_ + " " + port_);
  ASSERT_EQ(restarted.exit_code, 0) << restarted.output;
  ASSERT_TRUE(eventually([&] { return call(port(), "GET", "/api/health").status == 200; }, 10s))
      << "health did not recover within 10 s";
  const auto recovered = parse_json(call(port(), "GET", "/api/health").body);
  EXPECT_EQ(string_member(recovered, "database"), "connected");

  // Once health says ok, writes work again, first time, and are read back at once.
  const auto after = call(port(), "POST", "/api/roles", R"({"name":"after-outage"})");
  EXPECT_EQ(after.status, 201) << "first write after recovery: " << after.body << "\nserver log (tail):\n"
                               << log_tail(server_->log(), 6);
  if (after.status == 201) {
    const auto id = int_member(parse_json(after.body), "id").value_or(0);
    EXPECT_EQ(call(port(), "GET", "/api/roles/" + std::to_string(id)).body, after.body);
  }
  // Every part reconnects: (eventually) writes to both streams succeed and are visible at once.
  HttpResult put_role;
  ASSERT_TRUE(eventually(
      [&] {
        put_role = call(port(), "PUT", "/api/roles/" + std::to_string(survivor_id), R"({"description":"back"})");
        return put_role.status == 200;
      },
      15s, 200ms))
      << put_role.status << " " << put_role.body;
  EXPECT_EQ(call(port(), "GET", "/api/roles/" + std::to_string(survivor_id)).body, put_role.body);
  const auto put_setting = call(port(), "PUT", "/api/settings/outage.key", R"({"value":2})");
  ASSERT_EQ(put_setting.status, 200) << put_setting.body;
  EXPECT_EQ(call(port(), "GET", "/api/settings/outage.key").body, put_setting.body);
  // The write refused during the outage left nothing behind.
  EXPECT_EQ(query_int(url_, "SELECT count(*) FROM events WHERE data->>'name' = 'during-outage'"), 0);
  EXPECT_EQ(call(port(), "POST", "/api/roles", R"({"name":"during-outage"})").status, 201);
  EXPECT_TRUE(server_->running());
}

}  // namespace
}  // namespace lf::e2e
