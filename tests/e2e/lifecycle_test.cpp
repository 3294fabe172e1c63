// The whole story end to end: `labelfleet serve` takes writes, the Kafka topics carry every
// event with its CloudEvents envelope and a payload that validates against its schema; a
// clean restart keeps everything and republishes the log without touching the read models;
// `labelfleet replay --all` rebuilds identical read models under a running server; and a
// kill -9 right after a burst of writes loses no acknowledged write.
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include <librdkafka/rdkafkacpp.h>

#include "adapters/json/schema_registry.hpp"
#include "adapters/kafka/envelope.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

constexpr int kPartitions = 4;
const std::vector<std::string> kTopics{"labelfleet.role.v1", "labelfleet.setting.v1"};

struct Message {
  std::string topic;
  int partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<adapters::kafka::Header> headers;
  std::optional<std::string> header(const std::string& name) const {
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
      if (it->key == name) {
        return it->value;
      }
    }
    return std::nullopt;
  }
  std::int64_t sequence() const {
    const auto s = header("ce_sequence");
    try {
      return s ? std::stoll(*s) : -1;
    } catch (...) {
      return -1;
    }
  }
};

struct LoggedEvent {
  std::int64_t position = 0;
  std::string event_id;
  std::string stream_id;
  std::string stream_type;
  std::int64_t stream_version = 0;
  std::string type;
  int schema_version = 0;
  std::string data;
};

// The events of the role and setting streams (the topics this suite reads), in log order.
std::vector<LoggedEvent> whole_log(const std::string& url) {
  std::vector<LoggedEvent> out;
  for (const auto& r : query_rows(url,
                                  "SELECT position, event_id::text, stream_id, stream_type, stream_version, "
                                  "event_type, schema_version, data::text FROM events "
                                  "WHERE stream_type IN ('role', 'setting') ORDER BY position")) {
    out.push_back({std::stoll(r[0]), r[1], r[2], r[3], std::stoll(r[4]), r[5], std::stoi(r[6]), r[7]});
  }
  return out;
}

// Reads both topics from the beginning of every partition (assign(), no group rebalancing)
// until every position of `log` has been seen, or `timeout`.
std::vector<Message> read_topics(const std::string& bootstrap, const std::vector<LoggedEvent>& log,
                                 std::chrono::seconds timeout = 60s) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "labelfleet-e2e-reader-" + unique_suffix(), err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("enable.partition.eof", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) {
    ADD_FAILURE() << "cannot create a Kafka consumer: " << err;
    return {};
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto& topic : kTopics) {
    for (int p = 0; p < kPartitions; ++p) {
      assignment.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  const auto assigned = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  EXPECT_EQ(assigned, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(assigned);

  std::set<std::int64_t> missing;
  for (const auto& e : log) {
    missing.insert(e.position);
  }
  std::vector<Message> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!missing.empty() && std::chrono::steady_clock::now() < deadline) {
    const std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) {
      continue;
    }
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      continue;  // transient (the embedded broker may still be settling)
    }
    Message msg;
    msg.topic = m->topic_name();
    msg.partition = m->partition();
    msg.offset = m->offset();
    if (m->key_pointer() != nullptr) {
      msg.key = std::string(static_cast<const char*>(m->key_pointer()), m->key_len());
    }
    if (m->payload() != nullptr) {
      msg.value = std::string(static_cast<const char*>(m->payload()), m->len());
    }
    if (auto* headers = m->headers(); headers != nullptr) {
      for (const auto& h : headers->get_all()) {
        msg.headers.push_back(
            {h.key(), h.value() == nullptr ? "" : std::string(static_cast<const char*>(h.value()), h.value_size())});
      }
    }
    missing.erase(msg.sequence());
    out.push_back(std::move(msg));
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << log.size()
                               << " events never appeared on Kafka, first missing position " << *missing.begin();
  consumer->close();
  return out;
}

// Every event of the log is on its topic and partition, keyed by its stream, with the
// CloudEvents envelope of its row, a payload identical to the stored one that validates
// against its published schema; per partition ce_sequence only grows; no message that is not
// in the log.
void expect_topics_mirror_log(const std::vector<Message>& messages, const std::vector<LoggedEvent>& log) {
  std::map<std::int64_t, const LoggedEvent*> by_position;
  for (const auto& e : log) {
    by_position[e.position] = &e;
  }
  const auto& registry = adapters::json::SchemaRegistry::instance();
  std::map<std::pair<std::string, int>, std::int64_t> last_sequence;
  std::map<std::string, std::int64_t> last_stream_version;
  std::set<std::int64_t> seen;
  for (const auto& m : messages) {
    const auto where = m.topic + "/" + std::to_string(m.partition) + "@" + std::to_string(m.offset);
    SCOPED_TRACE(where);
    const auto seq = m.sequence();
    const auto it = by_position.find(seq);
    if (it == by_position.end()) {
      ADD_FAILURE() << where << ": ce_sequence " << (m.header("ce_sequence").value_or("<absent>"))
                    << " is not a position of the log";
      continue;
    }
    const auto& e = *it->second;
    seen.insert(seq);
    EXPECT_EQ(m.topic, "labelfleet." + e.stream_type + ".v1");
    EXPECT_EQ(m.partition, kafka_partition(e.stream_id)) << "partition of key " << e.stream_id;
    EXPECT_EQ(m.key, e.stream_id);
    EXPECT_EQ(m.value, e.data) << "the value is the stored payload, unchanged";
    EXPECT_EQ(m.header("ce_specversion"), "1.0");
    EXPECT_EQ(m.header("ce_id"), e.event_id);
    EXPECT_EQ(m.header("ce_type"), "com.labelfleet." + e.type);
    EXPECT_EQ(m.header("ce_source"), "/labelfleet/" + e.stream_type);
    EXPECT_EQ(m.header("ce_subject"), e.stream_id);
    EXPECT_EQ(m.header("ce_streamversion"), std::to_string(e.stream_version));
    EXPECT_EQ(m.header("ce_schemaversion"), std::to_string(e.schema_version));
    EXPECT_EQ(m.header("content-type"), "application/json");
    EXPECT_FALSE(m.header("ce_time").value_or("").empty());
    EXPECT_NE(m.header("ce_dataschema").value_or("").find(e.type + ".v" + std::to_string(e.schema_version)),
              std::string::npos)
        << m.header("ce_dataschema").value_or("<absent>");
    // The decoder consumers use accepts it and gets the same event back.
    const auto decoded = adapters::kafka::decode_event(m.headers, m.key, m.value);
    ASSERT_TRUE(decoded.has_value()) << decoded.error();
    EXPECT_EQ(decoded->position, e.position);
    EXPECT_EQ(decoded->type, e.type);

    // Guarantee: every emitted event validates against events/<type>.v<N>.json.
    const auto schema = "events/" + e.type + ".v" + std::to_string(e.schema_version) + ".json";
    const auto doc = parse_json(m.value.value_or(""));
    ASSERT_FALSE(doc.HasParseError()) << "value is not JSON: " << m.value.value_or("<null>");
    EXPECT_TRUE(registry.has(schema)) << "no published schema " << schema;
    if (registry.has(schema)) {
      const auto issues = registry.validate(schema, doc);
      for (const auto& issue : issues) {
        ADD_FAILURE() << schema << ": " << issue.path << ": " << issue.message << " in " << *m.value;
      }
    }

    // Log order within the partition, stream order within the stream (guarantee 5).
    auto& last = last_sequence[{m.topic, m.partition}];
    EXPECT_GT(seq, last) << "ce_sequence does not grow within " << m.topic << "/" << m.partition;
    last = std::max(last, seq);
    auto& version = last_stream_version[e.stream_id];
    EXPECT_GT(e.stream_version, version) << e.stream_id << " out of order";
    version = std::max(version, e.stream_version);
  }
  EXPECT_EQ(seen.size(), log.size()) << "events missing from the topics";
}

// The API's full answers, for before/after comparisons.
std::map<std::string, std::string> api_snapshot(std::uint16_t port) {
  std::map<std::string, std::string> out;
  for (const auto& list : {std::string("/api/roles?limit=500"), std::string("/api/settings?limit=500")}) {
    const auto r = call(port, "GET", list);
    EXPECT_EQ(r.status, 200);
    out[list] = r.body;
    const auto d = parse_json(r.body);
    if (!d.IsObject() || !d.HasMember("data") || !d["data"].IsArray()) {
      ADD_FAILURE() << list << ": " << r.body;
      continue;
    }
    for (const auto& item : d["data"].GetArray()) {
      const auto path = list.find("roles") != std::string::npos
                            ? "/api/roles/" + std::to_string(int_member(item, "id").value_or(0))
                            : "/api/settings/" + string_member(item, "key").value_or("");
      out[path] = call(port, "GET", path).body;
    }
  }
  return out;
}

std::vector<std::vector<std::string>> read_model_rows(const std::string& url, const std::string& roles_where = "",
                                                      const std::string& settings_where = "") {
  auto rows = query_rows(url, "SELECT 'role', * FROM rm_roles " + roles_where + " ORDER BY id");
  for (auto& r : query_rows(url, "SELECT 'setting', * FROM rm_settings " + settings_where + " ORDER BY key")) {
    rows.push_back(std::move(r));
  }
  return rows;
}

class Lifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<TestDatabase>();
  }
  const std::string& url() const { return db_->url(); }

  // Roles and settings with creates, updates, clears and deletes.
  static void write_story(std::uint16_t port) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 6; ++i) {
      const auto r = call(port, "POST", "/api/roles",
                          R"({"name":)" + json_quote("story-role-" + std::to_string(i)) +
                              (i % 2 == 0 ? R"(,"description":"labelers","color":"#3B82F6")" : "") + "}");
      ASSERT_EQ(r.status, 201) << r.body;
      ids.push_back(int_member(parse_json(r.body), "id").value_or(0));
    }
    ASSERT_EQ(call(port, "PUT", "/api/roles/" + std::to_string(ids[0]), R"({"name":"story-role-0-renamed"})").status,
              200);
    ASSERT_EQ(call(port, "PUT", "/api/roles/" + std::to_string(ids[2]), R"({"color":null,"description":null})").status,
              200);
    ASSERT_EQ(call(port, "DELETE", "/api/roles/" + std::to_string(ids[3])).status, 200);
    const std::vector<std::pair<std::string, std::string>> settings{
        {"s3.bucket", R"({"value":"my-annotation-bucket","description":"source images"})"},
        {"quality.threshold", R"({"value":0.7})"},
        {"feature.flags", R"({"value":{"chaining":true,"export":["s3","local"]}})"},
        {"retention.days", R"({"value":null,"description":"forever"})"},
        {"ui:theme", R"({"value":"dark"})"},
    };
    for (const auto& [key, body] : settings) {
      ASSERT_EQ(call(port, "PUT", "/api/settings/" + key, body).status, 200) << key;
    }
    ASSERT_EQ(
        call(port, "PUT", "/api/settings/quality.threshold", R"({"value":0.8,"description":"gold accuracy"})").status,
        200);
    ASSERT_EQ(call(port, "PUT", "/api/settings/retention.days", R"({"value":30,"description":null})").status, 200);
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST_F(Lifecycle, EveryEventReachesKafkaWithItsEnvelopeAndAValidPayload) {
  auto server = start_serve(url());
  ASSERT_NE(server, nullptr);
  ASSERT_NO_FATAL_FAILURE(write_story(server->port()));
  trace("story written");
  const auto log = whole_log(url());
  ASSERT_EQ(log.size(), 6U + 3U + 5U + 2U);
  const auto bootstrap = server->kafka_bootstrap();
  ASSERT_FALSE(bootstrap.empty()) << "no kafka.bootstrap in " << server->run_dir();
  const auto messages = read_topics(bootstrap, log);
  trace("topics read");
  expect_topics_mirror_log(messages, log);
  EXPECT_EQ(server->stop(), 0) << server->log();
  trace("serve stopped");
}

TEST_F(Lifecycle, CleanRestartKeepsDataRepublishesHistoryAndLeavesReadModelsAlone) {
  std::map<std::string, std::string> api_before;
  std::vector<std::vector<std::string>> rows_before;
  std::vector<std::vector<std::string>> checkpoints_before;
  {
    auto first = start_serve(url());
    ASSERT_NE(first, nullptr);
    ASSERT_NO_FATAL_FAILURE(write_story(first->port()));
    api_before = api_snapshot(first->port());
    rows_before = read_model_rows(url());
    checkpoints_before =
        query_rows(url(), "SELECT projection, partition, position FROM projection_checkpoints ORDER BY 1, 2");
    EXPECT_EQ(first->stop(), 0) << "SIGTERM must end serve cleanly:\n" << first->log();
  }
  const auto log = whole_log(url());

  auto second = start_serve(url());
  ASSERT_NE(second, nullptr);
  // The new embedded cluster holds the whole history again.
  const auto messages = read_topics(second->kafka_bootstrap(), log);
  expect_topics_mirror_log(messages, log);
  EXPECT_EQ(api_snapshot(second->port()), api_before) << "API answers changed across a restart";

  // Make sure the projectors have consumed the republished history: one write on every
  // partition of both topics; read-your-writes means each partition is applied up to it.
  std::set<int> role_partitions;
  for (int i = 0; i < 64 && role_partitions.size() < kPartitions; ++i) {
    const auto r = call(second->port(), "POST", "/api/roles", R"({"name":"probe-)" + std::to_string(i) + R"("})");
    ASSERT_EQ(r.status, 201) << r.body;
    role_partitions.insert(kafka_partition("role-" + std::to_string(int_member(parse_json(r.body), "id").value_or(0))));
  }
  ASSERT_EQ(role_partitions.size(), static_cast<std::size_t>(kPartitions));
  std::set<int> setting_partitions;
  for (int i = 0; i < 64 && setting_partitions.size() < kPartitions; ++i) {
    const auto key = "probe." + std::to_string(i);
    if (setting_partitions.insert(kafka_partition("setting-" + key)).second) {
      ASSERT_EQ(call(second->port(), "PUT", "/api/settings/" + key, R"({"value":true})").status, 200);
    }
  }
  ASSERT_EQ(setting_partitions.size(), static_cast<std::size_t>(kPartitions));

  // The read models did not change: the duplicates were skipped, not applied again.
  EXPECT_EQ(read_model_rows(url(), "WHERE name NOT LIKE 'probe-%'", "WHERE key NOT LIKE 'probe.%'"), rows_before);
  auto api_after = api_snapshot(second->port());
  for (const auto& [path, body] : api_before) {
    if (path.find('?') == std::string::npos) {
      EXPECT_EQ(api_after[path], body) << path;
    }
  }
  // The checkpoints moved only for the probes' partitions, never backwards.
  for (const auto& row : checkpoints_before) {
    const auto now =
        query_int(url(), "SELECT position FROM projection_checkpoints WHERE projection = " + sql_text(row[0]) +
                             " AND partition = " + row[1]);
    EXPECT_GE(now, std::stoll(row[2])) << row[0] << "/" << row[1];
  }
  EXPECT_EQ(second->stop(), 0) << second->log();
}

TEST_F(Lifecycle, ReplayAllUnderARunningServerRebuildsIdenticalReadModels) {
  auto server = start_serve(url());
  ASSERT_NE(server, nullptr);
  ASSERT_NO_FATAL_FAILURE(write_story(server->port()));
  const auto api_before = api_snapshot(server->port());
  const auto rows_before = read_model_rows(url());
  ASSERT_FALSE(rows_before.empty());

  const auto replay = run_binary({"replay", "--all"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;

  EXPECT_EQ(read_model_rows(url()), rows_before) << "the rebuilt rows differ";
  const auto api_after = api_snapshot(server->port());
  EXPECT_EQ(api_after, api_before) << "the API answers differ after replay";

  // One projection by name, and an unknown name.
  EXPECT_EQ(run_binary({"replay", "roles"}, {{"DATABASE_URL", url()}}).exit_code, 0);
  EXPECT_EQ(read_model_rows(url()), rows_before);
  EXPECT_EQ(run_binary({"replay", "no-such-projection"}, {{"DATABASE_URL", url()}}).exit_code, 2);

  // The running server carries on: writes after the replay are read back at once.
  const auto created = call(server->port(), "POST", "/api/roles", R"({"name":"after-replay"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(call(server->port(), "GET",
                 "/api/roles/" + std::to_string(int_member(parse_json(created.body), "id").value_or(0)))
                .body,
            created.body);
  const auto put = call(server->port(), "PUT", "/api/settings/s3.bucket", R"({"value":"after-replay"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(call(server->port(), "GET", "/api/settings/s3.bucket").body, put.body);
  EXPECT_TRUE(server->running()) << server->log();
}

TEST_F(Lifecycle, KillNineAfterABurstLosesNoAcknowledgedWrite) {
  auto server = start_serve(url());
  ASSERT_NE(server, nullptr);
  const auto port = server->port();

  struct Ack {
    std::string path;  // where to read it back
    std::string body;  // what the server acknowledged
  };
  std::mutex mu;
  std::vector<Ack> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::vector<std::thread> writers;
  writers.reserve(8);
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        HttpResult r;
        std::string path;
        if (i % 2 == 0) {
          r = lf::testing::http(port, "POST", "/api/roles",
                                R"({"name":"burst-)" + std::to_string(w) + "-" + std::to_string(i) + R"("})");
          if (r.status == 201) {
            path = "/api/roles/" + std::to_string(int_member(parse_json(r.body), "id").value_or(0));
          }
        } else {
          const auto key = "burst." + std::to_string(w) + "." + std::to_string(i);
          r = lf::testing::http(port, "PUT", "/api/settings/" + key, R"({"value":)" + std::to_string(i) + "}");
          if (r.status == 200) {
            path = "/api/settings/" + key;
          }
        }
        if (!path.empty()) {
          const std::lock_guard lock(mu);
          acked.push_back({path, r.body});
          ++count;
        }
      }
    });
  }
  const bool enough = eventually([&] { return count.load() >= 60; }, 60s, 5ms);
  server->kill9();  // with requests still in flight
  stop = true;
  for (auto& t : writers) {
    t.join();
  }
  ASSERT_TRUE(enough) << "the burst did not get 60 acknowledgements";
  std::vector<Ack> acknowledged;
  {
    const std::lock_guard lock(mu);
    acknowledged = acked;
  }

  // Durable before acknowledged: the log has every acknowledged write, right now.
  for (const auto& a : acknowledged) {
    const auto stream =
        a.path.rfind("/api/roles/", 0) == 0 ? "role-" + a.path.substr(11) : "setting-" + a.path.substr(14);
    EXPECT_GE(stream_event_count(url(), stream), 1) << a.path << " was acknowledged but is not in the log";
  }

  auto restarted = start_serve(url());
  ASSERT_NE(restarted, nullptr);
  for (const auto& a : acknowledged) {
    HttpResult r;
    EXPECT_TRUE(eventually(
        [&] {
          r = call(restarted->port(), "GET", a.path);
          return r.status == 200;
        },
        20s))
        << a.path << " was acknowledged but is not readable after the restart: " << r.status;
    EXPECT_EQ(r.body, a.body) << a.path;
  }
  // The read models agree with the log once the republished history is applied.
  EXPECT_TRUE(eventually(
      [&] {
        return query_int(url(), "SELECT count(*) FROM rm_roles") ==
                   query_int(url(), "SELECT count(*) FROM streams WHERE stream_type = 'role'") &&
               query_int(url(), "SELECT count(*) FROM rm_settings") ==
                   query_int(url(), "SELECT count(*) FROM streams WHERE stream_type = 'setting'") &&
               query_int(url(),
                         "SELECT count(*) FROM rm_roles r JOIN streams s ON s.stream_id = 'role-' || r.id "
                         "WHERE s.version <> r.version") == 0;
      },
      20s))
      << "read models and log disagree after the restart";
  // And the new embedded cluster carries every committed event.
  const auto log = whole_log(url());
  expect_topics_mirror_log(read_topics(restarted->kafka_bootstrap(), log), log);
  EXPECT_EQ(restarted->stop(), 0) << restarted->log();
}

}  // namespace
}  // namespace lf::e2e
