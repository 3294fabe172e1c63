#pragma once
// What every librdkafka client of this adapter shares: configuration that fails loudly, and
// librdkafka's own log lines and client errors routed into the structured log (otherwise
// librdkafka prints its own format on stderr, next to our JSON lines).
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "adapters/common/log.hpp"

namespace lf::adapters::kafka {

using Settings = std::vector<std::pair<std::string, std::string>>;

// A global-scope Conf holding `settings`. Throws std::runtime_error naming the property
// librdkafka refused (a typo in a property name is a programming error, not a runtime state).
// LABELFLEET_KAFKA_DEBUG, when set, becomes librdkafka's `debug` property (e.g. "cgrp,topic,msg")
// on every client, for diagnosing a cluster.
std::unique_ptr<RdKafka::Conf> make_conf(const Settings& settings);

// Installs a callback object (dr_cb, event_cb, rebalance_cb, …) on `conf`; throws like make_conf.
template <typename Callback>
void set_callback(RdKafka::Conf& conf, const std::string& name, Callback* callback) {
  std::string errstr;
  if (conf.set(name, callback, errstr) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("librdkafka refused " + name + ": " + errstr);
  }
}

// Event callback for C++ clients: log lines at their severity, client errors as warnings
// (most are transient: a broker going away, a reconnect), fatal errors as errors.
// Events are served from the thread calling poll()/consume()/flush() of the client.
class LogBridge final : public RdKafka::EventCb {
 public:
  explicit LogBridge(std::string client) : client_(std::move(client)) {}
  void event_cb(RdKafka::Event& event) override;

 private:
  std::string client_;
};

// The same for a C handle (mock cluster, admin client): sets log_cb on `conf`.
void bridge_c_logs(rd_kafka_conf_t* conf);

// "Local: Broker transport failure (-195)": a librdkafka error code with its name, for logs.
// The level a librdkafka log line is written at: its syslog severity, except for warnings we
// caused on purpose (the relay's enable.gapless.guarantee, written as info).
log::Level log_level(int severity, const std::string& facility, const std::string& message);

std::string describe(RdKafka::ErrorCode code);
std::string describe(rd_kafka_resp_err_t code);

}  // namespace lf::adapters::kafka
