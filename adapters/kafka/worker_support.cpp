#include "adapters/kafka/worker_support.hpp"

#include <condition_variable>
#include <mutex>

#include <pqxx/pqxx>

namespace lf::adapters::kafka {

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
