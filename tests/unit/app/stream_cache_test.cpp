// The stream cache on its own: what it keeps from commit reports and from folds, what it drops,
// and what it says about commits made after a read started.
#include "adapters/app/stream_cache.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::app {
namespace {

domain::RecordedEvent event(const std::string& stream, std::int64_t version, std::int64_t position) {
  domain::RecordedEvent e;
  e.position = position;
  e.event_id = "id-" + std::to_string(position);
  e.stream_id = stream;
  e.stream_type = "role";
  e.stream_version = version;
  e.type = version == 1 ? "role.created" : "role.updated";
  e.data_json = R"({"v":)" + std::to_string(version) + "}";
  e.recorded_at = "2026-11-23T10:00:00.000Z";
  return e;
}

std::vector<std::int64_t> versions(const StreamCache::Events& events) {
  std::vector<std::int64_t> out;
  if (events) {
    for (const auto& e : *events) {
      out.push_back(e.stream_version);
    }
  }
  return out;
}

using V = std::vector<std::int64_t>;

TEST(StreamCache, AStreamCommittedFromItsFirstEventIsHeldAndExtendedInOrder) {
  StreamCache cache(10);
  cache.committed({event("role-1", 1, 1), event("role-2", 1, 2)});
  cache.committed({event("role-1", 2, 3)});
  cache.committed({event("role-1", 3, 4), event("role-1", 4, 5)});
  EXPECT_EQ(versions(cache.find("role-1")), (V{1, 2, 3, 4}));
  EXPECT_EQ(versions(cache.find("role-2")), (V{1}));
  EXPECT_EQ(cache.find("role-1")->back().event_id, "id-5");
}

TEST(StreamCache, ALaterCommitOfAStreamNotHeldDoesNotStartIt) {
  StreamCache cache(10);
  cache.committed({event("role-1", 5, 9)});
  EXPECT_EQ(cache.find("role-1"), nullptr);
}

TEST(StreamCache, AMissingVersionDropsTheStream) {
  StreamCache cache(10);
  cache.committed({event("role-1", 1, 1)});
  cache.committed({event("role-1", 3, 7)});  // version 2 was committed elsewhere
  EXPECT_EQ(cache.find("role-1"), nullptr);
}

TEST(StreamCache, AnEventWithoutItsTimeDropsTheStream) {
  StreamCache cache(10);
  cache.committed({event("role-1", 1, 1)});
  auto second = event("role-1", 2, 2);
  second.recorded_at.clear();
  cache.committed({second});
  EXPECT_EQ(cache.find("role-1"), nullptr);
}

TEST(StreamCache, AFoldIsKeptUnlessThisProcessCommittedToTheStreamAfterTheReadBegan) {
  StreamCache cache(10);
  const auto before = cache.ticket();
  cache.offer("role-1", {event("role-1", 1, 1), event("role-1", 2, 2)}, before);
  EXPECT_EQ(versions(cache.find("role-1")), (V{1, 2}));

  const auto read_started = cache.ticket();
  cache.committed({event("role-2", 1, 3)});  // another stream: no matter
  cache.committed({event("role-3", 1, 4)});
  cache.offer("role-4", {event("role-4", 1, 5)}, read_started);
  EXPECT_EQ(versions(cache.find("role-4")), (V{1}));

  const auto stale_read = cache.ticket();
  cache.committed({event("role-5", 1, 6)});
  cache.forget("role-5");
  cache.committed({event("role-5", 2, 7)});                    // not held, so not started: only remembered
  cache.offer("role-5", {event("role-5", 1, 6)}, stale_read);  // the read may predate version 2
  EXPECT_EQ(cache.find("role-5"), nullptr);
}

TEST(StreamCache, AnOlderFoldDoesNotReplaceANewerEntry) {
  StreamCache cache(10);
  cache.committed({event("role-1", 1, 1)});
  cache.committed({event("role-1", 2, 2)});
  cache.offer("role-1", {event("role-1", 1, 1)}, cache.ticket());
  EXPECT_EQ(versions(cache.find("role-1")), (V{1, 2}));
  cache.offer("role-1", {event("role-1", 1, 1), event("role-1", 2, 2), event("role-1", 3, 8)}, cache.ticket());
  EXPECT_EQ(versions(cache.find("role-1")), (V{1, 2, 3}));
}

TEST(StreamCache, EmptyStreamsAreNotKept) {
  StreamCache cache(10);
  cache.offer("role-1", {}, cache.ticket());
  EXPECT_EQ(cache.find("role-1"), nullptr);
  EXPECT_EQ(cache.size(), 0U);
}

TEST(StreamCache, CommittedSinceTellsCommitsAfterATicket) {
  StreamCache cache(10);
  const auto t0 = cache.ticket();
  EXPECT_FALSE(cache.committed_since("role-1", t0));
  cache.committed({event("role-1", 1, 1)});
  EXPECT_TRUE(cache.committed_since("role-1", t0));
  const auto t1 = cache.ticket();
  EXPECT_FALSE(cache.committed_since("role-1", t1));
  cache.committed({event("role-2", 1, 2)});
  EXPECT_FALSE(cache.committed_since("role-1", t1));
}

TEST(StreamCache, TheLeastRecentlyUsedStreamGoesFirst) {
  StreamCache cache(2);
  cache.committed({event("role-1", 1, 1)});
  cache.committed({event("role-2", 1, 2)});
  ASSERT_NE(cache.find("role-1"), nullptr);  // role-1 is now the most recently used
  cache.committed({event("role-3", 1, 3)});
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_NE(cache.find("role-1"), nullptr);
  EXPECT_EQ(cache.find("role-2"), nullptr);
  EXPECT_NE(cache.find("role-3"), nullptr);
}

TEST(StreamCache, TheEventBudgetEvictsTheLeastRecentlyUsedStreams) {
  StreamCache cache(100, 5);
  cache.offer("role-1", {event("role-1", 1, 1), event("role-1", 2, 2)}, cache.ticket());
  cache.offer("role-2", {event("role-2", 1, 3), event("role-2", 2, 4)}, cache.ticket());
  EXPECT_EQ(cache.events_held(), 4U);
  ASSERT_NE(cache.find("role-1"), nullptr);  // role-2 is now the least recently used
  cache.committed({event("role-1", 3, 5), event("role-1", 4, 6)});
  EXPECT_EQ(cache.find("role-2"), nullptr);
  EXPECT_EQ(versions(cache.find("role-1")), (V{1, 2, 3, 4}));
  EXPECT_EQ(cache.events_held(), 4U);
}

TEST(StreamCache, AStreamLongerThanTheEventBudgetIsNotKept) {
  StreamCache cache(100, 3);
  cache.offer("role-1", {event("role-1", 1, 1), event("role-1", 2, 2), event("role-1", 3, 3)}, cache.ticket());
  ASSERT_NE(cache.find("role-1"), nullptr);
  cache.committed({event("role-1", 4, 4)});  // grows past the budget: dropped
  EXPECT_EQ(cache.find("role-1"), nullptr);
  EXPECT_EQ(cache.events_held(), 0U);
  cache.offer("role-2", {event("role-2", 1, 5), event("role-2", 2, 6), event("role-2", 3, 7), event("role-2", 4, 8)},
              cache.ticket());
  EXPECT_EQ(cache.find("role-2"), nullptr);
}

TEST(StreamCache, CapacityZeroKeepsNothingButStillTracksCommits) {
  StreamCache cache(0);
  const auto t0 = cache.ticket();
  cache.committed({event("role-1", 1, 1)});
  cache.offer("role-2", {event("role-2", 1, 2)}, cache.ticket());
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_TRUE(cache.committed_since("role-1", t0));
}

TEST(StreamCache, AnEntryHandedOutStaysAsItWasWhenTheStreamMovesOn) {
  StreamCache cache(10);
  cache.committed({event("role-1", 1, 1)});
  const auto held = cache.find("role-1");
  cache.committed({event("role-1", 2, 2)});
  EXPECT_EQ(versions(held), (V{1}));
  EXPECT_EQ(versions(cache.find("role-1")), (V{1, 2}));
}

}  // namespace
}  // namespace lf::adapters::app
