#include "adapters/auth/rate_limiter.hpp"

#include <algorithm>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace lf::adapters::auth {
namespace {

using TimePoint = RateLimiter::Clock::time_point;

// Sharding only pays with many keys; small tables (and the tests' exact eviction order) keep one.
constexpr std::size_t kMaxShards = 16;
constexpr std::size_t kMinKeysPerShard = 256;
// A shard sweeps its idle keys every max(kSweepEvery, keys left by its last sweep) hits.
constexpr std::size_t kSweepEvery = 1024;
// A full shard frees at least 1/kEvictDivisor of its room (at least one key) at once; see make_room.
constexpr std::size_t kEvictDivisor = 8;

// The times of one key's allowed hits, oldest first, in a ring buffer that grows up to `limit`
// entries. Entries at or before the cutoff (now - window) are stale: they no longer count.
class HitLog {
 public:
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] TimePoint at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
  [[nodiscard]] TimePoint newest() const { return at(count_ - 1); }

  // How many entries at the front are stale; they are sorted, so the live ones follow.
  [[nodiscard]] std::size_t stale(TimePoint cutoff) const {
    std::size_t n = 0;
    while (n < count_ && at(n) <= cutoff) {
      ++n;
    }
    return n;
  }

  void drop_stale(TimePoint cutoff) {
    const std::size_t n = stale(cutoff);
    head_ = count_ == n ? 0 : (head_ + n) % ring_.size();
    count_ -= n;
  }

  // Appends `t`, which must not be older than newest(); the caller keeps size() < limit.
  void push(TimePoint t, std::size_t limit) {
    if (count_ < ring_.size()) {
      ring_[(head_ + count_) % ring_.size()] = t;
    } else {
      // Full ring: straighten it so that the oldest entry is first, then grow at the end.
      std::rotate(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(head_), ring_.end());
      head_ = 0;
      if (ring_.size() == ring_.capacity()) {
        ring_.reserve(std::min(limit, std::max<std::size_t>(4, ring_.size() * 2)));
      }
      ring_.push_back(t);
    }
    ++count_;
  }

 private:
  std::vector<TimePoint> ring_;
  std::size_t head_ = 0;   // index of the oldest entry
  std::size_t count_ = 0;  // entries in use; never 0 for a log held in a shard
};

// Between 1 and kMaxShards shards of at least kMinKeysPerShard keys each, so that the per-shard
// limits add up to no more than max_keys.
std::size_t shard_count(std::size_t max_keys) {
  return std::clamp<std::size_t>(max_keys / kMinKeysPerShard, 1, kMaxShards);
}

std::chrono::seconds seconds_until(TimePoint when, TimePoint now) {
  return std::max(std::chrono::seconds{1}, std::chrono::ceil<std::chrono::seconds>(when - now));
}

}  // namespace

struct RateLimiter::Shard {
  mutable std::mutex mutex;
  std::unordered_map<std::string, HitLog> logs;
  // Hits left before the next periodic sweep: max(kSweepEvery, keys left by the last sweep). A sweep
  // costs O(keys), and the keys at a sweep are at most those left by the last one plus the hits since,
  // so this makes the sweep O(1) per hit on average. (Counting against the current key count
  // instead would never fire while every hit brings a new key.)
  std::size_t hits_until_sweep = kSweepEvery;

  // A key is idle when its newest hit has left the window.
  std::size_t sweep(TimePoint cutoff) {
    const std::size_t removed =
        std::erase_if(logs, [cutoff](const auto& entry) { return entry.second.newest() <= cutoff; });
    hits_until_sweep = std::max(kSweepEvery, logs.size());
    return removed;
  }

  // Makes room in a full shard: sweeps the idle keys, then, if that freed less than an eighth of
  // the shard, evicts the least recently active keys until it has. Freeing a batch means a flood of
  // new keys pays the O(keys) scan once per max_keys / 8 insertions, not on every one.
  void make_room(TimePoint cutoff, std::size_t max_keys) {
    sweep(cutoff);
    const std::size_t keep = max_keys - std::max<std::size_t>(1, max_keys / kEvictDivisor);
    if (logs.size() <= keep) {
      return;
    }
    std::vector<std::pair<TimePoint, const std::string*>> by_activity;
    by_activity.reserve(logs.size());
    for (const auto& [key, log] : logs) {
      by_activity.emplace_back(log.newest(), &key);
    }
    const auto last = by_activity.begin() + static_cast<std::ptrdiff_t>(logs.size() - keep);
    std::nth_element(by_activity.begin(), last - 1, by_activity.end());
    std::vector<std::string> victims;
    victims.reserve(logs.size() - keep);
    std::for_each(by_activity.begin(), last, [&victims](const auto& entry) { victims.push_back(*entry.second); });
    for (const auto& key : victims) {
      logs.erase(key);
    }
  }
};

RateLimiter::RateLimiter(std::size_t limit, std::chrono::seconds window, std::size_t max_keys)
    : limit_(limit),
      window_(window),
      max_keys_per_shard_(max_keys / shard_count(max_keys)),
      shards_(shard_count(max_keys)) {
  if (limit < 1 || window < std::chrono::seconds{1} || max_keys < 1) {
    throw std::invalid_argument("RateLimiter: limit, window and max_keys must be positive");
  }
}

RateLimiter::~RateLimiter() = default;

std::size_t RateLimiter::shard_index(const std::string& key) const {
  return std::hash<std::string>{}(key) % shards_.size();
}

RateLimiter::Decision RateLimiter::hit(const std::string& key, Clock::time_point now) {
  Shard& shard = shards_[shard_index(key)];
  const TimePoint cutoff = now - window_;
  const std::scoped_lock lock(shard.mutex);

  if (--shard.hits_until_sweep == 0) {
    shard.sweep(cutoff);
  }
  auto it = shard.logs.find(key);
  if (it == shard.logs.end()) {
    if (shard.logs.size() >= max_keys_per_shard_) {
      shard.make_room(cutoff, max_keys_per_shard_);
    }
    it = shard.logs.try_emplace(key).first;
  }
  HitLog& log = it->second;
  log.drop_stale(cutoff);
  if (log.size() >= limit_) {
    return {false, limit_, 0, seconds_until(log.at(0) + window_, now)};
  }
  // Keep the log sorted even if another thread's later clock reading got the lock first.
  log.push(log.size() == 0 ? now : std::max(now, log.newest()), limit_);
  return {true, limit_, limit_ - log.size(), std::chrono::seconds{0}};
}

RateLimiter::Decision RateLimiter::peek(const std::string& key, Clock::time_point now) const {
  const Shard& shard = shards_[shard_index(key)];
  const TimePoint cutoff = now - window_;
  const std::scoped_lock lock(shard.mutex);

  const auto it = shard.logs.find(key);
  if (it == shard.logs.end()) {
    return {true, limit_, limit_, std::chrono::seconds{0}};
  }
  const HitLog& log = it->second;
  const std::size_t stale = log.stale(cutoff);
  const std::size_t live = log.size() - stale;
  if (live >= limit_) {
    return {false, limit_, 0, seconds_until(log.at(stale) + window_, now)};
  }
  return {true, limit_, limit_ - live, std::chrono::seconds{0}};
}

void RateLimiter::reset(const std::string& key) {
  Shard& shard = shards_[shard_index(key)];
  const std::scoped_lock lock(shard.mutex);
  shard.logs.erase(key);
}

std::size_t RateLimiter::evict_idle(Clock::time_point now) {
  std::size_t evicted = 0;
  for (Shard& shard : shards_) {
    const std::scoped_lock lock(shard.mutex);
    evicted += shard.sweep(now - window_);
  }
  return evicted;
}

std::size_t RateLimiter::tracked_keys() const {
  std::size_t keys = 0;
  for (const Shard& shard : shards_) {
    const std::scoped_lock lock(shard.mutex);
    keys += shard.logs.size();
  }
  return keys;
}

}  // namespace lf::adapters::auth
