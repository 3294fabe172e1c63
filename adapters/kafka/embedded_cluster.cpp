#include "adapters/kafka/embedded_cluster.hpp"

#include <array>
#include <stdexcept>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "adapters/common/log.hpp"
#include "adapters/kafka/client_support.hpp"

namespace lf::adapters::kafka {

EmbeddedCluster::EmbeddedCluster(int brokers) {
  std::array<char, 512> errstr{};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  bridge_c_logs(conf);
  // This handle only anchors the mock cluster; it never connects anywhere. Without
  // bootstrap.servers librdkafka says so at notice level: keep it to warnings and up.
  // The mock brokers' sockets take this handle's socket settings: with Nagle on, every
  // pipelined response waits for the client's delayed ACK (~45 ms per produce round trip).
  if (rd_kafka_conf_set(conf, "log_level", "4", errstr.data(), errstr.size()) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "client.id", "labelfleet-embedded-kafka", errstr.data(), errstr.size()) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "socket.nagle.disable", "true", errstr.data(), errstr.size()) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("embedded kafka: bad configuration: ") + errstr.data());
  }
  // rd_kafka_new takes ownership of conf only on success.
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr.data(), errstr.size());
  if (handle_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("embedded kafka: cannot create the anchor client: ") + errstr.data());
  }
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (cluster_ == nullptr) {
    rd_kafka_destroy(handle_);
    throw std::runtime_error("embedded kafka: cannot start the mock cluster");
  }
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  log::info("embedded kafka started", {{"bootstraps", bootstraps_}, log::num("brokers", brokers)});
}

EmbeddedCluster::~EmbeddedCluster() {
  // The cluster first: it uses the handle for its bookkeeping.
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

std::expected<void, std::string> EmbeddedCluster::create_topic(const std::string& name, int partitions) {
  const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return std::unexpected("cannot create topic " + name + " on the embedded cluster: " + describe(err));
  }
  return {};
}

}  // namespace lf::adapters::kafka
