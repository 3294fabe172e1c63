#pragma once
// A fixed-size pool of libpqxx connections (a connection holds one transaction at a time and
// is not thread-safe, so each thread leases its own). Broken connections are replaced lazily.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace lf::adapters::pg {

class ConnectionPool {
 public:
  ConnectionPool(std::string url, std::size_t size);

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  // Waits for a free connection and connects it if needed; throws pqxx::broken_connection
  // when the database cannot be reached.
  Lease acquire();
  const std::string& url() const { return url_; }

 private:
  void give_back(std::unique_ptr<pqxx::connection> conn);

  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t free_slots_;
};

// Opens one connection with a short connect timeout (libpq's connect_timeout is otherwise
// unbounded), so a stopped database answers quickly.
std::unique_ptr<pqxx::connection> connect(const std::string& url);

}  // namespace lf::adapters::pg
