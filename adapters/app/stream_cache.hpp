#pragma once
// The events of recently used streams, kept in memory so a command can decide without reading
// its stream back from PostgreSQL (docs/adr/0013). Only a hint: every answer that rests on a
// stream served from here is checked against the log before it goes out (DecisionScope), so a
// stale entry costs a second attempt, never a wrong answer.
//
// Entries come from two places: folds read from the store (offer) and the store's report of
// what this process committed (committed), delivered in commit order before the committing
// callers are answered. A stream this process writes therefore stays exact without reading it
// again; one written by another process goes stale until a check finds it out.
#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/common/event.hpp"

namespace lf::adapters::app {

class StreamCache {
 public:
  using Events = std::shared_ptr<const std::vector<domain::RecordedEvent>>;

  // Keeps at most `capacity` streams holding at most `max_events` events in all (least recently
  // used go first; a stream longer than max_events alone is not kept). 0 keeps none.
  explicit StreamCache(std::size_t capacity, std::size_t max_events = kDefaultMaxEvents);
  static constexpr std::size_t kDefaultMaxEvents = 200000;

  // A point in this process's commit sequence: take one before reading a stream from the store.
  std::uint64_t ticket() const;
  // The stream's events when held (most recently used first out of the LRU order); null otherwise.
  Events find(const std::string& stream_id);
  // A stream as read from the store after `ticket` was taken. Dropped when this process
  // committed to the stream since (the read may predate that commit) or when the cache already
  // holds a later version. Empty streams are not kept.
  void offer(const std::string& stream_id, std::vector<domain::RecordedEvent> events, std::uint64_t ticket);
  // Events this process committed, in commit order (one batch of the store). Extends held
  // streams; starts streams whose first event is among them; drops a held stream that does not
  // line up (a version from elsewhere is missing) or whose event came without its time.
  void committed(const std::vector<domain::RecordedEvent>& events);
  // Whether this process committed to the stream after `ticket` was taken. May say yes for a
  // stream it did not commit to (streams share slots), never no for one it did.
  bool committed_since(const std::string& stream_id, std::uint64_t ticket) const;
  void forget(const std::string& stream_id);
  std::size_t size() const;
  std::size_t events_held() const;

 private:
  struct Entry {
    // Extended in place while nobody else holds it; copied first when a reader does (what
    // find() handed out never changes).
    std::shared_ptr<std::vector<domain::RecordedEvent>> events;
    std::list<std::string>::iterator lru;
  };
  static std::size_t slot_of(const std::string& stream_id);
  void put(const std::string& stream_id, std::shared_ptr<std::vector<domain::RecordedEvent>> events);  // holds mu_
  void erase(const std::string& stream_id);  // caller holds mu_
  void trim();                               // caller holds mu_

  std::size_t capacity_;
  std::size_t max_events_;
  std::size_t events_held_ = 0;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front: most recently used
  std::uint64_t sequence_ = 0;  // bumped by every committed() call
  // Per slot, the sequence of the last commit to a stream hashed there.
  static constexpr std::size_t kSlots = 65536;
  std::unique_ptr<std::array<std::uint64_t, kSlots>> last_commit_;
};

// The version a stream's events bring it to (0 for none).
inline std::int64_t version_of(const std::vector<domain::RecordedEvent>& events) {
  return events.empty() ? 0 : events.back().stream_version;
}

}  // namespace lf::adapters::app
