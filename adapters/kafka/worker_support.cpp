#include "adapters/kafka/worker_support.hpp"

#include <condition_variable>
#include <mutex>

#include <pqxx/pqxx>

#include "adapters/common/log.hpp"
#include "adapters/common/thread_name.hpp"

namespace lf::adapters::kafka {

std::jthread start_worker(const char* thread_name, std::string what, std::function<void(const std::stop_token&)> body) {
  return std::jthread([thread_name, what = std::move(what), body = std::move(body)](const std::stop_token& stop) {
    name_this_thread(thread_name);
    try {
      body(stop);
    } catch (const std::exception& e) {
      log::error(what + " ended by an unexpected error", {{"error", e.what()}});
    } catch (...) {
      log::error(what + " ended by an unknown exception");
    }
  });
}

void sleep_unless_stopped(const std::stop_token& stop, std::chrono::milliseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

bool is_connection_loss(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return true;
  }
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  // SQLSTATE class 08: connection exception; 57P01..57P03: admin shutdown, crash shutdown,
  // cannot connect now.
  return sql != nullptr && (sql->sqlstate().starts_with("08") || sql->sqlstate().starts_with("57P"));
}

}  // namespace lf::adapters::kafka
