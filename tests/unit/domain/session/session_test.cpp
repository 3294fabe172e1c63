// Session decider: refresh rotation and token-family reuse detection.
#include "domain/session/session.hpp"

#include <gtest/gtest.h>

namespace lf::domain::session {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

const SessionStarted kStarted{"s1", 7, "h1", 1000};

TEST(SessionDecider, RefreshWithTheCurrentTokenRotates) {
  const auto r = decide(RefreshSession{"h1", "h2", 2000, 500}, given({kStarted}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(refresh_granted(*r));
  EXPECT_EQ(std::get<SessionRefreshed>(r->front()).refresh_token_hash, "h2");
}

TEST(SessionDecider, ReusingARotatedTokenRevokesTheFamily) {
  const auto s = given({kStarted, SessionRefreshed{"s1", "h2", 2000}});
  const auto r = decide(RefreshSession{"h1", "h3", 3000, 600}, s);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(refresh_granted(*r));
  ASSERT_EQ(r->size(), 2U);
  EXPECT_TRUE(std::holds_alternative<RefreshReuseDetected>((*r)[0]));
  EXPECT_EQ(std::get<SessionRevoked>((*r)[1]).reason, "refresh_reuse");
  // After that even the newest token is refused.
  const auto after = given({kStarted, SessionRefreshed{"s1", "h2", 2000}, (*r)[0], (*r)[1]});
  EXPECT_EQ(decide(RefreshSession{"h2", "h4", 4000, 700}, after).error().code, Errc::unauthorized);
}

TEST(SessionDecider, UnknownExpiredOrForeignTokensAreRefused) {
  EXPECT_EQ(decide(RefreshSession{"h1", "h2", 2000, 500}, given({})).error().code, Errc::unauthorized);
  EXPECT_EQ(decide(RefreshSession{"nope", "h2", 2000, 500}, given({kStarted})).error().code, Errc::unauthorized);
  EXPECT_EQ(decide(RefreshSession{"h1", "h2", 2000, 1000}, given({kStarted})).error().code, Errc::unauthorized);
}

TEST(SessionDecider, LogoutRevokesOnceWithTheCurrentToken) {
  const auto r = decide(EndSession{"h1"}, given({kStarted}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<SessionRevoked>(r->front()).reason, "logout");
  EXPECT_EQ(decide(EndSession{"h1"}, given({kStarted, SessionRevoked{"s1", "logout"}})).error().code,
            Errc::unauthorized);
}

}  // namespace
}  // namespace lf::domain::session
