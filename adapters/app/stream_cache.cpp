#include "adapters/app/stream_cache.hpp"

#include <functional>

namespace lf::adapters::app {

StreamCache::StreamCache(std::size_t capacity, std::size_t max_events)
    : capacity_(max_events == 0 ? 0 : capacity),
      max_events_(max_events),
      last_commit_(std::make_unique<std::array<std::uint64_t, kSlots>>()) {
  last_commit_->fill(0);
}

std::size_t StreamCache::slot_of(const std::string& stream_id) { return std::hash<std::string>{}(stream_id) % kSlots; }

std::uint64_t StreamCache::ticket() const {
  const std::lock_guard lock(mu_);
  return sequence_;
}

StreamCache::Events StreamCache::find(const std::string& stream_id) {
  const std::lock_guard lock(mu_);
  const auto it = entries_.find(stream_id);
  if (it == entries_.end()) {
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.events;
}

void StreamCache::offer(const std::string& stream_id, std::vector<domain::RecordedEvent> events, std::uint64_t ticket) {
  if (events.empty() || capacity_ == 0) {
    return;
  }
  const std::lock_guard lock(mu_);
  if ((*last_commit_)[slot_of(stream_id)] > ticket) {
    return;
  }
  const auto it = entries_.find(stream_id);
  if (it != entries_.end() && version_of(*it->second.events) >= version_of(events)) {
    return;
  }
  put(stream_id, std::make_shared<std::vector<domain::RecordedEvent>>(std::move(events)));
}

void StreamCache::committed(const std::vector<domain::RecordedEvent>& events) {
  const std::lock_guard lock(mu_);
  ++sequence_;
  for (const auto& e : events) {
    (*last_commit_)[slot_of(e.stream_id)] = sequence_;
    if (capacity_ == 0) {
      continue;
    }
    if (e.recorded_at.empty()) {
      erase(e.stream_id);  // the store could not say how the log renders this event
      continue;
    }
    const auto it = entries_.find(e.stream_id);
    if (it == entries_.end()) {
      if (e.stream_version == 1) {
        put(e.stream_id, std::make_shared<std::vector<domain::RecordedEvent>>(1, e));
      }
      continue;
    }
    const auto held = version_of(*it->second.events);
    if (held >= e.stream_version) {
      continue;  // a fold read after this commit got there first
    }
    if (held != e.stream_version - 1) {
      erase(e.stream_id);  // versions from elsewhere are missing
      continue;
    }
    // Extending in place is safe while this entry is the only owner: a reader gets its copy of
    // the pointer from find(), under mu_, which this thread holds.
    if (it->second.events.use_count() > 1) {
      it->second.events = std::make_shared<std::vector<domain::RecordedEvent>>(*it->second.events);
    }
    it->second.events->push_back(e);
    ++events_held_;
    trim();
  }
}

bool StreamCache::committed_since(const std::string& stream_id, std::uint64_t ticket) const {
  const std::lock_guard lock(mu_);
  return (*last_commit_)[slot_of(stream_id)] > ticket;
}

void StreamCache::forget(const std::string& stream_id) {
  const std::lock_guard lock(mu_);
  erase(stream_id);
}

std::size_t StreamCache::size() const {
  const std::lock_guard lock(mu_);
  return entries_.size();
}

std::size_t StreamCache::events_held() const {
  const std::lock_guard lock(mu_);
  return events_held_;
}

void StreamCache::put(const std::string& stream_id, std::shared_ptr<std::vector<domain::RecordedEvent>> events) {
  if (events->size() > max_events_) {
    erase(stream_id);
    return;
  }
  const auto it = entries_.find(stream_id);
  if (it != entries_.end()) {
    events_held_ = events_held_ - it->second.events->size() + events->size();
    it->second.events = std::move(events);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  } else {
    events_held_ += events->size();
    lru_.push_front(stream_id);
    entries_.emplace(stream_id, Entry{std::move(events), lru_.begin()});
  }
  trim();
}

void StreamCache::trim() {
  while (!lru_.empty() && (entries_.size() > capacity_ || events_held_ > max_events_)) {
    const auto victim = lru_.back();  // a copy: erase() destroys the list's string
    erase(victim);
  }
}

void StreamCache::erase(const std::string& stream_id) {
  const auto it = entries_.find(stream_id);
  if (it == entries_.end()) {
    return;
  }
  events_held_ -= it->second.events->size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace lf::adapters::app
