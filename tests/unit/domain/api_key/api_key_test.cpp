// API key decider.
#include "domain/api_key/api_key.hpp"

#include <gtest/gtest.h>

namespace lf::domain::api_key {
namespace {

TEST(ApiKeyDecider, CreateThenRevokeOnce) {
  const auto created = decide(CreateApiKey{4, " ci ", Role::viewer, "hash", "lfk_4_ab", 1}, State{});
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(std::get<ApiKeyCreated>(created->front()).name, "ci");
  auto s = evolve(State{}, created->front());
  const auto revoked = decide(RevokeApiKey{1}, s);
  ASSERT_TRUE(revoked.has_value());
  s = evolve(s, revoked->front());
  EXPECT_TRUE(s.revoked);
  EXPECT_EQ(decide(RevokeApiKey{1}, s).error().code, Errc::not_found);
}

TEST(ApiKeyDecider, NameIsRequired) {
  const auto r = decide(CreateApiKey{4, "  ", Role::viewer, "hash", "p", 1}, State{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().details[0].path, "name");
}

}  // namespace
}  // namespace lf::domain::api_key
