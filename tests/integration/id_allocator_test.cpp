// Ids for new aggregates from the Postgres sequences, taken in blocks under load.
#include "adapters/postgres/id_allocator.hpp"

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/postgres/connection_pool.hpp"
#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using adapters::pg::PgIdAllocator;

std::int64_t sequence_last_value(const std::string& url, const std::string& sequence) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + sequence)[0][0].as<std::int64_t>();
}

class IdAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
    pool_ = std::make_unique<adapters::pg::ConnectionPool>(db_->url(), 4);
    ids_ = std::make_unique<PgIdAllocator>(*pool_);
  }
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<adapters::pg::ConnectionPool> pool_;
  std::unique_ptr<PgIdAllocator> ids_;
};

TEST_F(IdAllocatorTest, AQuietAllocatorReservesNothingAhead) {
  EXPECT_EQ(ids_->next("role"), 1);
  // One creation takes one id: nothing is burnt when the process stops now.
  EXPECT_EQ(sequence_last_value(db_->url(), "role_ids"), 1);
  EXPECT_EQ(ids_->next("setting"), 1);  // each type has its own sequence
}

TEST_F(IdAllocatorTest, ConcurrentCreationsGetUniqueAscendingIdsAndLeaveLessThanABlockUnused) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 250;
  std::vector<std::vector<std::int64_t>> got(kThreads);
  {
    std::vector<std::jthread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          got[t].push_back(ids_->next("workflow"));
        }
      });
    }
  }
  std::set<std::int64_t> all;
  for (const auto& ids : got) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1);
  // Only the block in hand is unused (fewer than kMaxBlock ids), whatever the block sizes were.
  const auto reserved = sequence_last_value(db_->url(), "workflow_ids");
  EXPECT_GE(reserved, kThreads * kPerThread);
  EXPECT_LT(reserved, std::int64_t{kThreads} * kPerThread + static_cast<std::int64_t>(PgIdAllocator::kMaxBlock));
}

TEST_F(IdAllocatorTest, UnknownStreamTypesAreRefused) {
  EXPECT_THROW(ids_->next("role_ids'); DROP TABLE events; --"), std::invalid_argument);
}

}  // namespace
}  // namespace lf
