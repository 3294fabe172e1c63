#include "adapters/kafka/client_support.hpp"

#include <cstdlib>
#include <stdexcept>

#include "adapters/common/log.hpp"

namespace lf::adapters::kafka {
namespace {

// syslog severities, as librdkafka uses them (0 emerg … 7 debug).
log::Level level_for(int severity) {
  if (severity <= 3) {
    return log::Level::error;
  }
  if (severity == 4) {
    return log::Level::warn;
  }
  if (severity <= 6) {
    return log::Level::info;
  }
  return log::Level::debug;
}

void c_log_cb(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  log::write(log_level(level, facility, message), "librdkafka",
             {{"client", rk != nullptr ? rd_kafka_name(rk) : ""}, {"facility", facility}, {"detail", message}});
}

// What make_conf throws when librdkafka refuses a setting.
std::runtime_error refused(const std::string& name, const std::string& value, const std::string& errstr) {
  return std::runtime_error("librdkafka refused " + name + "=" + value + ": " + errstr);
}

}  // namespace

// The relay sets enable.gapless.guarantee on purpose (docs/adr/0003), and librdkafka warns at
// every producer creation that the property is experimental: nothing an operator can act on.
log::Level log_level(int severity, const std::string& facility, const std::string& message) {
  if (facility == "CONFWARN" && message.find("enable.gapless.guarantee is experimental") != std::string::npos) {
    return log::Level::info;
  }
  return level_for(severity);
}

std::unique_ptr<RdKafka::Conf> make_conf(const Settings& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  for (const auto& [name, value] : settings) {
    if (conf->set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
      throw refused(name, value, errstr);
    }
  }
  if (const char* debug = std::getenv("LABELFLEET_KAFKA_DEBUG"); debug != nullptr && *debug != '\0') {
    if (conf->set("debug", debug, errstr) != RdKafka::Conf::CONF_OK) {
      throw refused("LABELFLEET_KAFKA_DEBUG", debug, errstr);
    }
  }
  return conf;
}

void LogBridge::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_LOG:
      log::write(log_level(static_cast<int>(event.severity()), event.fac(), event.str()), "librdkafka",
                 {{"client", client_}, {"facility", event.fac()}, {"detail", event.str()}});
      break;
    case RdKafka::Event::EVENT_ERROR:
      log::write(event.fatal() ? log::Level::error : log::Level::warn, "kafka client error",
                 {{"client", client_},
                  {"code", describe(event.err())},
                  {"detail", event.str()},
                  {"fatal", event.fatal() ? "true" : "false", true}});
      break;
    case RdKafka::Event::EVENT_THROTTLE:
      log::write(log::Level::debug, "kafka broker throttled us",
                 {{"client", client_}, {"broker", event.broker_name()}, log::num("ms", event.throttle_time())});
      break;
    default: break;
  }
}

void bridge_c_logs(rd_kafka_conf_t* conf) { rd_kafka_conf_set_log_cb(conf, c_log_cb); }

std::string describe(RdKafka::ErrorCode code) { return RdKafka::err2str(code) + " (" + std::to_string(code) + ")"; }

std::string describe(rd_kafka_resp_err_t code) {
  return std::string(rd_kafka_err2str(code)) + " (" + std::to_string(static_cast<int>(code)) + ")";
}

}  // namespace lf::adapters::kafka
