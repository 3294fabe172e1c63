#pragma once
// A fresh, migrated database per test, created in the throw-away cluster that `make test`
// starts (LABELFLEET_TEST_DATABASE_URL), dropped afterwards.
#include <cstdlib>
#include <string>

namespace lf::testing {

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  static bool available() { return std::getenv("LABELFLEET_TEST_DATABASE_URL") != nullptr; }
  static std::string admin_url();

 private:
  std::string name_;
  std::string url_;
};

// With libpq URIs a later dbname parameter overrides the path, so this works for any base URL.
std::string with_database(const std::string& url, const std::string& db);

}  // namespace lf::testing

#define LF_REQUIRE_DATABASE()                                                        \
  do {                                                                               \
    if (!::lf::testing::TestDatabase::available()) {                                 \
      GTEST_SKIP() << "LABELFLEET_TEST_DATABASE_URL is not set (make test sets it)"; \
    }                                                                                \
  } while (0)
