// Totals kept elsewhere (a projector runtime's) become Prometheus counters at scrape time.
#include "adapters/metrics/metrics.hpp"

#include <string>

#include <gtest/gtest.h>

namespace lf::adapters::metrics {
namespace {

std::string line_of(const std::string& text, const std::string& start) {
  const auto at = text.find(start);
  if (at == std::string::npos) {
    return "";
  }
  return text.substr(at, text.find('\n', at) - at);
}

TEST(Metrics, ProjectorTotalsReportedAtEachScrapeMoveTheirCounters) {
  Metrics metrics;
  std::uint64_t applied = 5;
  int scrapes = 0;
  metrics.on_scrape([&](Metrics& m) {
    ++scrapes;
    m.projector_events("feed", "applied", applied);
  });
  const std::string series = R"(labelfleet_projector_events_total{outcome="applied",path="feed"})";
  EXPECT_EQ(line_of(metrics.render(), series), series + " 5");
  applied = 12;
  EXPECT_EQ(line_of(metrics.render(), series), series + " 12");
  applied = 3;  // a total never goes back; a counter must not either
  EXPECT_EQ(line_of(metrics.render(), series), series + " 12");
  EXPECT_EQ(scrapes, 3);
}

}  // namespace
}  // namespace lf::adapters::metrics
