#include "adapters/kafka/embedded_cluster.hpp"

#include <array>
#include <chrono>
#include <stdexcept>
#include <stop_token>
#include <thread>

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/common/log.hpp"
#include "adapters/kafka/client_support.hpp"
#include "adapters/kafka/worker_support.hpp"

namespace lf::adapters::kafka {
namespace {

// Opens and closes a TCP connection to the mock broker's listener, which wakes its thread.
void knock(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API's own cast
  (void)::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::close(fd);
}

// Runs `op` (a call that librdkafka hands to the mock cluster's thread and waits for) while
// knocking on the listener every few milliseconds until it returns.
// Why: librdkafka 2.0.2's mock thread can miss the wake-up of an op queued just after it
// served the previous one (it drains the wake-up pipe after serving the queue), and then
// sleeps out its 1 s poll timeout first. Creating the topics one after the other hit that
// on some starts, up to 4 s of a `serve` start (seen with strace and gdb: the main thread
// waiting in rd_kafka_mock_topic_create, the mock thread in its 1000 ms poll). Any readable
// socket ends the poll, and the thread serves its queue after every poll.
template <typename Op>
auto with_wake_ups(int port, Op op) {
  std::jthread knocker([port](const std::stop_token& stop) {
    for (;;) {
      sleep_unless_stopped(stop, std::chrono::milliseconds(2));
      if (stop.stop_requested()) {
        return;
      }
      knock(port);
    }
  });
  return op();  // the knocker is stopped and joined when it goes out of scope
}

int port_of(const std::string& bootstraps) {
  const auto colon = bootstraps.find(':');
  const auto end = bootstraps.find(',', colon);
  return std::stoi(bootstraps.substr(colon + 1, end == std::string::npos ? std::string::npos : end - colon - 1));
}

}  // namespace

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
  const rd_kafka_resp_err_t err = with_wake_ups(
      port_of(bootstraps_), [&] { return rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1); });
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return std::unexpected("cannot create topic " + name + " on the embedded cluster: " + describe(err));
  }
  return {};
}

}  // namespace lf::adapters::kafka
