// The relay against a real PostgreSQL and the Kafka protocol (librdkafka's mock cluster):
// every committed event reaches Kafka in log order with its CloudEvents envelope, and a relay
// killed mid-batch loses nothing (guarantee 4).
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <librdkafka/rdkafkacpp.h>
#include <pqxx/pqxx>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/envelope.hpp"
#include "adapters/kafka/relay.hpp"
#include "adapters/kafka/topics.hpp"
#include "adapters/kafka/topology.hpp"
#include "adapters/postgres/event_store.hpp"
#include "tests/support/recorded_event_match.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using namespace std::chrono_literals;
using adapters::kafka::EmbeddedCluster;
using adapters::kafka::Relay;
using adapters::kafka::RelayConfig;
using adapters::kafka::TopicSetup;
using adapters::pg::PgEventStore;
using domain::RecordedEvent;

// The crash test runs the relay in a child process: it re-executes this binary with these
// variables set, and the child becomes a relay before gtest even starts (a fresh process,
// rather than a fork of one whose threads may hold locks).
constexpr const char* kChildDb = "LF_KAFKA_TEST_RELAY_CHILD_DB";
constexpr const char* kChildBrokers = "LF_KAFKA_TEST_RELAY_CHILD_BROKERS";
constexpr std::size_t kChildBatch = 500;
// The child's PostgreSQL application_name, to tell its connections apart.
constexpr const char* kChildApplication = "labelfleet-relay-child";

[[maybe_unused]] const bool kRelayChild = [] {
  const char* db = std::getenv(kChildDb);
  const char* brokers = std::getenv(kChildBrokers);
  if (db == nullptr || brokers == nullptr) {
    return false;
  }
  Relay relay(RelayConfig{.database_url = db,
                          .brokers = brokers,
                          .topic_setup = TopicSetup::none,
                          .batch_size = kChildBatch,
                          .client_id = "labelfleet-relay-child"});
  relay.start();
  for (;;) {
    ::pause();  // until the parent's SIGKILL
  }
}();

// ---------------------------------------------------------------------------------------
// Writing the log

struct StreamSet {
  std::string type;  // stream type
  int streams = 0;
  int events_per_stream = 0;
};

// Appends events round-robin over the streams (version 1 of every stream, then version 2 …),
// so that streams interleave in the log and in every partition.
void append_round_robin(PgEventStore& store, const std::vector<StreamSet>& sets) {
  int max_events = 0;
  for (const auto& s : sets) {
    max_events = std::max(max_events, s.events_per_stream);
  }
  for (int v = 1; v <= max_events; ++v) {
    std::vector<std::future<ports::AppendResult>> pending;
    for (const auto& set : sets) {
      if (v > set.events_per_stream) {
        continue;
      }
      for (int s = 0; s < set.streams; ++s) {
        const std::string id = set.type + "-" + std::to_string(s);
        ports::AppendRequest r;
        r.stream_id = id;
        r.stream_type = set.type;
        r.expected_version = v - 1;
        r.events.push_back({set.type + (v == 1 ? ".created" : ".renamed"), v == 1 ? 1 : 2,
                            R"({"stream":")" + id + R"(","version":)" + std::to_string(v) + "}"});
        // Setting streams carry no actor: empty metadata must travel as absent headers.
        r.metadata = {"cmd-" + id + "-" + std::to_string(v), "cause-" + id, "corr-" + id,
                      set.type == "setting" ? "" : "tester"};
        r.recorded_at = "2026-04-01T12:34:56." + std::to_string(100 + (v % 900)) + "Z";
        pending.push_back(store.append(std::move(r)));
      }
    }
    for (auto& f : pending) {
      const auto result = f.get();
      ASSERT_TRUE(result.has_value()) << result.error().message;
    }
  }
}

std::vector<RecordedEvent> whole_log(PgEventStore& store) { return store.read_all(0, 1'000'000); }

std::int64_t relay_checkpoint(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  return tx.exec("SELECT position FROM relay_checkpoint")[0][0].as<std::int64_t>();
}

// How many connections named `application` the database has.
std::int64_t connections_named(pqxx::connection& conn, const std::string& application) {
  pqxx::nontransaction tx(conn);  // a fresh pg_stat_activity snapshot every time
  return tx
      .exec_params("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                   application)[0][0]
      .as<std::int64_t>();
}

// Waits until no connection named `application` is left on the database; false on timeout.
bool connections_gone(pqxx::connection& conn, const std::string& application, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (connections_named(conn, application) > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Reading Kafka back

struct Consumed {
  std::string topic;
  int partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::int64_t timestamp = 0;
  std::vector<adapters::kafka::Header> headers;
  std::int64_t position = 0;  // from ce_sequence, 0 if absent
};

std::unique_ptr<RdKafka::KafkaConsumer> reader(const std::string& brokers) {
  std::string errstr;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", brokers, errstr);
  conf->set("group.id", "labelfleet-test-reader", errstr);  // required, unused with assign()
  conf->set("enable.auto.commit", "false", errstr);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  EXPECT_TRUE(consumer) << errstr;
  return consumer;
}

// How many messages all partitions of all topics hold (the sum of their high watermarks).
std::int64_t messages_in_kafka(RdKafka::KafkaConsumer& consumer) {
  std::int64_t total = 0;
  for (const auto& topic : adapters::kafka::all_topics()) {
    for (int p = 0; p < adapters::kafka::kPartitions; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (consumer.query_watermark_offsets(topic, p, &low, &high, 10000) == RdKafka::ERR_NO_ERROR) {
        total += high;
      }
    }
  }
  return total;
}

// Everything every partition of every topic holds right now, each partition in offset order.
std::vector<Consumed> consume_all(const std::string& brokers) {
  const auto consumer = reader(brokers);
  if (!consumer) {
    return {};
  }

  std::map<std::pair<std::string, int>, std::int64_t> end;  // high watermark still to reach
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto& topic : adapters::kafka::all_topics()) {
    for (int p = 0; p < adapters::kafka::kPartitions; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      const auto err = consumer->query_watermark_offsets(topic, p, &low, &high, 10000);
      EXPECT_EQ(err, RdKafka::ERR_NO_ERROR) << topic << "/" << p << ": " << RdKafka::err2str(err);
      if (high > low) {
        end[{topic, p}] = high;
        assignment.push_back(RdKafka::TopicPartition::create(topic, p, low));
      }
    }
  }
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);

  std::vector<Consumed> out;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!end.empty() && std::chrono::steady_clock::now() < deadline) {
    const std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      continue;
    }
    Consumed c;
    c.topic = m->topic_name();
    c.partition = m->partition();
    c.offset = m->offset();
    if (m->key_pointer() != nullptr) {
      c.key = std::string(static_cast<const char*>(m->key_pointer()), m->key_len());
    }
    if (m->payload() != nullptr) {
      c.value = std::string(static_cast<const char*>(m->payload()), m->len());
    }
    c.timestamp = m->timestamp().timestamp;
    if (auto* headers = m->headers(); headers != nullptr) {
      for (const auto& h : headers->get_all()) {
        c.headers.push_back({h.key(), std::string(static_cast<const char*>(h.value()), h.value_size())});
      }
    }
    for (const auto& h : c.headers) {
      if (h.key == "ce_sequence") {
        c.position = std::stoll(h.value);
      }
    }
    const auto it = end.find({c.topic, c.partition});
    if (it != end.end() && c.offset + 1 >= it->second) {
      end.erase(it);
    }
    out.push_back(std::move(c));
  }
  EXPECT_TRUE(end.empty()) << "timed out reading Kafka back";
  consumer->close();
  return out;
}

std::optional<std::string> header(const Consumed& c, const std::string& key) {
  for (auto it = c.headers.rbegin(); it != c.headers.rend(); ++it) {
    if (it->key == key) {
      return it->value;
    }
  }
  return std::nullopt;
}

// The positions each (topic, partition) must hold, in log order.
std::map<std::pair<std::string, int>, std::vector<std::int64_t>> expected_layout(
    const std::vector<RecordedEvent>& log) {
  std::map<std::pair<std::string, int>, std::vector<std::int64_t>> out;
  for (const auto& e : log) {
    out[{adapters::kafka::topic_for(e.stream_type), adapters::kafka::partition_for(e.stream_id)}].push_back(e.position);
  }
  return out;
}

// Each partition holds its streams' events in log order; the consumed messages by position.
std::map<std::int64_t, const Consumed*> expect_partitions_in_log_order(const std::vector<Consumed>& consumed,
                                                                       const std::vector<RecordedEvent>& log) {
  std::map<std::int64_t, const Consumed*> by_position;
  std::map<std::pair<std::string, int>, std::vector<std::int64_t>> layout;
  for (const auto& c : consumed) {
    by_position[c.position] = &c;
    layout[{c.topic, c.partition}].push_back(c.position);
  }
  EXPECT_EQ(layout, expected_layout(log)) << "each partition holds its streams' events in log order";
  return by_position;
}

class KafkaRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    cluster_ = std::make_unique<EmbeddedCluster>();
    const auto topics = adapters::kafka::ensure_topics(*cluster_);
    ASSERT_TRUE(topics.has_value()) << topics.error();
  }

  RelayConfig relay_config(bool republish = false) const {
    return RelayConfig{.database_url = db_->url(),
                       .brokers = cluster_->bootstraps(),
                       .republish_from_start = republish,
                       .topic_setup = TopicSetup::none};
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<EmbeddedCluster> cluster_;
};

TEST_F(KafkaRelayTest, PublishesEveryEventInLogOrderWithKeyPartitionAndEnvelope) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append_round_robin(store, {{"role", 40, 5}, {"setting", 10, 3}}));
  const auto log = whole_log(store);
  ASSERT_EQ(log.size(), 230U);
  const auto head = log.back().position;

  Relay relay(relay_config());
  relay.start();
  ASSERT_TRUE(relay.wait_for_published(head, 20s)) << "published " << relay.published_position();
  const auto stop_started = std::chrono::steady_clock::now();
  relay.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 1s) << "stop() must be prompt";
  {
    auto conn = adapters::pg::connect(db_->url());
    EXPECT_EQ(relay_checkpoint(*conn), head);
  }

  const auto consumed = consume_all(cluster_->bootstraps());
  ASSERT_EQ(consumed.size(), log.size()) << "a clean run publishes every event exactly once";
  const auto by_position = expect_partitions_in_log_order(consumed, log);

  for (const auto& e : log) {
    SCOPED_TRACE("position " + std::to_string(e.position));
    ASSERT_TRUE(by_position.contains(e.position));
    const Consumed& c = *by_position.at(e.position);
    EXPECT_EQ(c.topic, "labelfleet." + e.stream_type + ".v1");
    EXPECT_EQ(c.partition, adapters::kafka::partition_for(e.stream_id));
    EXPECT_EQ(c.key, e.stream_id);
    EXPECT_EQ(c.value, e.data_json);
    EXPECT_EQ(c.timestamp, adapters::kafka::epoch_millis(e.recorded_at));
    EXPECT_EQ(header(c, "ce_specversion"), "1.0");
    EXPECT_EQ(header(c, "ce_id"), e.event_id);
    EXPECT_EQ(header(c, "ce_type"), "com.labelfleet." + e.type);
    EXPECT_EQ(header(c, "ce_source"), "/labelfleet/" + e.stream_type);
    EXPECT_EQ(header(c, "ce_subject"), e.stream_id);
    EXPECT_EQ(header(c, "ce_time"), e.recorded_at);
    EXPECT_EQ(header(c, "content-type"), "application/json");
    EXPECT_EQ(header(c, "ce_sequence"), std::to_string(e.position));
    EXPECT_EQ(header(c, "ce_streamversion"), std::to_string(e.stream_version));
    EXPECT_EQ(header(c, "ce_schemaversion"), std::to_string(e.schema_version));
    EXPECT_EQ(header(c, "ce_dataschema"),
              "schemas/events/" + e.type + ".v" + std::to_string(e.schema_version) + ".json");
    EXPECT_EQ(header(c, "ce_commandid"), e.metadata.command_id);
    EXPECT_EQ(header(c, "ce_correlationid"), e.metadata.correlation_id);
    EXPECT_EQ(header(c, "ce_causationid"), e.metadata.causation_id);
    if (e.metadata.actor.empty()) {
      EXPECT_EQ(header(c, "ce_actor"), std::nullopt);
    } else {
      EXPECT_EQ(header(c, "ce_actor"), e.metadata.actor);
    }
    // And the consumers' decoder gives back the very event.
    const auto decoded = adapters::kafka::decode_event(c.headers, c.key, c.value);
    ASSERT_TRUE(decoded.has_value()) << decoded.error();
    testing::expect_same_event(*decoded, e);
  }
}

TEST_F(KafkaRelayTest, CommitsItIsNotToldAboutWakeItThroughListenNotify) {
  auto config = relay_config();
  config.poll_interval = 60s;  // so only a notification can explain a prompt publish
  Relay relay(config);
  relay.start();
  std::this_thread::sleep_for(300ms);  // let it find the log empty and start waiting

  PgEventStore other_writer(db_->url());  // not wired to the relay: only NOTIFY reaches it
  ASSERT_NO_FATAL_FAILURE(append_round_robin(other_writer, {{"role", 1, 1}}));
  EXPECT_TRUE(relay.wait_for_published(1, 5s));
}

// In `serve` the store hands the relay what it committed (the commit report): those events are
// published without reading them back, the commits of another process are read from the log, and
// the topics hold the same, in the same order, as if everything had been read.
TEST_F(KafkaRelayTest, EventsThisProcessCommittedArePublishedFromTheReportOthersFromTheLog) {
  auto config = relay_config();
  config.reported_origin = "ours";
  config.poll_interval = 60s;  // only the report's wake-up and other stores' notifications wake it
  Relay relay(config);
  PgEventStore ours(db_->url(), {.origin = "ours"});
  ours.on_events_committed([&relay](const std::vector<RecordedEvent>& events) { relay.committed(events); });
  PgEventStore theirs(db_->url());  // another process: only NOTIFY and the log reach the relay
  relay.start();
  std::this_thread::sleep_for(300ms);

  ASSERT_NO_FATAL_FAILURE(append_round_robin(ours, {{"role", 10, 2}}));
  ASSERT_NO_FATAL_FAILURE(append_round_robin(theirs, {{"setting", 5, 1}}));
  ASSERT_NO_FATAL_FAILURE(append_round_robin(ours, {{"user", 10, 2}}));
  ports::AppendRequest odd;  // its time is not in the log's form, so it is reported without it
  odd.stream_id = "role-odd";
  odd.stream_type = "role";
  odd.events.push_back({"role.created", 1, R"({"stream":"role-odd","version":1})"});
  odd.metadata = {"cmd-odd", "cause-odd", "corr-odd", "tester"};
  odd.recorded_at = "2026-04-01T14:34:56+02:00";
  ASSERT_TRUE(ours.append(odd).get().has_value());
  ASSERT_NO_FATAL_FAILURE(append_round_robin(ours, {{"workflow", 3, 1}}));
  auto log = whole_log(ours);
  ASSERT_EQ(log.size(), 49U);
  ASSERT_TRUE(relay.wait_for_published(log.back().position, 20s)) << "published " << relay.published_position();
  EXPECT_EQ(relay.published_from_report() + relay.published_from_log(), log.size()) << "each event once";
  EXPECT_GE(relay.published_from_log(), 6U) << "the other process's five and the odd one are read from the log";
  EXPECT_GT(relay.published_from_report(), 0U);

  // Caught up and idle: one more event of ours is published from the report alone.
  const auto from_log = relay.published_from_log();
  const auto from_report = relay.published_from_report();
  ASSERT_NO_FATAL_FAILURE(append_round_robin(ours, {{"annotator", 1, 1}}));
  log = whole_log(ours);
  ASSERT_TRUE(relay.wait_for_published(log.back().position, 20s));
  EXPECT_EQ(relay.published_from_report(), from_report + 1);
  EXPECT_EQ(relay.published_from_log(), from_log);
  relay.stop();

  const auto consumed = consume_all(cluster_->bootstraps());
  ASSERT_EQ(consumed.size(), log.size());
  const auto by_position = expect_partitions_in_log_order(consumed, log);
  for (const auto& e : log) {
    SCOPED_TRACE("position " + std::to_string(e.position));
    ASSERT_TRUE(by_position.contains(e.position));
    const Consumed& c = *by_position.at(e.position);
    const auto decoded = adapters::kafka::decode_event(c.headers, c.key, c.value);
    ASSERT_TRUE(decoded.has_value()) << decoded.error();
    testing::expect_same_event(*decoded, e);
  }
}

TEST_F(KafkaRelayTest, ResumesFromTheCheckpointAfterAFailedDeliveryWithoutHoles) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append_round_robin(store, {{"role", 50, 4}}));
  const auto log = whole_log(store);
  const auto head = log.back().position;

  // The broker refuses the next produce requests with a non-retriable error: the batch's
  // delivery reports fail, and the relay must neither advance nor leave a gap.
  rd_kafka_mock_push_request_errors(cluster_->mock(), 0 /* Produce */, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  auto config = relay_config();
  config.batch_size = 64;
  Relay relay(config);
  relay.start();
  ASSERT_TRUE(relay.wait_for_published(head, 30s)) << "published " << relay.published_position();
  relay.stop();

  const auto consumed = consume_all(cluster_->bootstraps());
  std::set<std::int64_t> seen;
  std::map<std::pair<std::string, int>, std::vector<std::int64_t>> deduplicated;
  std::map<std::pair<std::string, int>, std::int64_t> max_seen;
  for (const auto& c : consumed) {
    seen.insert(c.position);
    auto& max = max_seen[{c.topic, c.partition}];
    if (c.position > max) {
      deduplicated[{c.topic, c.partition}].push_back(c.position);
      max = c.position;
    }
  }
  EXPECT_EQ(seen.size(), log.size());
  EXPECT_EQ(deduplicated, expected_layout(log));
}

// The reordering behind a flaky run of the test above, made deterministic: the batch of one
// partition spans several produce requests and the first of them fails for good. Without
// enable.gapless.guarantee librdkafka bumps its epoch and sends the partition's later requests,
// which land ahead of the republished failed messages: consumers, skipping what is not above
// the highest position they have seen in a partition, would never apply those.
// The positions of a topic holding one partition, as Kafka has them and as a projector applies
// them (it skips whatever is at or below the highest position it has seen).
struct PartitionPositions {
  std::vector<std::int64_t> in_kafka;  // in offset order
  std::vector<std::int64_t> applied;
};

PartitionPositions read_single_partition(const std::string& brokers) {
  PartitionPositions out;
  for (const auto& c : consume_all(brokers)) {
    out.in_kafka.push_back(c.position);
    if (out.applied.empty() || c.position > out.applied.back()) {
      out.applied.push_back(c.position);
    }
  }
  return out;
}

std::vector<std::int64_t> positions_of(const std::vector<RecordedEvent>& log) {
  std::vector<std::int64_t> out;
  out.reserve(log.size());
  for (const auto& e : log) {
    out.push_back(e.position);
  }
  return out;
}

TEST_F(KafkaRelayTest, AProduceRequestFailingForGoodLetsNoLaterMessageOfItsPartitionAhead) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append_round_robin(store, {{"role", 1, 60}}));  // one stream: one partition
  const auto log = whole_log(store);
  ASSERT_EQ(log.size(), 60U);
  const auto head = log.back().position;

  // The first produce request fails for good, answered after 300 ms: by then the whole
  // batch is queued behind it.
  constexpr std::int32_t kBroker = 1;  // the mock cluster numbers its brokers from 1
  ASSERT_EQ(rd_kafka_mock_broker_push_request_error_rtts(cluster_->mock(), kBroker, 0 /* Produce */, 1,
                                                         RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 300),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  auto config = relay_config();
  // Twelve produce requests for the batch, one in flight at a time. The mock broker does not
  // check the sequence numbers of an idempotent producer (a Kafka broker refuses a request
  // that follows a failed one): what is sent after the failure is what tells right from wrong.
  config.producer_overrides = {{"batch.num.messages", "5"}, {"max.in.flight.requests.per.connection", "1"}};
  Relay relay(config);
  relay.start();
  ASSERT_TRUE(relay.wait_for_published(head, 30s)) << "published " << relay.published_position();
  relay.stop();
  std::size_t errors_left = 1;
  ASSERT_EQ(rd_kafka_mock_broker_error_stack_cnt(cluster_->mock(), kBroker, 0, &errors_left),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(errors_left, 0U) << "the injected failure was never hit: nothing was tested";

  const auto partition = read_single_partition(cluster_->bootstraps());
  std::string listing;
  for (const auto p : partition.in_kafka) {
    listing += std::to_string(p) + " ";
  }
  EXPECT_EQ(partition.applied, positions_of(log)) << "the partition holds, in offset order: " << listing;
}

// The relay's own deadline: Kafka is slow to acknowledge, the relay gives up on the batch,
// lets the request in flight settle, and republishes with a new producer. Nothing is lost, and
// what a projector applies is still the whole log in order.
TEST_F(KafkaRelayTest, ABatchPastItsDeadlineIsRepublishedWithoutAHole) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append_round_robin(store, {{"role", 1, 60}}));  // one stream: one partition
  const auto log = whole_log(store);
  const auto head = log.back().position;

  // The first produce request succeeds, but its answer takes 0.8 s: past the batch deadline
  // (0.5 s), within the time the relay then gives requests in flight to settle.
  constexpr std::int32_t kBroker = 1;
  ASSERT_EQ(rd_kafka_mock_broker_push_request_error_rtts(cluster_->mock(), kBroker, 0 /* Produce */, 1,
                                                         RD_KAFKA_RESP_ERR_NO_ERROR, 800),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  auto config = relay_config();
  config.delivery_timeout = 500ms;
  config.producer_overrides = {{"batch.num.messages", "5"}, {"max.in.flight.requests.per.connection", "1"}};
  Relay relay(config);
  relay.start();
  ASSERT_TRUE(relay.wait_for_published(head, 30s)) << "published " << relay.published_position();
  relay.stop();

  const auto partition = read_single_partition(cluster_->bootstraps());
  EXPECT_EQ(partition.applied, positions_of(log));
  // The slow first request landed, then the whole batch again: the deadline was what moved it.
  EXPECT_GT(partition.in_kafka.size(), log.size()) << "no republish: the deadline was never reached";
}

TEST(KafkaRelay, ProducerOverridesCannotTouchTheDeliveryGuarantees) {
  const RelayConfig base{.database_url = "postgresql://nowhere.invalid/none", .brokers = "127.0.0.1:1"};
  for (const char* owned : {"enable.idempotence", "enable.gapless.guarantee", "acks", "message.timeout.ms"}) {
    auto config = base;
    config.producer_overrides = {{owned, "1"}};
    EXPECT_THROW({ const Relay relay(config); }, std::invalid_argument) << owned;
  }
  auto config = base;
  config.producer_overrides = {{"batch.num.messages", "5"}};
  EXPECT_NO_THROW({ const Relay relay(config); });
  config.producer_overrides = {{"batch.num.messagez", "5"}};
  EXPECT_THROW({ const Relay relay(config); }, std::invalid_argument) << "a misspelt property fails at once";
}

// ---------------------------------------------------------------------------------------
// The envelope's edges, and topic creation against a broker that never answers.

TEST(KafkaEnvelope, ReadsRfc3339TimesAsEpochMillis) {
  EXPECT_EQ(adapters::kafka::epoch_millis("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(adapters::kafka::epoch_millis("2026-04-01T12:34:56.789Z"), 1775046896789);
  EXPECT_EQ(adapters::kafka::epoch_millis("2026-04-01T12:34:56.7+00:00"), 1775046896700);
  EXPECT_EQ(adapters::kafka::epoch_millis("2026-04-01T12:34:56Z"), 1775046896000);
  EXPECT_EQ(adapters::kafka::epoch_millis("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(adapters::kafka::epoch_millis("2026-04-01T12:34:56.789+02:00"), std::nullopt);
  EXPECT_EQ(adapters::kafka::epoch_millis("yesterday"), std::nullopt);
}

TEST(KafkaEnvelope, RefusesMessagesThatAreNotCompleteEvents) {
  RecordedEvent e;
  e.position = 7;
  e.event_id = "6f1c9a52-0000-4000-8000-000000000007";
  e.stream_id = "role-1";
  e.stream_type = "role";
  e.stream_version = 2;
  e.type = "role.renamed";
  e.schema_version = 1;
  e.data_json = R"({"name":"x"})";
  e.recorded_at = "2026-04-01T00:00:00.000Z";
  const auto headers = adapters::kafka::encode_headers(e);
  ASSERT_TRUE(adapters::kafka::decode_event(headers, e.stream_id, e.data_json).has_value());

  const auto without = [&](const std::string& key) {
    auto h = headers;
    std::erase_if(h, [&](const adapters::kafka::Header& x) { return x.key == key; });
    return h;
  };
  const auto with = [&](const std::string& key, const std::string& value) {
    auto h = headers;
    h.push_back({key, value});  // the last occurrence counts
    return h;
  };
  for (const char* key : {"ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_sequence",
                          "ce_streamversion", "ce_schemaversion"}) {
    EXPECT_FALSE(adapters::kafka::decode_event(without(key), e.stream_id, e.data_json).has_value()) << key;
  }
  EXPECT_FALSE(adapters::kafka::decode_event(with("ce_sequence", "-3"), e.stream_id, e.data_json).has_value());
  EXPECT_FALSE(adapters::kafka::decode_event(with("ce_sequence", "12x"), e.stream_id, e.data_json).has_value());
  EXPECT_FALSE(adapters::kafka::decode_event(with("ce_type", "org.other.thing"), e.stream_id, e.data_json).has_value());
  EXPECT_FALSE(adapters::kafka::decode_event(headers, "role-2", e.data_json).has_value()) << "key != subject";
  EXPECT_FALSE(adapters::kafka::decode_event(headers, e.stream_id, std::nullopt).has_value()) << "tombstone";
  // Metadata is optional: absent headers are empty strings.
  const auto decoded = adapters::kafka::decode_event(without("ce_actor"), std::nullopt, e.data_json);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->metadata.actor, "");
  EXPECT_EQ(decoded->position, 7);
}

TEST(KafkaTopics, AdminApiCreationIsBoundedWhenTheBrokerNeverAnswers) {
  EmbeddedCluster cluster;  // the mock broker does not answer CreateTopics
  const auto started = std::chrono::steady_clock::now();
  const auto result = adapters::kafka::ensure_topics(cluster.bootstraps(), 1s);
  EXPECT_FALSE(result.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);

  std::stop_source stop;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(100ms);
    stop.request_stop();
  });
  const auto stop_started = std::chrono::steady_clock::now();
  EXPECT_FALSE(adapters::kafka::ensure_topics(cluster.bootstraps(), 30s, stop.get_token()).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 1s) << "a stop request ends the wait";
}

// ---------------------------------------------------------------------------------------
// Guarantee 4: kill -9 the relay in the middle of a backlog, start another one.

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& extra_env) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      env.emplace_back(*e);
    }
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& s : env) {
      envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::string exe = "/proc/self/exe";
    char* argv[] = {exe.data(), nullptr};
    // Everything the child needs is prepared above: between fork and exec only async-signal-safe calls.
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execve(exe.c_str(), argv, envp.data());
      ::_exit(127);
    }
  }
  ~ChildProcess() { kill(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running() const { return pid_ > 0; }
  // True once the child has ended by itself (it is then reaped).
  bool exited() {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }
  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
};

TEST_F(KafkaRelayTest, RelayKilledMidBatchLosesNothingAndTheNextOneResumes) {
  PgEventStore store(db_->url());
  ASSERT_NO_FATAL_FAILURE(append_round_robin(store, {{"role", 400, 40}, {"setting", 100, 40}}));
  const auto log = whole_log(store);
  const auto head = log.back().position;
  ASSERT_EQ(head, 20000);

  auto conn = adapters::pg::connect(db_->url());
  std::int64_t checkpoint_at_kill = 0;
  {
    const std::string child_url =
        db_->url() + (db_->url().find('?') == std::string::npos ? "?" : "&") + "application_name=" + kChildApplication;
    ChildProcess child(
        {std::string(kChildDb) + "=" + child_url, std::string(kChildBrokers) + "=" + cluster_->bootstraps()});
    ASSERT_TRUE(child.running());
    // Kill it in the worst place: after a few checkpointed batches, while Kafka already holds
    // part of the next batch but the checkpoint does not cover it yet.
    const auto watcher = reader(cluster_->bootstraps());
    ASSERT_TRUE(watcher);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      ASSERT_FALSE(child.exited()) << "the relay child died on its own";
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the relay child made no progress";
      const auto checkpoint = relay_checkpoint(*conn);
      if (checkpoint >= head) {
        break;  // too late; fails below
      }
      if (checkpoint >= static_cast<std::int64_t>(4 * kChildBatch) && messages_in_kafka(*watcher) > checkpoint) {
        break;
      }
    }
    ASSERT_GT(connections_named(*conn, kChildApplication), 0) << "the relay's connections are not recognisable";
    child.kill();
    // A statement the relay sent just before it died still runs to its end in its backend:
    // its last checkpoint UPDATE (an autocommit statement) may commit after the kill. The
    // checkpoint is final once the dead relay's connections are gone.
    ASSERT_TRUE(connections_gone(*conn, kChildApplication, 10s)) << "the killed relay's backends linger";
    checkpoint_at_kill = relay_checkpoint(*conn);
  }
  ASSERT_LT(checkpoint_at_kill, head) << "the child finished before it was killed: nothing was tested";

  // The checkpoint never runs ahead of Kafka: everything up to it is there.
  std::int64_t beyond_checkpoint = 0;
  {
    const auto consumed = consume_all(cluster_->bootstraps());
    std::set<std::int64_t> present;
    for (const auto& c : consumed) {
      present.insert(c.position);
    }
    for (std::int64_t p = 1; p <= checkpoint_at_kill; ++p) {
      ASSERT_TRUE(present.contains(p)) << "position " << p << " is behind the checkpoint but not in Kafka";
    }
    beyond_checkpoint =
        std::count_if(present.begin(), present.end(), [&](std::int64_t p) { return p > checkpoint_at_kill; });
    RecordProperty("checkpoint_at_kill", std::to_string(checkpoint_at_kill));
    RecordProperty("in_kafka_beyond_checkpoint", std::to_string(beyond_checkpoint));
  }

  Relay successor(relay_config());
  successor.start();
  ASSERT_TRUE(successor.wait_for_published(head, 60s)) << "published " << successor.published_position();
  successor.stop();
  EXPECT_EQ(relay_checkpoint(*conn), head);

  const auto consumed = consume_all(cluster_->bootstraps());
  std::set<std::int64_t> seen;
  std::map<std::pair<std::string, int>, std::vector<std::int64_t>> deduplicated;
  std::map<std::pair<std::string, int>, std::int64_t> max_seen;
  for (const auto& c : consumed) {
    seen.insert(c.position);
    // What a consumer does: drop what is not above the highest position seen so far.
    auto& max = max_seen[{c.topic, c.partition}];
    if (c.position > max) {
      deduplicated[{c.topic, c.partition}].push_back(c.position);
      max = c.position;
    }
  }
  EXPECT_EQ(seen.size(), log.size()) << "every position 1..N at least once";
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), head);
  EXPECT_EQ(deduplicated, expected_layout(log)) << "per partition: strictly increasing and complete after dedup";
  // At least once on the wire: what the killed relay got into Kafka beyond its checkpoint
  // is published again by its successor, and nothing else is.
  EXPECT_EQ(static_cast<std::int64_t>(consumed.size() - log.size()), beyond_checkpoint);
  RecordProperty("duplicates_on_the_wire", std::to_string(consumed.size() - log.size()));
}

}  // namespace
}  // namespace lf
