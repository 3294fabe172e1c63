#pragma once
// What `serve`'s relay is about to publish, handed to the same process's projector, so a
// write's read model need not wait for the event's trip through Kafka (ADR 0012, second
// amendment). Kafka stays the path every event takes and the one the projector trusts: an
// event from this feed is applied only when the projection has already applied its
// predecessor in the same topic partition (checkpoint == predecessor), so it can neither jump
// ahead of an event Kafka has not delivered yet nor be applied twice.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "domain/common/event.hpp"

namespace lf::adapters::kafka {

struct FedEvent {
  domain::RecordedEvent event;
  std::string topic;
  int partition = 0;
  // The position of the previous event of the same topic partition (0: none before it), or -1
  // when the feed cannot know it (it did not see the log from the start).
  std::int64_t predecessor = -1;
};

class LocalFeed {
 public:
  // At most this many events wait; older ones are dropped (Kafka brings them), which only
  // holds back their successors until it has.
  static constexpr std::size_t kMaxQueued = 20000;

  // Called by the relay with each run of the log it is about to publish, in log order. A run
  // may repeat positions offered before (a batch published again after a failure): those are
  // ignored. A run that does not follow the last one (the relay resumed from its checkpoint)
  // makes every partition's predecessor unknown until an event of it has been offered.
  void offer(std::span<const domain::RecordedEvent> events);
  // Called with the store's commit report (`serve`), at the commit, ahead of the relay: takes
  // the events only as far as they continue what was offered, in the log's form (with their
  // time). The rest comes later through offer(), in log order (another process's commit in
  // between, a report the relay had to read from the log).
  void offer_committed(std::span<const domain::RecordedEvent> events);
  // Waits until events are offered, `timeout` passes or `stop` is requested; takes the oldest,
  // at most `max`.
  std::vector<FedEvent> take(std::size_t max, std::chrono::milliseconds timeout, const std::stop_token& stop);

 private:
  void push(const domain::RecordedEvent& event);  // mu_ held; event.position >= next_

  std::mutex mu_;
  std::condition_variable_any offered_;
  std::deque<FedEvent> queue_;
  std::int64_t next_ = 1;   // the position the next offered event should have
  bool from_start_ = true;  // every position below next_ was offered: a partition not in last_ has no events yet
  std::map<std::pair<std::string, int>, std::int64_t> last_;  // topic partition -> last position offered
};

}  // namespace lf::adapters::kafka
