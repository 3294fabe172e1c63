#pragma once
// Helpers of the annotator and audit-trail suites: a suite fixture with one server, webhook
// secrets rotated into the log (as the container saga will do), and the annotator topic read
// back with a real Kafka consumer.
#include <set>

#include <librdkafka/rdkafkacpp.h>

#include "adapters/auth/webhook_secrets.hpp"
#include "adapters/postgres/event_store.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {

// One `labelfleet serve` for a whole suite, on its own database, and annotator helpers:
// `class X : public AnnotatorSuite<X>`.
template <class Suite>
class AnnotatorSuite : public ServedSuite<Suite> {
 protected:
  using ServedSuite<Suite>::post;
  using ServedSuite<Suite>::url;

  static std::int64_t create_role(const std::string& name) {
    const auto r = post("/api/roles", R"({"name":)" + json_quote(name) + R"(,"color":"#3B82F6"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return int_member(parse_json(r.body), "id").value_or(0);
  }

  // Creates an annotator; its id, or 0 (and a test failure).
  static std::int64_t create_annotator(const std::string& name, const std::string& email,
                                       const std::string& more = "") {
    const auto r =
        post("/api/annotators", R"({"name":)" + json_quote(name) + R"(,"email":)" + json_quote(email) + more + "}");
    EXPECT_EQ(r.status, 201) << name << ": " << r.body;
    return int_member(parse_json(r.body), "id").value_or(0);
  }

  // Issues a fresh webhook secret for the annotator straight into the log, the way the
  // container saga will when it starts the instance; returns it in clear.
  static std::string rotate_secret(std::int64_t annotator_id) {
    adapters::pg::PgEventStore store(url());
    adapters::auth::EventSourcedWebhookSecrets secrets(store);
    return secrets.issue(annotator_id);
  }

  static std::int64_t annotator_rows() { return query_int(url(), "SELECT count(*) FROM rm_annotators"); }
};

struct TopicMessage {
  std::optional<std::string> key;
  std::string value;
  std::int64_t sequence = -1;  // ce_sequence: the event's log position
};

// Reads `topic` from the beginning of its 4 partitions until every position in `positions`
// was seen (or the timeout); every message read, including others.
inline std::vector<TopicMessage> read_topic(const std::string& bootstrap, const std::string& topic,
                                            std::set<std::int64_t> positions,
                                            std::chrono::seconds timeout = std::chrono::seconds(60)) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "labelfleet-e2e-annotators-" + unique_suffix(), err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) {
    ADD_FAILURE() << "cannot create a Kafka consumer: " << err;
    return {};
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  assignment.reserve(4);
  for (int p = 0; p < 4; ++p) {
    assignment.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  const auto assigned = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  EXPECT_EQ(assigned, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(assigned);
  std::vector<TopicMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!positions.empty() && std::chrono::steady_clock::now() < deadline) {
    const std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      continue;
    }
    TopicMessage msg;
    if (m->key_pointer() != nullptr) {
      msg.key = std::string(static_cast<const char*>(m->key_pointer()), m->key_len());
    }
    if (m->payload() != nullptr) {
      msg.value = std::string(static_cast<const char*>(m->payload()), m->len());
    }
    if (auto* headers = m->headers(); headers != nullptr) {
      for (const auto& h : headers->get_all()) {
        if (h.key() == "ce_sequence" && h.value() != nullptr) {
          msg.sequence = std::stoll(std::string(static_cast<const char*>(h.value()), h.value_size()));
        }
      }
    }
    positions.erase(msg.sequence);
    out.push_back(std::move(msg));
  }
  EXPECT_TRUE(positions.empty()) << positions.size() << " events never appeared on " << topic;
  consumer->close();
  return out;
}

// The positions of every event of `stream_type` in the log.
inline std::set<std::int64_t> positions_of(const std::string& url, const std::string& stream_type) {
  std::set<std::int64_t> out;
  for (const auto& row : query_rows(url, "SELECT position FROM events WHERE stream_type = " + sql_text(stream_type))) {
    out.insert(std::stoll(row[0]));
  }
  return out;
}

}  // namespace lf::e2e
