#include "adapters/http/connection_timeouts.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::http {
namespace {

using std::chrono::milliseconds;

const ConnectionTimeouts kLimits{milliseconds(3000), milliseconds(2000), milliseconds(1000)};

TEST(OnTimeout, AConnectionWithoutARequestIsClosedSilentlyAfterTheIdleLimit) {
  EXPECT_EQ(on_timeout(ConnectionWait::request_start, milliseconds(3000), kLimits), TimeoutAction::none);
  EXPECT_EQ(on_timeout(ConnectionWait::request_start, milliseconds(3001), kLimits), TimeoutAction::close);
}

TEST(OnTimeout, ARequestStillComingAfterTheRequestLimitIsAnswered408) {
  EXPECT_EQ(on_timeout(ConnectionWait::request_rest, milliseconds(2000), kLimits), TimeoutAction::none);
  EXPECT_EQ(on_timeout(ConnectionWait::request_rest, milliseconds(2001), kLimits), TimeoutAction::answer_timeout);
}

TEST(OnTimeout, AClientThatKeepsAnEndedConnectionOpenIsCutOffAfterTheLinger) {
  EXPECT_EQ(on_timeout(ConnectionWait::client_close, milliseconds(1000), kLimits), TimeoutAction::none);
  EXPECT_EQ(on_timeout(ConnectionWait::client_close, milliseconds(1001), kLimits), TimeoutAction::close);
}

TEST(OnTimeout, AnAnswerTheClientDoesNotReadInTheRequestLimitEndsItsConnection) {
  EXPECT_EQ(on_timeout(ConnectionWait::answer_out, milliseconds(2000), kLimits), TimeoutAction::none);
  EXPECT_EQ(on_timeout(ConnectionWait::answer_out, milliseconds(2001), kLimits), TimeoutAction::close);
}

TEST(OnTimeout, AConnectionWaitingForOurAnswerIsNeverEndedByAClock) {
  EXPECT_EQ(on_timeout(ConnectionWait::answer, milliseconds(3'600'000), kLimits), TimeoutAction::none);
}

TEST(SweepPeriod, IsAQuarterOfTheShortestLimitWithin50MsAnd1S) {
  EXPECT_EQ(sweep_period(kLimits), milliseconds(250));
  EXPECT_EQ(sweep_period(ConnectionTimeouts{}), milliseconds(1000));
  EXPECT_EQ(sweep_period({milliseconds(100), milliseconds(100), milliseconds(100)}), milliseconds(50));
}

}  // namespace
}  // namespace lf::adapters::http
