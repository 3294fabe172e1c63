// The product's projections through the real path (store -> relay -> Kafka protocol ->
// projector) compared with a rebuild from the PostgreSQL log: guarantee 7 (rebuildable,
// identical rows) and guarantee 6 for the real read models (a full redelivery changes nothing).
#include "adapters/projection/replay.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/codec/role_codec.hpp"
#include "adapters/codec/setting_codec.hpp"
#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/projector.hpp"
#include "adapters/kafka/relay.hpp"
#include "adapters/kafka/topics.hpp"
#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/event_store.hpp"
#include "adapters/postgres/sql_text.hpp"
#include "adapters/projection/progress_board.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

namespace role = domain::role;
namespace setting = domain::setting;
using namespace std::chrono_literals;

std::vector<std::string> snapshot(const std::string& url, const projections::Projection& p) {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  std::vector<std::string> rows;
  for (const auto& q : p.snapshot_queries()) {
    for (const auto& r : tx.exec(q)) {
      std::string line;
      for (const auto& f : r) {
        line += (f.is_null() ? "NULL" : f.c_str()) + std::string("|");
      }
      rows.push_back(line);
    }
  }
  return rows;
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    cluster_ = std::make_unique<adapters::kafka::EmbeddedCluster>();
    ASSERT_TRUE(adapters::kafka::ensure_topics(*cluster_).has_value());
    store_ = std::make_unique<adapters::pg::PgEventStore>(db_->url());
  }

  std::unique_ptr<adapters::kafka::Relay> relay(bool from_start) {
    adapters::kafka::RelayConfig c;
    c.database_url = db_->url();
    c.brokers = cluster_->bootstraps();
    c.republish_from_start = from_start;
    c.topic_setup = adapters::kafka::TopicSetup::none;
    auto r = std::make_unique<adapters::kafka::Relay>(c);
    r->start();
    return r;
  }

  std::unique_ptr<adapters::kafka::ProjectorRuntime> projector(std::shared_ptr<const projections::Projection> p) {
    adapters::kafka::ProjectorConfig c;
    c.database_url = db_->url();
    c.brokers = cluster_->bootstraps();
    auto r = std::make_unique<adapters::kafka::ProjectorRuntime>(std::move(p), c, board_);
    r->start();
    return r;
  }

  // The product's roles and settings projections (the ones these histories feed).
  static std::vector<std::shared_ptr<const projections::Projection>> roles_and_settings() {
    std::vector<std::shared_ptr<const projections::Projection>> out;
    for (const auto& p : projections::all()) {
      if (p->name() == "roles" || p->name() == "settings") {
        out.push_back(p);
      }
    }
    return out;
  }
  std::vector<std::unique_ptr<adapters::kafka::ProjectorRuntime>> start_projectors(
      const std::vector<std::shared_ptr<const projections::Projection>>& of) {
    std::vector<std::unique_ptr<adapters::kafka::ProjectorRuntime>> out;
    out.reserve(of.size());
    for (const auto& p : of) {
      out.push_back(projector(p));
    }
    return out;
  }
  void append(const std::string& stream, const std::string& type, std::int64_t expected,
              std::vector<domain::NewEvent> events) {
    ports::AppendRequest r;
    r.stream_id = stream;
    r.stream_type = type;
    r.expected_version = expected;
    r.events = std::move(events);
    r.metadata = {"c", "c", "c", "test"};
    ASSERT_TRUE(store_->append(std::move(r)).get().has_value());
  }

  // A history with creates, renames, clears, deletes and re-created names.
  void write_history() {
    for (std::int64_t id = 1; id <= 40; ++id) {
      append(
          role::stream_id(id), "role", 0,
          {adapters::codec::encode(role::Event{role::RoleCreated{id, "role " + std::to_string(id), "d", "#00AA11"}})});
    }
    for (std::int64_t id = 1; id <= 40; id += 3) {
      append(role::stream_id(id), "role", 1,
             {adapters::codec::encode(
                 role::Event{role::RoleUpdated{id, "renamed " + std::to_string(id), std::nullopt, "#FFFFFF"}})});
    }
    for (std::int64_t id = 2; id <= 40; id += 5) {
      const std::int64_t version = (id - 1) % 3 == 0 ? 2 : 1;  // some were renamed above
      append(role::stream_id(id), "role", version, {adapters::codec::encode(role::Event{role::RoleDeleted{id}})});
    }
    for (int k = 0; k < 10; ++k) {
      const auto key = "key." + std::to_string(k);
      append(setting::stream_id(key), "setting", 0,
             {adapters::codec::encode(
                 setting::Event{setting::SettingCreated{k + 1, key, R"({"n":1.50,"z":[true,null]})", std::nullopt}})});
      append(
          setting::stream_id(key), "setting", 1,
          {adapters::codec::encode(setting::Event{setting::SettingChanged{k + 1, key, std::to_string(k), "changed"}})});
    }
  }

  // Caught up when no event of the projection's streams lies past its highest checkpoint
  // (events are relayed in position order, so the last one applied is the highest).
  void wait_caught_up(const projections::Projection& p) {
    const auto projection = p.name();
    const auto types = adapters::pg::text_array(p.stream_types());
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      pqxx::connection c(db_->url());
      pqxx::read_transaction tx(c);
      const auto pending =
          tx.exec_params(
                "SELECT count(*) FROM events e WHERE e.stream_type = ANY($1::text[]) AND e.position > "
                "COALESCE((SELECT max(position) FROM projection_checkpoints WHERE projection = $2), 0)",
                types, projection)[0][0]
              .as<int>();
      if (pending == 0 || std::chrono::steady_clock::now() > deadline) {
        ASSERT_EQ(pending, 0) << projection << " did not catch up";
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<adapters::kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<adapters::pg::PgEventStore> store_;
  adapters::projection::ProgressBoard board_;
};

TEST_F(ReplayTest, RebuildFromTheLogGivesIdenticalRowsAndRedeliveryChangesNothing) {
  write_history();
  const auto all = roles_and_settings();
  ASSERT_EQ(all.size(), 2U);
  auto first_relay = relay(false);
  const auto projectors = start_projectors(all);
  // Wait until every projection applied the last event of every partition it owns.
  const auto head = store_->head_position();
  ASSERT_TRUE(first_relay->wait_for_published(head, 60s));
  for (const auto& p : all) {
    wait_caught_up(*p);
  }
  std::map<std::string, std::vector<std::string>> via_kafka;
  for (const auto& p : all) {
    via_kafka[p->name()] = snapshot(db_->url(), *p);
    ASSERT_FALSE(via_kafka[p->name()].empty());
  }
  EXPECT_EQ(via_kafka["roles"].size(), 40U - 8U);  // 8 of 40 deleted
  EXPECT_EQ(via_kafka["settings"].size(), 10U);

  // Guarantee 6: the whole log delivered again (a second relay republishing from position 0,
  // as after an embedded-cluster restart) leaves every read model unchanged.
  auto second_relay = relay(true);
  ASSERT_TRUE(second_relay->wait_for_published(head, 60s));
  std::this_thread::sleep_for(1s);  // give the projectors time to (wrongly) apply duplicates
  for (const auto& p : all) {
    EXPECT_EQ(snapshot(db_->url(), *p), via_kafka[p->name()]) << p->name() << " changed on redelivery";
  }

  // Guarantee 7: drop and rebuild from PostgreSQL, while the projectors keep running.
  for (const auto& p : all) {
    pqxx::connection c(db_->url());
    const auto r = adapters::projection::rebuild(c, *p);
    EXPECT_GT(r.events_applied, 0);
    EXPECT_EQ(snapshot(db_->url(), *p), via_kafka[p->name()]) << p->name() << " differs after rebuild";
  }
  // And a rebuild of an empty read model (tables dropped by hand) brings the same rows back.
  {
    pqxx::connection c(db_->url());
    pqxx::work tx(c);
    tx.exec("DROP TABLE rm_roles");
    tx.commit();
  }
  {
    pqxx::connection c(db_->url());
    adapters::projection::rebuild(c, *all[0]);
  }
  EXPECT_EQ(snapshot(db_->url(), *all[0]), via_kafka["roles"]);

  // New events after the rebuild still flow: the projector continues from the rewritten checkpoints.
  append(role::stream_id(1), "role", 2,
         {adapters::codec::encode(role::Event{role::RoleUpdated{1, "after rebuild", std::nullopt, std::nullopt}})});
  ASSERT_TRUE(
      board_.wait_for("roles", adapters::kafka::partition_for(role::stream_id(1)), store_->head_position(), 30s));
  pqxx::connection c(db_->url());
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec("SELECT name FROM rm_roles WHERE id = 1")[0][0].as<std::string>(), "after rebuild");
}

// The log's json column keeps U+0000, which the read models' jsonb and text refuse: an event
// carrying it (written before request bodies were checked for it, or by another writer) used to
// fail the projector's batch on every retry and stop every projection behind it. It now reaches
// the read models as U+FFFD, the same way through Kafka and through a rebuild.
TEST_F(ReplayTest, APayloadHoldingUPlus0000ReachesTheReadModelsAsUPlusFFFDAndStopsNothing) {
  const std::string nul("\0", 1);
  append(role::stream_id(1), "role", 0,
         {adapters::codec::encode(
             role::Event{role::RoleCreated{1, "nul" + nul + "name", "a" + nul + "b", std::nullopt}})});
  append(setting::stream_id("nul.value"), "setting", 0,
         {adapters::codec::encode(setting::Event{
             setting::SettingCreated{1, "nul.value", R"({"k\u0000":["\u0000","\\u0000"]})", std::nullopt}})});
  append(role::stream_id(2), "role", 0,
         {adapters::codec::encode(role::Event{role::RoleCreated{2, "after", std::nullopt, std::nullopt}})});
  {
    pqxx::connection c(db_->url());
    pqxx::read_transaction tx(c);
    ASSERT_EQ(tx.exec("SELECT count(*) FROM events WHERE data::text LIKE '%\\u0000%'")[0][0].as<int>(), 2)
        << "the log holds the escapes as written";
  }
  const auto all = roles_and_settings();
  ASSERT_EQ(all.size(), 2U);
  auto live_relay = relay(false);
  const auto projectors = start_projectors(all);
  ASSERT_TRUE(live_relay->wait_for_published(store_->head_position(), 60s));
  for (const auto& p : all) {
    ASSERT_NO_FATAL_FAILURE(wait_caught_up(*p));
  }
  const std::string replacement = "\xEF\xBF\xBD";
  {
    pqxx::connection c(db_->url());
    pqxx::read_transaction tx(c);
    const auto row = tx.exec("SELECT name, description FROM rm_roles WHERE id = 1");
    ASSERT_EQ(row.size(), 1U);
    EXPECT_EQ(row[0][0].as<std::string>(), "nul" + replacement + "name");
    EXPECT_EQ(row[0][1].as<std::string>(), "a" + replacement + "b");
    EXPECT_EQ(tx.exec("SELECT count(*) FROM rm_roles WHERE id = 2")[0][0].as<int>(), 1) << "the next event waited";
    // An escaped backslash before "u0000" is text, not U+0000, and is kept as it is.
    EXPECT_EQ(tx.exec("SELECT value_json FROM rm_settings WHERE key = 'nul.value'")[0][0].as<std::string>(),
              R"({"k)" + replacement + R"(":[")" + replacement + R"(","\\u0000"]})");
  }
  std::map<std::string, std::vector<std::string>> via_kafka;
  for (const auto& p : all) {
    via_kafka[p->name()] = snapshot(db_->url(), *p);
  }
  for (const auto& p : all) {
    pqxx::connection c(db_->url());
    adapters::projection::rebuild(c, *p);
    EXPECT_EQ(snapshot(db_->url(), *p), via_kafka[p->name()]) << p->name() << " differs after rebuild";
  }
}

}  // namespace
}  // namespace lf
