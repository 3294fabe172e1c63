// Projections split over processes (`--projections`, ADR 0012): `serve` runs every projection but
// settings, a `labelfleet projector --projections settings` runs that one. Each set has a consumer
// group of its own (in one shared group the two processes would split the partitions and each
// would drop the other's share of its own topics), and writes to a read model another process
// keeps still wait for it, through the checkpoints in PostgreSQL.
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

// Every projection but settings, in the registry's order.
const char* const kAllButSettings =
    "roles,users,api_keys,labeling_configs,gold_tasks,annotators,audit_events,workflows";

int count_occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

class ProjectorSubsets : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<TestDatabase>();
    // A short wait for read models: a write nobody projects answers after it, and says so in the log.
    serve_ =
        std::make_unique<LabelfleetProcess>(std::vector<std::string>{"serve", "--projections", kAllButSettings},
                                            db_->url(), serve_env({{"LABELFLEET_CONSISTENCY_TIMEOUT_MS", "3000"}}));
    ASSERT_TRUE(serve_->wait_healthy(60s)) << serve_->log();
  }

  HttpResult call_serve(const std::string& method, const std::string& path, const std::string& body = "") {
    return call(serve_->port(), method, path, body);
  }
  int late_read_models() { return count_occurrences(serve_->log(), "read model behind after write"); }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<LabelfleetProcess> serve_;
};

TEST_F(ProjectorSubsets, ASettingWaitsForTheProcessThatProjectsSettings) {
  EXPECT_NE(serve_->log().find(std::string(R"("group":"labelfleet-projections-roles+users+api_keys+)")),
            std::string::npos)
      << "serve's subset keeps its offsets in a consumer group of its own:\n"
      << serve_->log();

  // Roles are projected by serve itself: the read right after the write sees it. (On its
  // embedded cluster serve's projector takes every partition, so there is no first group
  // rebalance to wait for: the mock broker held that 3 s, longer than the wait set above.)
  const auto role = call_serve("POST", "/api/roles", R"({"name":"subset-role"})");
  ASSERT_EQ(role.status, 201) << role.body;
  const auto role_path = "/api/roles/" + std::to_string(int_member(parse_json(role.body), "id").value_or(0));
  EXPECT_EQ(call_serve("GET", role_path).status, 200) << serve_->log();
  EXPECT_EQ(late_read_models(), 0) << serve_->log();

  // Settings by nobody yet: the write is durable and answered, its read model is not there.
  const auto late_before = late_read_models();
  ASSERT_EQ(call_serve("PUT", "/api/settings/theme", R"({"value":"dark"})").status, 200);
  EXPECT_EQ(call_serve("GET", "/api/settings/theme").status, 404);
  EXPECT_EQ(late_read_models(), late_before + 1) << serve_->log();

  // The settings projector catches up from Kafka: serve's embedded cluster holds the event.
  const auto metrics_port = LabelfleetProcess::free_port();
  LabelfleetProcess projector({"projector", "--projections", "settings"}, db_->url(),
                              serve_env({{"KAFKA_BROKERS", serve_->kafka_bootstrap()},
                                         {"LABELFLEET_METRICS_PORT", std::to_string(metrics_port)}}));
  ASSERT_TRUE(eventually([&] { return call_serve("GET", "/api/settings/theme").status == 200; }, 60s))
      << projector.log();
  EXPECT_EQ(string_member(parse_json(call_serve("GET", "/api/settings/theme").body), "value"), "dark");
  EXPECT_NE(projector.log().find(R"("group":"labelfleet-projection-settings")"), std::string::npos) << projector.log();

  // Keys on every partition: each write waits until the other process has applied it (serve
  // sees its checkpoints), so the read right after shows it and no write times out.
  const auto late_after_catch_up = late_read_models();
  for (int i = 0; i < 12; ++i) {
    const auto key = "subset.key." + std::to_string(i);
    const auto value = "v" + std::to_string(i);
    ASSERT_EQ(call_serve("PUT", "/api/settings/" + key, R"({"value":")" + value + R"("})").status, 200);
    const auto read = call_serve("GET", "/api/settings/" + key);
    ASSERT_EQ(read.status, 200) << key << " is not visible right after its write";
    EXPECT_EQ(string_member(parse_json(read.body), "value"), value);
  }
  EXPECT_EQ(late_read_models(), late_after_catch_up) << serve_->log();
  // serve's own projections did not take the settings partitions' events either way.
  EXPECT_EQ(call_serve("GET", role_path).status, 200);
  EXPECT_TRUE(projector.running()) << projector.log();

  // The projector process serves its own /metrics and health (LABELFLEET_METRICS_PORT): what it
  // applied, and the lags, read from PostgreSQL as the api process reads them.
  const auto metrics = call(metrics_port, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << projector.log();
  EXPECT_GE(sample(metrics.body, "labelfleet_projector_events_total", {R"(path="kafka")", R"(outcome="applied")"})
                .value_or(0),
            13)
      << metrics.body;
  EXPECT_TRUE(eventually(
      [&] {
        return sample(call(metrics_port, "GET", "/metrics").body, "labelfleet_projection_lag_events",
                      {R"(projection="settings")"}) == 0.0;
      },
      30s));
  const auto health = call(metrics_port, "GET", "/api/health");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(string_member(parse_json(health.body), "database"), "connected") << health.body;
  EXPECT_EQ(call(metrics_port, "GET", "/api/settings/theme").status, 404) << "only the system routes are served there";
}

TEST_F(ProjectorSubsets, AMistypedProjectionOrOptionIsRefusedBeforeAnythingStarts) {
  const std::map<std::string, std::string> env{{"DATABASE_URL", db_->url()},
                                               {"KAFKA_BROKERS", serve_->kafka_bootstrap()}};
  const auto unknown = run_binary({"projector", "--projections", "roles,rolez"}, env, 30s);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find(R"(unknown projection: "rolez" (known: roles, settings,)"), std::string::npos)
      << unknown.output;
  const auto empty = run_binary({"projector", "--projections="}, env, 30s);
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  const auto not_for_api = run_binary({"api", "--projections", "roles"}, env, 30s);
  EXPECT_EQ(not_for_api.exit_code, 2) << not_for_api.output;
  EXPECT_NE(not_for_api.output.find("unexpected argument: --projections"), std::string::npos) << not_for_api.output;
  // Its own /metrics has no credential check: not with LABELFLEET_METRICS_PUBLIC=false.
  auto private_metrics = env;
  private_metrics.emplace("LABELFLEET_METRICS_PORT", std::to_string(LabelfleetProcess::free_port()));
  private_metrics.emplace("LABELFLEET_METRICS_PUBLIC", "false");
  const auto refused = run_binary({"projector"}, private_metrics, 30s);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find("cannot be set with LABELFLEET_METRICS_PUBLIC=false"), std::string::npos)
      << refused.output;
}

}  // namespace
}  // namespace lf::e2e
