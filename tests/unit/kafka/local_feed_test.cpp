// The local feed hands `serve`'s projector what the relay is about to publish, each event with
// its predecessor in its topic partition: the projector applies it only after that one.
#include "adapters/kafka/local_feed.hpp"

#include <map>
#include <numeric>
#include <stop_token>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/kafka/topology.hpp"

namespace lf::adapters::kafka {
namespace {

using namespace std::chrono_literals;

// Events at positions [from, to], their streams spread over the partitions.
std::vector<domain::RecordedEvent> log_range(std::int64_t from, std::int64_t to) {
  std::vector<domain::RecordedEvent> out;
  for (auto position = from; position <= to; ++position) {
    domain::RecordedEvent e;
    e.position = position;
    e.stream_type = position % 3 == 0 ? "setting" : "role";
    e.stream_id = e.stream_type + "-" + std::to_string(position % 7);
    e.recorded_at = "2026-12-07T10:00:00.000Z";
    out.push_back(e);
  }
  return out;
}

std::vector<FedEvent> take_all(LocalFeed& feed) {
  const std::stop_source never;
  return feed.take(1000000, 0ms, never.get_token());
}

// What each event's predecessor must be: the previous position of its topic partition in
// `log`, 0 for the first.
std::map<std::int64_t, std::int64_t> predecessors_in(const std::vector<domain::RecordedEvent>& log) {
  std::map<std::pair<std::string, int>, std::int64_t> last;
  std::map<std::int64_t, std::int64_t> out;
  for (const auto& e : log) {
    auto& previous = last[{topic_for(e.stream_type), partition_for(e.stream_id)}];
    out[e.position] = previous;
    previous = e.position;
  }
  return out;
}

TEST(LocalFeed, GivenTheLogFromTheStartEachEventNamesThePreviousOneOfItsPartition) {
  const auto log = log_range(1, 60);
  LocalFeed feed;
  feed.offer(std::span(log).first(25));
  feed.offer(std::span(log).subspan(25));
  const auto fed = take_all(feed);
  ASSERT_EQ(fed.size(), log.size());
  const auto expected = predecessors_in(log);
  for (std::size_t i = 0; i < fed.size(); ++i) {
    SCOPED_TRACE("position " + std::to_string(fed[i].event.position));
    EXPECT_EQ(fed[i].event.position, log[i].position);
    EXPECT_EQ(fed[i].topic, topic_for(log[i].stream_type));
    EXPECT_EQ(fed[i].partition, partition_for(log[i].stream_id));
    EXPECT_EQ(fed[i].predecessor, expected.at(fed[i].event.position));
  }
}

TEST(LocalFeed, WhenARunComesAgainAfterAFailedDeliveryItsKnownPositionsAreNotFedTwice) {
  const auto log = log_range(1, 30);
  LocalFeed feed;
  feed.offer(std::span(log).first(20));
  feed.offer(std::span(log).subspan(10));  // 11..30: 11..20 again
  const auto fed = take_all(feed);
  ASSERT_EQ(fed.size(), 30U);
  const auto expected = predecessors_in(log);
  for (const auto& f : fed) {
    EXPECT_EQ(f.predecessor, expected.at(f.event.position)) << f.event.position;
  }
}

TEST(LocalFeed, AfterAHoleAPartitionsPredecessorIsUnknownUntilItsNextEvent) {
  const auto log = log_range(1, 40);
  LocalFeed feed;
  feed.offer(std::span(log).first(10));    // 1..10
  feed.offer(std::span(log).subspan(20));  // 21..40: 11..20 never offered
  const auto fed = take_all(feed);
  ASSERT_EQ(fed.size(), 30U);
  const auto expected = predecessors_in(log);
  std::map<std::pair<std::string, int>, bool> seen_after_hole;
  for (const auto& f : fed) {
    SCOPED_TRACE("position " + std::to_string(f.event.position));
    if (f.event.position <= 10) {
      EXPECT_EQ(f.predecessor, expected.at(f.event.position));
    } else if (!seen_after_hole[{f.topic, f.partition}]) {
      EXPECT_EQ(f.predecessor, -1) << "its predecessor may be in the hole";
      seen_after_hole[{f.topic, f.partition}] = true;
    } else {
      EXPECT_EQ(f.predecessor, expected.at(f.event.position));
    }
  }
}

TEST(LocalFeed, AFeedThatStartsMidLogKnowsNoPredecessorUntilAPartitionsFirstEvent) {
  const auto log = log_range(1, 30);
  LocalFeed feed;
  feed.offer(std::span(log).subspan(15));  // a relay resuming from its checkpoint at 15
  const auto fed = take_all(feed);
  ASSERT_EQ(fed.size(), 15U);
  std::map<std::pair<std::string, int>, int> seen;
  for (const auto& f : fed) {
    if (seen[{f.topic, f.partition}]++ == 0) {
      EXPECT_EQ(f.predecessor, -1) << f.event.position;
    } else {
      EXPECT_GT(f.predecessor, 15) << f.event.position;
    }
  }
}

TEST(LocalFeed, AFullQueueDropsItsOldestEventsAndKeepsThePredecessorsOfTheRest) {
  const auto log = log_range(1, static_cast<std::int64_t>(LocalFeed::kMaxQueued) + 5);
  LocalFeed feed;
  feed.offer(log);
  const auto fed = take_all(feed);
  ASSERT_EQ(fed.size(), LocalFeed::kMaxQueued);
  EXPECT_EQ(fed.front().event.position, 6);
  // The dropped ones are still the predecessors: their successors wait for Kafka to bring them.
  const auto expected = predecessors_in(log);
  EXPECT_EQ(fed.front().predecessor, expected.at(6));
  EXPECT_EQ(fed.back().predecessor, expected.at(fed.back().event.position));
}

TEST(LocalFeed, ACommitReportIsTakenOnlyWhereItContinuesWhatWasOfferedAndNeverMakesAHole) {
  const auto log = log_range(1, 30);
  LocalFeed feed;
  feed.offer(std::span(log).first(10));                 // 1..10 from the relay
  feed.offer_committed(std::span(log).subspan(10, 5));  // 11..15 at their commit: they follow
  feed.offer_committed(std::span(log).subspan(19, 3));  // 20..22: 16..19 (another process) not yet
  feed.offer(std::span(log).first(25));                 // the relay, in log order: 16..25 are new
  auto report = std::span(log).subspan(25);             // 26..30, the 28th not in the log's form
  std::vector<domain::RecordedEvent> without_time(report.begin(), report.end());
  without_time[2].recorded_at.clear();
  feed.offer_committed(without_time);  // 26, 27 only

  const auto fed = take_all(feed);
  std::vector<std::int64_t> positions;
  positions.reserve(fed.size());
  for (const auto& f : fed) {
    positions.push_back(f.event.position);
  }
  std::vector<std::int64_t> expected_positions(27);
  std::iota(expected_positions.begin(), expected_positions.end(), 1);
  EXPECT_EQ(positions, expected_positions) << "each once, in log order";
  const auto expected = predecessors_in(log);
  for (const auto& f : fed) {
    EXPECT_EQ(f.predecessor, expected.at(f.event.position))
        << "no hole: every predecessor known, position " << f.event.position;
  }
}

TEST(LocalFeed, TakeWaitsForAnOfferAndEndsOnStop) {
  LocalFeed feed;
  std::stop_source stop;
  stop.request_stop();
  EXPECT_TRUE(feed.take(10, 10s, stop.get_token()).empty()) << "a stop request ends the wait at once";
  const std::stop_source never;
  EXPECT_TRUE(feed.take(10, 10ms, never.get_token()).empty());
  const auto log = log_range(1, 3);
  feed.offer(log);
  EXPECT_EQ(feed.take(2, 10s, never.get_token()).size(), 2U) << "at most max";
  EXPECT_EQ(feed.take(2, 10s, never.get_token()).size(), 1U);
}

}  // namespace
}  // namespace lf::adapters::kafka
