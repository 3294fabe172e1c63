#pragma once
// An in-process, thread-safe rate limiter: at most `limit` hits per key in any `window`.
//
// Algorithm: a sliding-window log. Each key keeps the times of its allowed hits that are still
// inside the window (at most `limit` of them). A hit is allowed when fewer than `limit` remain,
// so "10 per minute" means exactly that for every 60-second interval, with no burst of 2x at a
// fixed-window boundary, and the wait until a slot frees (the oldest hit leaving the window) is
// known exactly. Refused hits are not recorded: a client hammering a refused key gets in again as
// soon as its old hits age out, instead of locking itself out forever. Memory is bounded by
// max_keys x limit timestamps (8 bytes each): 100,000 keys at 10 per minute is about 8 MB.
//
// Bounded key table: keys whose hits have all left the window are idle and are swept out
// periodically. When the table is full as a new key arrives, the idle keys go first; if that frees
// too little, the least recently active keys are evicted too (their counts are forgotten). The alternatives are worse:
// refusing new keys would let a flood of distinct keys lock every real user out, and growing without limit would let it
// exhaust memory. The cost is that a flood of more than max_keys distinct keys within one window can reset a victim
// key's count; size max_keys well above the keys active per window.
//
// Tables of 512 keys or more are split into up to 16 shards, each with its own mutex and its share
// of max_keys, so hits on different keys rarely contend.
//
// Limits hold per process: see docs/adr/0006-rate-limits.md for several api processes.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace lf::adapters::auth {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kDefaultMaxKeys = 100'000;

  struct Decision {
    bool allowed;
    std::size_t limit;  // for X-RateLimit-Limit
    // For X-RateLimit-Remaining. hit(): the hits left after this one. peek(): the hits left now.
    std::size_t remaining;
    // When refused: whole seconds (rounded up, at least 1) until the oldest hit leaves the window
    // and a hit would be allowed again; for Retry-After. Zero when allowed.
    std::chrono::seconds retry_after;
  };

  // Throws std::invalid_argument unless limit >= 1, window >= 1 s and max_keys >= 1.
  RateLimiter(std::size_t limit, std::chrono::seconds window, std::size_t max_keys = kDefaultMaxKeys);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;
  RateLimiter(RateLimiter&&) = delete;
  RateLimiter& operator=(RateLimiter&&) = delete;

  // Records a hit for `key` if one is allowed now, and says whether it was. `now` is a parameter so
  // that tests can move time; callers pass nothing. A `now` earlier than the key's latest hit (two
  // threads that read the clock in one order and lock in the other) counts as that latest hit.
  Decision hit(const std::string& key, Clock::time_point now = Clock::now());
  // What hit() would decide, without recording anything.
  [[nodiscard]] Decision peek(const std::string& key, Clock::time_point now = Clock::now()) const;
  // Forgets `key` (e.g. an operator unlocking an account).
  void reset(const std::string& key);

  // Removes every idle key; returns how many. hit() also does this on its own, per shard every
  // max(1024, keys left by the shard's last sweep) hits, so that sweeping costs O(1) per hit on average.
  std::size_t evict_idle(Clock::time_point now = Clock::now());
  // Keys currently held, idle ones included (never more than max_keys).
  [[nodiscard]] std::size_t tracked_keys() const;

  [[nodiscard]] std::size_t limit() const { return limit_; }
  [[nodiscard]] std::chrono::seconds window() const { return window_; }

 private:
  struct Shard;

  [[nodiscard]] std::size_t shard_index(const std::string& key) const;

  std::size_t limit_;
  std::chrono::seconds window_;
  std::size_t max_keys_per_shard_;
  std::vector<Shard> shards_;
};

}  // namespace lf::adapters::auth
