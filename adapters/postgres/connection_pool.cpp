#include "adapters/postgres/connection_pool.hpp"

namespace lf::adapters::pg {

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  std::string u = url;
  if (u.find("connect_timeout") == std::string::npos) {
    u += (u.find('?') == std::string::npos ? "?" : "&");
    u += "connect_timeout=3";
  }
  return std::make_unique<pqxx::connection>(u);
}

ConnectionPool::ConnectionPool(std::string url, std::size_t size) : url_(std::move(url)), free_slots_(size) {}

ConnectionPool::Lease::~Lease() {
  if (conn_) {
    pool_->give_back(std::move(conn_));
  }
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_slots_ > 0; });
    --free_slots_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  try {
    if (!conn || !conn->is_open()) {
      conn = connect(url_);
    }
  } catch (...) {
    const std::lock_guard lock(mu_);
    ++free_slots_;
    cv_.notify_one();
    throw;
  }
  return Lease(this, std::move(conn));
}

void ConnectionPool::give_back(std::unique_ptr<pqxx::connection> conn) {
  const std::lock_guard lock(mu_);
  if (conn->is_open()) {
    idle_.push_back(std::move(conn));
  }
  ++free_slots_;
  cv_.notify_one();
}

}  // namespace lf::adapters::pg
