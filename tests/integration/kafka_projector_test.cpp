// The projector runtime against a real PostgreSQL and the Kafka protocol (librdkafka's mock
// cluster): Kafka delivers duplicates, the read model changes once (guarantee 6), in stream
// order (guarantee 5).
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <span>
#include <thread>

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>
#include <pqxx/pqxx>

#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/projector.hpp"
#include "adapters/kafka/relay.hpp"
#include "adapters/kafka/topics.hpp"
#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/event_store.hpp"
#include "adapters/projection/checkpoint_poller.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using namespace std::chrono_literals;
using adapters::kafka::EmbeddedCluster;
using adapters::kafka::ProjectorConfig;
using adapters::kafka::ProjectorRuntime;
using adapters::kafka::Relay;
using adapters::kafka::RelayConfig;
using adapters::kafka::TopicSetup;
using adapters::pg::PgEventStore;
using adapters::projection::ProgressBoard;

// Counts how often each event was applied. Its SQL would double-count a redelivered event:
// only the runtime's checkpoints keep the counts at one. It also records the stream versions
// it saw, in the order it saw them.
class CountingProjection final : public projections::Projection {
 public:
  // `prefix` names the projection (<prefix>_counts) and its tables (<prefix>_applications,
  // <prefix>_streams), so several can run side by side.
  explicit CountingProjection(std::vector<std::string> types = {"role"}, std::string prefix = "kafka_test")
      : types_(std::move(types)), prefix_(std::move(prefix)) {}
  std::string name() const override { return prefix_ + "_counts"; }
  std::vector<std::string> stream_types() const override { return types_; }
  void create(pqxx::work& tx) const override {
    tx.exec("CREATE TABLE IF NOT EXISTS " + prefix_ +
            "_applications (event_id text PRIMARY KEY, position bigint NOT NULL, "
            "stream_id text NOT NULL, type text NOT NULL, data text NOT NULL, actor text NOT NULL, n int NOT NULL)");
    tx.exec("CREATE TABLE IF NOT EXISTS " + prefix_ +
            "_streams (stream_id text PRIMARY KEY, versions bigint[] NOT NULL)");
  }
  void drop(pqxx::work& tx) const override {
    tx.exec("DROP TABLE IF EXISTS " + prefix_ + "_applications");
    tx.exec("DROP TABLE IF EXISTS " + prefix_ + "_streams");
  }
  void apply(projections::SqlBatch& sql, const domain::RecordedEvent& e) const override {
    sql.add("INSERT INTO " + prefix_ +
                "_applications VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::text, 1) "
                "ON CONFLICT (event_id) DO UPDATE SET n = " +
                prefix_ + "_applications.n + 1",
            e.event_id, e.position, e.stream_id, e.type, e.data_json, e.metadata.actor);
    sql.add("INSERT INTO " + prefix_ +
                "_streams VALUES ($1::text, ARRAY[$2::bigint]) "
                "ON CONFLICT (stream_id) DO UPDATE SET versions = " +
                prefix_ + "_streams.versions || $2::bigint",
            e.stream_id, e.stream_version);
  }
  std::vector<std::string> snapshot_queries() const override {
    return {"SELECT event_id, n FROM " + prefix_ + "_applications ORDER BY event_id"};
  }

 private:
  std::vector<std::string> types_;
  std::string prefix_;
};

using testing::eventually;

class KafkaProjectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    cluster_ = std::make_unique<EmbeddedCluster>();
    const auto topics = adapters::kafka::ensure_topics(*cluster_);
    ASSERT_TRUE(topics.has_value()) << topics.error();
  }

  // `streams` streams of `type`, `versions` events each, appended version by version so
  // that streams interleave in the log.
  static void append(PgEventStore& store, const std::string& type, int streams, int versions) {
    append_versions(store, type, streams, 1, versions);
  }
  // Versions first..last of each of the `streams` streams, version by version.
  static void append_versions(PgEventStore& store, const std::string& type, int streams, int first, int last) {
    for (int v = first; v <= last; ++v) {
      std::vector<std::future<ports::AppendResult>> pending;
      for (int s = 0; s < streams; ++s) {
        ports::AppendRequest r;
        r.stream_id = type + "-" + std::to_string(s);
        r.stream_type = type;
        r.expected_version = v - 1;
        r.events.push_back({type + ".changed", 1, R"({"v":)" + std::to_string(v) + "}"});
        r.metadata = {"cmd-" + r.stream_id + "-" + std::to_string(v), "cause", "corr", "tester"};
        pending.push_back(store.append(std::move(r)));
      }
      for (auto& f : pending) {
        const auto result = f.get();
        ASSERT_TRUE(result.has_value()) << result.error().message;
      }
    }
  }

  // One relay run that publishes the whole log again (as the embedded mode does on start).
  void republish_everything(std::int64_t head) {
    Relay relay(RelayConfig{.database_url = db_->url(),
                            .brokers = cluster_->bootstraps(),
                            .republish_from_start = true,
                            .topic_setup = TopicSetup::none});
    relay.start();
    ASSERT_TRUE(relay.wait_for_published(head, 30s)) << "published " << relay.published_position();
  }

  // A message without any envelope, as a foreign producer might write.
  void produce_garbage(const std::string& topic) {
    std::string errstr;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", cluster_->bootstraps(), errstr);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), errstr));
    ASSERT_TRUE(producer) << errstr;
    std::string value = "not an event";
    ASSERT_EQ(
        producer->produce(topic, 0, RdKafka::Producer::RK_MSG_COPY, value.data(), value.size(), nullptr, 0, 0, nullptr),
        RdKafka::ERR_NO_ERROR);
    ASSERT_EQ(producer->flush(10000), RdKafka::ERR_NO_ERROR);
  }

  ProjectorConfig projector_config() const {
    // The shortest session brokers accept by default: the mock cluster makes a restarted
    // projector wait one session timeout before it gets the partitions back.
    return ProjectorConfig{
        .database_url = db_->url(), .brokers = cluster_->bootstraps(), .session_timeout = std::chrono::seconds(6)};
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<EmbeddedCluster> cluster_;
};

TEST_F(KafkaProjectorTest, AppliesEachEventOnceInStreamOrderDespiteDuplicatesAndRestarts) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append(store, "role", 30, 5));
  ASSERT_NO_FATAL_FAILURE(append(store, "setting", 5, 2));  // another topic: not this projection's
  const auto log = store.read_all(0, 100000);
  const auto head = log.back().position;
  std::vector<domain::RecordedEvent> roles;
  std::map<std::string, std::int64_t> last_position_of_stream;
  std::map<int, std::int64_t> expected_checkpoints;
  for (const auto& e : log) {
    if (e.stream_type == "role") {
      roles.push_back(e);
      last_position_of_stream[e.stream_id] = e.position;
      expected_checkpoints[adapters::kafka::partition_for(e.stream_id)] = e.position;
    }
  }
  ASSERT_EQ(roles.size(), 150U);

  ASSERT_NO_FATAL_FAILURE(produce_garbage(adapters::kafka::topic_for("role")));

  const auto projection = std::make_shared<CountingProjection>();
  ProgressBoard board;
  auto runtime = std::make_unique<ProjectorRuntime>(projection, projector_config(), board);
  runtime->start();
  ASSERT_TRUE(runtime->wait_ready(15s));

  // Every event reaches Kafka twice.
  ASSERT_NO_FATAL_FAILURE(republish_everything(head));
  ASSERT_NO_FATAL_FAILURE(republish_everything(head));

  for (const auto& [stream, position] : last_position_of_stream) {
    ASSERT_TRUE(board.wait_for(projection->name(), adapters::kafka::partition_for(stream), position, 30s))
        << stream << " not applied up to " << position;
  }
  ASSERT_TRUE(eventually([&] { return runtime->skipped() >= roles.size(); }, 30s))
      << "the second copies were not all read: skipped " << runtime->skipped();
  EXPECT_EQ(runtime->applied(), roles.size());
  EXPECT_EQ(runtime->rejected(), 1U) << "the garbage message is reported and skipped";

  const auto check_read_model = [&] {
    auto conn = adapters::pg::connect(db_->url());
    pqxx::read_transaction tx(*conn);
    std::map<std::string, pqxx::row> applications;
    for (const auto& row :
         tx.exec("SELECT event_id, position, stream_id, type, data, actor, n FROM kafka_test_applications")) {
      applications.emplace(row[0].as<std::string>(), row);
    }
    ASSERT_EQ(applications.size(), roles.size());
    for (const auto& e : roles) {
      SCOPED_TRACE("position " + std::to_string(e.position));
      ASSERT_TRUE(applications.contains(e.event_id));
      const auto& row = applications.at(e.event_id);
      EXPECT_EQ(row[6].as<int>(), 1) << "applied more than once";
      EXPECT_EQ(row[1].as<std::int64_t>(), e.position);
      EXPECT_EQ(row[2].as<std::string>(), e.stream_id);
      EXPECT_EQ(row[3].as<std::string>(), e.type);
      EXPECT_EQ(row[4].as<std::string>(), e.data_json);
      EXPECT_EQ(row[5].as<std::string>(), e.metadata.actor);
    }
    for (const auto& row : tx.exec("SELECT stream_id, array_to_string(versions, ',') FROM kafka_test_streams")) {
      EXPECT_EQ(row[1].as<std::string>(), "1,2,3,4,5") << row[0].as<std::string>() << ": stream order broken";
    }
    std::map<int, std::int64_t> checkpoints;
    for (const auto& row : tx.exec_params(
             "SELECT partition, position FROM projection_checkpoints WHERE projection = $1", projection->name())) {
      checkpoints[row[0].as<int>()] = row[1].as<std::int64_t>();
    }
    EXPECT_EQ(checkpoints, expected_checkpoints);
  };
  ASSERT_NO_FATAL_FAILURE(check_read_model());

  // A restarted projector: its board starts from the checkpoints, and a third copy of the log
  // changes nothing.
  const auto stop_started = std::chrono::steady_clock::now();
  runtime->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 1s) << "stop() must be prompt";
  ProgressBoard fresh_board;
  runtime = std::make_unique<ProjectorRuntime>(projection, projector_config(), fresh_board);
  runtime->start();
  ASSERT_TRUE(runtime->wait_ready(15s));
  for (const auto& [partition, position] : expected_checkpoints) {
    EXPECT_EQ(fresh_board.applied(projection->name(), partition), position) << "board not seeded";
  }
  ASSERT_NO_FATAL_FAILURE(republish_everything(head));
  ASSERT_TRUE(eventually([&] { return runtime->skipped() >= roles.size(); }, 30s))
      << "the third copies were not all read: skipped " << runtime->skipped();
  EXPECT_EQ(runtime->applied(), 0U);
  runtime->stop();
  ASSERT_NO_FATAL_FAILURE(check_read_model());
}

// `serve` runs every projection on one consumer: each message reaches every projection that
// reads its topic (two read "role" here), exactly once each, with checkpoints per projection.
TEST_F(KafkaProjectorTest, OneRuntimeServesSeveralProjectionsEachOnceFromItsOwnTopic) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append(store, "role", 10, 3));
  ASSERT_NO_FATAL_FAILURE(append(store, "setting", 6, 2));
  ASSERT_NO_FATAL_FAILURE(append(store, "user", 4, 1));  // a topic none of them reads
  const auto log = store.read_all(0, 100000);
  const auto head = log.back().position;

  const std::vector<std::shared_ptr<CountingProjection>> projections{
      std::make_shared<CountingProjection>(std::vector<std::string>{"role"}, "multi_a"),
      std::make_shared<CountingProjection>(std::vector<std::string>{"setting"}, "multi_b"),
      std::make_shared<CountingProjection>(std::vector<std::string>{"role"}, "multi_c")};
  // Per projection: the events it must see, and its expected checkpoint per partition.
  std::map<std::string, std::vector<domain::RecordedEvent>> expected;
  std::map<std::string, std::map<int, std::int64_t>> expected_checkpoints;
  for (const auto& e : log) {
    for (const auto& p : projections) {
      if (p->stream_types().front() == e.stream_type) {
        expected[p->name()].push_back(e);
        expected_checkpoints[p->name()][adapters::kafka::partition_for(e.stream_id)] = e.position;
      }
    }
  }
  ASSERT_EQ(expected["multi_a_counts"].size(), 30U);
  ASSERT_EQ(expected["multi_b_counts"].size(), 12U);
  const std::uint64_t deliveries = 30 + 12 + 30;

  ProgressBoard board;
  ProjectorRuntime runtime(
      std::vector<std::shared_ptr<const projections::Projection>>(projections.begin(), projections.end()),
      projector_config(), board);
  EXPECT_EQ(runtime.name(), "multi_a_counts,multi_b_counts,multi_c_counts");
  runtime.start();
  ASSERT_TRUE(runtime.wait_ready(15s));
  ASSERT_NO_FATAL_FAILURE(republish_everything(head));
  ASSERT_NO_FATAL_FAILURE(republish_everything(head));

  for (const auto& [name, checkpoints] : expected_checkpoints) {
    for (const auto& [partition, position] : checkpoints) {
      ASSERT_TRUE(board.wait_for(name, partition, position, 30s)) << name << " partition " << partition;
    }
  }
  ASSERT_TRUE(eventually([&] { return runtime.skipped() >= deliveries; }, 30s)) << "skipped " << runtime.skipped();
  runtime.stop();
  EXPECT_EQ(runtime.applied(), deliveries);

  auto conn = adapters::pg::connect(db_->url());
  pqxx::read_transaction tx(*conn);
  for (const auto& p : projections) {
    SCOPED_TRACE(p->name());
    const auto prefix = p->name().substr(0, p->name().size() - std::string("_counts").size());
    std::map<std::string, int> applied;
    for (const auto& row : tx.exec("SELECT event_id, n FROM " + prefix + "_applications")) {
      applied[row[0].as<std::string>()] = row[1].as<int>();
    }
    ASSERT_EQ(applied.size(), expected[p->name()].size());
    for (const auto& e : expected[p->name()]) {
      EXPECT_EQ(applied[e.event_id], 1) << "position " << e.position;
    }
    std::map<int, std::int64_t> checkpoints;
    for (const auto& row :
         tx.exec_params("SELECT partition, position FROM projection_checkpoints WHERE projection = $1", p->name())) {
      checkpoints[row[0].as<int>()] = row[1].as<std::int64_t>();
    }
    EXPECT_EQ(checkpoints, expected_checkpoints[p->name()]);
  }
}

// `serve` on its embedded cluster: the projector takes every partition itself instead of
// joining a consumer group (whose first rebalance the mock broker holds for 3 s). Two such
// runtimes of one projection both read everything (in one group they would split the
// partitions), and the checkpoints still let each event change the read model once.
TEST_F(KafkaProjectorTest, RuntimesThatTakeEveryPartitionEachReadAllAndApplyEachEventOnce) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append(store, "role", 24, 2));
  const auto log = store.read_all(0, 100000);
  const auto head = log.back().position;
  std::map<int, std::int64_t> expected_checkpoints;
  for (const auto& e : log) {
    expected_checkpoints[adapters::kafka::partition_for(e.stream_id)] = e.position;
  }
  ASSERT_EQ(expected_checkpoints.size(), static_cast<std::size_t>(adapters::kafka::kPartitions))
      << "the streams must cover every partition";

  const auto projection = std::make_shared<CountingProjection>();
  auto config = projector_config();
  config.every_partition = true;
  ProgressBoard board_a;
  ProgressBoard board_b;
  ProjectorRuntime a(projection, config, board_a);
  ProjectorRuntime b(projection, config, board_b);
  a.start();
  b.start();
  ASSERT_TRUE(a.wait_ready(15s));
  ASSERT_TRUE(b.wait_ready(15s));
  ASSERT_NO_FATAL_FAILURE(republish_everything(head));

  const auto events = static_cast<std::uint64_t>(log.size());
  ASSERT_TRUE(
      eventually([&] { return a.applied() + a.skipped() == events && b.applied() + b.skipped() == events; }, 30s))
      << "each runtime must read every partition: a read " << a.applied() + a.skipped() << ", b read "
      << b.applied() + b.skipped() << " of " << events;
  a.stop();
  b.stop();
  EXPECT_EQ(a.applied() + b.applied(), events) << "each event applied by exactly one of them";

  auto conn = adapters::pg::connect(db_->url());
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM kafka_test_applications WHERE n = 1")[0][0].as<std::uint64_t>(), events);
  std::map<int, std::int64_t> checkpoints;
  for (const auto& row : tx.exec_params("SELECT partition, position FROM projection_checkpoints WHERE projection = $1",
                                        projection->name())) {
    checkpoints[row[0].as<int>()] = row[1].as<std::int64_t>();
  }
  EXPECT_EQ(checkpoints, expected_checkpoints);
}

// `serve` hands its projector what its relay is about to publish (LocalFeed). An event from
// there is applied only after its predecessor in the partition; what cannot be is left to
// Kafka, which then brings everything once and in stream order, and skips what the feed
// applied first.
TEST_F(KafkaProjectorTest, TheLocalFeedAppliesOnlyInPartitionOrderAndKafkaAppliesNothingTwice) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append(store, "role", 24, 3));
  auto log = store.read_all(0, 100000);
  ASSERT_EQ(log.size(), 72U);

  const auto projection = std::make_shared<CountingProjection>();
  auto config = projector_config();
  config.every_partition = true;
  config.local_feed = std::make_shared<adapters::kafka::LocalFeed>();
  ProgressBoard board;
  ProjectorRuntime runtime(projection, config, board);
  runtime.start();
  ASSERT_TRUE(runtime.wait_ready(15s));

  const auto read_model = [&] {
    auto conn = adapters::pg::connect(db_->url());
    pqxx::read_transaction tx(*conn);
    std::map<std::string, std::string> versions;  // stream -> versions applied, in order
    for (const auto& row : tx.exec("SELECT stream_id, array_to_string(versions, ',') FROM kafka_test_streams")) {
      versions[row[0].as<std::string>()] = row[1].as<std::string>();
    }
    EXPECT_EQ(tx.exec("SELECT count(*) FROM kafka_test_applications WHERE n <> 1")[0][0].as<int>(), 0)
        << "an event applied twice";
    return versions;
  };
  // What the read model must hold when exactly the events `applied` are applied.
  const auto expected_from = [](const std::vector<domain::RecordedEvent>& applied) {
    std::map<std::string, std::string> versions;
    for (const auto& e : applied) {
      auto& v = versions[e.stream_id];
      v += (v.empty() ? "" : ",") + std::to_string(e.stream_version);
    }
    return versions;
  };

  // 1. Positions 1..20, then a hole (21..30 never offered), then 31..72. Only the first 20 can
  //    be applied from the feed: after the hole each partition's next event may follow one of
  //    the missing ten, and everything after it waits for that one.
  config.local_feed->offer(std::span(log).first(20));
  config.local_feed->offer(std::span(log).subspan(30));
  ASSERT_TRUE(eventually([&] { return runtime.applied_locally() == 20; }, 30s)) << runtime.applied_locally();
  std::this_thread::sleep_for(300ms);  // time to apply more, if it wrongly would
  EXPECT_EQ(runtime.applied_locally(), 20U);
  EXPECT_EQ(read_model(), expected_from(std::vector(log.begin(), log.begin() + 20)));

  // 2. Kafka brings the whole log: the rest is applied, each event once, in stream order.
  ASSERT_NO_FATAL_FAILURE(republish_everything(log.back().position));
  ASSERT_TRUE(eventually([&] { return runtime.applied() == 72; }, 30s)) << runtime.applied();
  EXPECT_EQ(read_model(), expected_from(log));

  // 3. New events offered after Kafka caught up: their predecessors are applied, so the feed
  //    applies them before Kafka has them; Kafka's copies change nothing.
  ASSERT_NO_FATAL_FAILURE(append_versions(store, "role", 24, 4, 4));
  log = store.read_all(0, 100000);
  ASSERT_EQ(log.size(), 96U);
  config.local_feed->offer(std::span(log).subspan(72));
  ASSERT_TRUE(eventually([&] { return runtime.applied_locally() == 44; }, 30s)) << runtime.applied_locally();
  EXPECT_EQ(read_model(), expected_from(log));
  const auto skipped_before = runtime.skipped();
  ASSERT_NO_FATAL_FAILURE(republish_everything(log.back().position));
  ASSERT_TRUE(eventually([&] { return runtime.skipped() >= skipped_before + 96; }, 30s)) << runtime.skipped();
  runtime.stop();
  EXPECT_EQ(runtime.applied(), 96U);
  EXPECT_EQ(read_model(), expected_from(log));
}

// Any event the log takes travels through Kafka: librdkafka's default message.max.bytes
// (1 000 000) let a ~1 MB setting stop the relay for good ("Message size too large"), and
// every event after it with it. One of several MB, and the events behind it, are published and
// applied from Kafka; one over the log's limit is refused at the append.
TEST_F(KafkaProjectorTest, AnEventOfSeveralMegabytesTravelsThroughKafkaAndDoesNotStopTheRelay) {
  PgEventStore store(db_->url());
  const std::string big_data = R"({"blob":")" + std::string(std::size_t{3} * 1024 * 1024, 'b') + R"("})";
  ports::AppendRequest big;
  big.stream_id = "role-big";
  big.stream_type = "role";
  big.events.push_back({"role.changed", 1, big_data});
  big.metadata = {"cmd-big", "cause", "corr", "tester"};
  ASSERT_TRUE(store.append(std::move(big)).get().has_value());
  ASSERT_NO_FATAL_FAILURE(append(store, "role", 8, 1));  // behind it, in every partition
  const auto head = store.head_position();

  ports::AppendRequest too_big;
  too_big.stream_id = "role-too-big";
  too_big.stream_type = "role";
  too_big.events.push_back({"role.changed", 1, std::string(ports::kMaxEventDataBytes + 1, ' ') + "{}"});
  too_big.metadata = {"cmd-too-big", "cause", "corr", "tester"};
  const auto refused = store.append(std::move(too_big)).get();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ports::AppendErrc::too_large);
  EXPECT_EQ(store.head_position(), head);

  const auto projection = std::make_shared<CountingProjection>();
  ProgressBoard board;
  auto config = projector_config();
  config.every_partition = true;
  ProjectorRuntime runtime(projection, config, board);
  runtime.start();
  ASSERT_TRUE(runtime.wait_ready(15s));
  Relay relay(
      RelayConfig{.database_url = db_->url(), .brokers = cluster_->bootstraps(), .topic_setup = TopicSetup::none});
  relay.start();
  ASSERT_TRUE(relay.wait_for_published(head, 30s)) << "published " << relay.published_position();
  ASSERT_TRUE(eventually([&] { return runtime.applied() == 9; }, 30s)) << runtime.applied();
  auto conn = adapters::pg::connect(db_->url());
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(
      tx.exec("SELECT length(data) FROM kafka_test_applications WHERE stream_id = 'role-big'")[0][0].as<std::size_t>(),
      big_data.size());
}

// An api process without a projector waits for the projector's checkpoints; the projector
// announces each batch's checkpoints at its commit, so the api's board moves without polling
// (its full read is an hour away here).
TEST_F(KafkaProjectorTest, AnApiProcessHearsOfEveryCheckpointTheProjectorCommits) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append(store, "role", 12, 2));
  const auto log = store.read_all(0, 100000);
  std::map<int, std::int64_t> expected_checkpoints;
  for (const auto& e : log) {
    expected_checkpoints[adapters::kafka::partition_for(e.stream_id)] = e.position;
  }

  ProgressBoard api_board;
  adapters::projection::CheckpointPoller poller(db_->url(), api_board, 1h);
  const auto projection = std::make_shared<CountingProjection>();
  auto config = projector_config();
  config.every_partition = true;
  ProgressBoard projector_board;
  ProjectorRuntime runtime(projection, config, projector_board);
  runtime.start();
  ASSERT_TRUE(runtime.wait_ready(15s));
  ASSERT_NO_FATAL_FAILURE(republish_everything(log.back().position));

  for (const auto& [partition, position] : expected_checkpoints) {
    EXPECT_TRUE(api_board.wait_for(projection->name(), partition, position, 30s))
        << "partition " << partition << " not heard of up to " << position;
  }
  EXPECT_EQ(poller.full_reads(), 1U) << "only the start reads the table";
}

TEST(KafkaProjectorRuntime, RefusesAProjectionOverSeveralStreamTypes) {
  ProgressBoard board;
  EXPECT_THROW(ProjectorRuntime(std::make_shared<CountingProjection>(std::vector<std::string>{"role", "setting"}),
                                ProjectorConfig{}, board),
               std::invalid_argument);
}

}  // namespace
}  // namespace lf
