#include "adapters/kafka/local_feed.hpp"

#include "adapters/kafka/topology.hpp"

namespace lf::adapters::kafka {

void LocalFeed::offer(std::span<const domain::RecordedEvent> events) {
  {
    const std::lock_guard lock(mu_);
    for (const auto& event : events) {
      if (event.position >= next_) {  // else offered before
        push(event);
      }
    }
  }
  offered_.notify_one();
}

void LocalFeed::offer_committed(std::span<const domain::RecordedEvent> events) {
  {
    const std::lock_guard lock(mu_);
    for (const auto& event : events) {
      if (event.position < next_) {
        continue;
      }
      if (event.position != next_ || event.recorded_at.empty()) {
        break;
      }
      push(event);
    }
  }
  offered_.notify_one();
}

void LocalFeed::push(const domain::RecordedEvent& event) {
  if (event.position != next_) {
    last_.clear();  // a hole: what came between is unknown here
    from_start_ = false;
  }
  FedEvent fed{event, topic_for(event.stream_type), partition_for(event.stream_id), -1};
  auto& last = last_[{fed.topic, fed.partition}];
  if (last > 0) {
    fed.predecessor = last;
  } else if (from_start_) {
    fed.predecessor = 0;
  }
  last = event.position;
  next_ = event.position + 1;
  if (queue_.size() == kMaxQueued) {
    queue_.pop_front();
  }
  queue_.push_back(std::move(fed));
}

std::vector<FedEvent> LocalFeed::take(std::size_t max, std::chrono::milliseconds timeout, const std::stop_token& stop) {
  std::unique_lock lock(mu_);
  offered_.wait_for(lock, stop, timeout, [&] { return !queue_.empty(); });
  std::vector<FedEvent> out;
  while (!queue_.empty() && out.size() < max) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

}  // namespace lf::adapters::kafka
