#pragma once
// The embedded Kafka of development machines and tests: librdkafka's mock cluster, started
// in-process. It is a real Kafka-protocol listener on 127.0.0.1 (random port), so kcat and
// clients in other processes can use it too. It keeps everything in memory (and only the
// last ~5 MiB per partition): the relay republishes the log from Postgres after a start.
#include <expected>
#include <string>

// librdkafka's C handle types, so that users of this header need not see rdkafka.h.
struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace lf::adapters::kafka {

class EmbeddedCluster {
 public:
  // Starts `brokers` mock brokers. Throws std::runtime_error when librdkafka cannot.
  explicit EmbeddedCluster(int brokers = 1);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;
  EmbeddedCluster(EmbeddedCluster&&) = delete;
  EmbeddedCluster& operator=(EmbeddedCluster&&) = delete;

  // "127.0.0.1:<port>[,…]": the bootstrap.servers value for any client.
  const std::string& bootstraps() const noexcept { return bootstraps_; }

  // Creates `name` with `partitions` partitions (replication factor 1). This is the only way
  // to choose a partition count here: the mock broker does not answer CreateTopics, and
  // topics it auto-creates get its default of 4. A topic that already exists is success.
  std::expected<void, std::string> create_topic(const std::string& name, int partitions);

  // The librdkafka mock cluster, for fault injection in tests (rdkafka_mock.h:
  // rd_kafka_mock_push_request_errors, rd_kafka_mock_broker_set_down, …).
  rd_kafka_mock_cluster_s* mock() const noexcept { return cluster_; }

 private:
  rd_kafka_s* handle_ = nullptr;  // the client instance the mock cluster is attached to
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
};

}  // namespace lf::adapters::kafka
