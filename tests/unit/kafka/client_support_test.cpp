// How librdkafka's log lines are levelled in ours.
#include "adapters/kafka/client_support.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::kafka {
namespace {

TEST(KafkaLogLevel, SyslogSeveritiesMapOntoOurLevels) {
  EXPECT_EQ(log_level(3, "FAIL", "broker down"), log::Level::error);
  EXPECT_EQ(log_level(4, "CONFWARN", "Configuration property linger.ms is deprecated"), log::Level::warn);
  EXPECT_EQ(log_level(6, "INIT", "started"), log::Level::info);
  EXPECT_EQ(log_level(7, "PROTOCOL", "sent"), log::Level::debug);
}

TEST(KafkaLogLevel, TheGaplessWarningTheRelayAsksForIsInfo) {
  EXPECT_EQ(log_level(4, "CONFWARN",
                      "[thrd:app]: Configuration property enable.gapless.guarantee is experimental: When set to "
                      "`true`, any error that could result in a gap ..."),
            log::Level::info);
  EXPECT_EQ(log_level(4, "OTHER", "enable.gapless.guarantee is experimental"), log::Level::warn);
}

}  // namespace
}  // namespace lf::adapters::kafka
