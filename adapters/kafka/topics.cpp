#include "adapters/kafka/topics.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "adapters/common/log.hpp"
#include "adapters/kafka/client_support.hpp"
#include "adapters/kafka/topology.hpp"

namespace lf::adapters::kafka {
namespace {

using Clock = std::chrono::steady_clock;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using NewTopic = std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

std::expected<Handle, std::string> admin_client(const std::string& brokers) {
  std::array<char, 512> errstr{};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  bridge_c_logs(conf);
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr.data(), errstr.size()) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "client.id", "labelfleet-topic-admin", errstr.data(), errstr.size()) !=
          RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return std::unexpected(std::string("kafka admin configuration: ") + errstr.data());
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr.data(), errstr.size());
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // only consumed on success
    return std::unexpected(std::string("kafka admin client: ") + errstr.data());
  }
  return Handle(rk);
}

// Sends CreateTopics for every topic and waits for the answer.
std::expected<void, std::string> create_topics(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                               int replication_factor, Clock::time_point deadline,
                                               const std::stop_token& stop) {
  std::array<char, 512> errstr{};
  std::vector<NewTopic> owned;
  std::vector<rd_kafka_NewTopic_t*> raw;
  for (const auto& name : topics) {
    NewTopic t(rd_kafka_NewTopic_new(name.c_str(), kPartitions, replication_factor, errstr.data(), errstr.size()));
    if (!t) {
      return std::unexpected("invalid topic specification for " + name + ": " + errstr.data());
    }
    const auto max_message = std::to_string(kMaxMessageBytes);
    if (rd_kafka_NewTopic_set_config(t.get(), "max.message.bytes", max_message.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::unexpected("invalid topic configuration for " + name);
    }
    raw.push_back(t.get());
    owned.push_back(std::move(t));
  }

  std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int budget = std::max(remaining_ms(deadline), 1);
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), budget, errstr.data(), errstr.size()) != 0 ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), budget, errstr.data(), errstr.size()) != 0) {
    return std::unexpected(std::string("kafka admin options: ") + errstr.data());
  }

  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, raw.data(), raw.size(), options.get(), queue.get());

  // Wait in short slices so a stop request is honoured promptly.
  std::unique_ptr<rd_kafka_event_t, EventDeleter> event;
  while (!event) {
    if (stop.stop_requested()) {
      return std::unexpected("stopped while creating topics");
    }
    const int left = remaining_ms(deadline);
    if (left == 0) {
      return std::unexpected("no answer to CreateTopics in time (does the broker support it?)");
    }
    event.reset(rd_kafka_queue_poll(queue.get(), std::min(left, 100)));
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected("CreateTopics failed: " + describe(err) + ": " + rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  if (result == nullptr) {
    return std::unexpected("unexpected answer to CreateTopics");
  }
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  std::string failures;
  for (std::size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    const char* name = rd_kafka_topic_result_name(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::info("kafka topic created", {{"topic", name}, log::num("partitions", kPartitions)});
    } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* detail = rd_kafka_topic_result_error_string(results[i]);
      failures += std::string(failures.empty() ? "" : "; ") + name + ": " + describe(err) +
                  (detail != nullptr ? std::string(": ") + detail : std::string());
    }
  }
  if (!failures.empty()) {
    return std::unexpected("cannot create topics: " + failures);
  }
  return {};
}

// Every topic must have exactly kPartitions partitions, or partition_for() lies.
std::expected<void, std::string> check_partitions(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                                  Clock::time_point deadline) {
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, std::max(remaining_ms(deadline), 1));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected("cannot read topic metadata: " + describe(err));
  }
  const std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);
  std::string problems;
  for (const auto& name : topics) {
    const auto* begin = metadata->topics;
    const auto* end = metadata->topics + metadata->topic_cnt;
    const auto* found = std::find_if(begin, end, [&](const rd_kafka_metadata_topic& t) { return name == t.topic; });
    if (found == end || found->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      problems += (problems.empty() ? "" : "; ") + name + " is missing";
    } else if (found->partition_cnt != kPartitions) {
      problems += (problems.empty() ? "" : "; ") + name + " has " + std::to_string(found->partition_cnt) +
                  " partitions, LabelFleet routes streams over " + std::to_string(kPartitions);
    }
  }
  if (!problems.empty()) {
    return std::unexpected("topic layout mismatch: " + problems);
  }
  return {};
}

}  // namespace

std::expected<void, std::string> ensure_topics(EmbeddedCluster& cluster) {
  for (const auto& topic : all_topics()) {
    if (auto created = cluster.create_topic(topic, kPartitions); !created) {
      return created;
    }
  }
  return {};
}

std::expected<void, std::string> ensure_topics(const std::string& brokers, std::chrono::milliseconds timeout,
                                               const std::stop_token& stop, int replication_factor) {
  const auto deadline = Clock::now() + timeout;
  auto admin = admin_client(brokers);
  if (!admin) {
    return std::unexpected(admin.error());
  }
  const auto topics = all_topics();
  if (auto created = create_topics(admin->get(), topics, replication_factor, deadline, stop); !created) {
    return created;
  }
  return check_partitions(admin->get(), topics, deadline);
}

}  // namespace lf::adapters::kafka
