#include "tests/support/test_db.hpp"

#include <atomic>
#include <random>

#include <pqxx/pqxx>
#include <unistd.h>

#include "adapters/postgres/migrations.hpp"

namespace lf::testing {

std::string with_database(const std::string& url, const std::string& db) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + db;
}

std::string TestDatabase::admin_url() {
  const char* url = std::getenv("LABELFLEET_TEST_DATABASE_URL");
  return url != nullptr ? url : "";
}

TestDatabase::TestDatabase() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ =
      "lf_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
  {
    pqxx::connection admin(admin_url());
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name_);
  }
  url_ = with_database(admin_url(), name_);
  adapters::pg::migrate(url_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_url());
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // Best effort: the whole cluster is thrown away after the run.
  }
}

}  // namespace lf::testing
