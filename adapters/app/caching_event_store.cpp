#include "adapters/app/caching_event_store.hpp"

#include <algorithm>
#include <set>

namespace lf::adapters::app {
namespace {

thread_local DecisionScope* t_scope = nullptr;

}  // namespace

// ---- DecisionScope

DecisionScope::DecisionScope(CachingEventStore& store, Reads reads) : store_(store), reads_(reads), outer_(t_scope) {
  t_scope = this;
}

DecisionScope::~DecisionScope() { t_scope = outer_; }

DecisionScope* DecisionScope::current() { return t_scope; }

bool DecisionScope::settled() {
  if (stale_) {
    if (store_.metrics_ != nullptr) {
      store_.metrics_->stream_cache_rerun("conflict");
    }
    return false;
  }
  // An append that was tried answered for every stream served before it: it carried them as
  // guards (accepted: they were current; refused other than by a version conflict: the store
  // checks versions first, so they were current too). An append whose outcome is unknown
  // (unavailable) must not be tried again.
  if (append_attempted_) {
    return true;
  }
  for (const auto& s : served_) {
    if (store_.inner_.stream_info(s.stream_id).version != s.version) {
      for (const auto& each : served_) {
        store_.cache_.forget(each.stream_id);
      }
      if (store_.metrics_ != nullptr) {
        store_.metrics_->stream_cache_rerun("confirm");
      }
      return false;
    }
  }
  return true;
}

// ---- CachingEventStore

CachingEventStore::CachingEventStore(ports::EventStore& inner, StreamCache& cache, metrics::Metrics* metrics)
    : inner_(inner), cache_(cache), metrics_(metrics) {}

std::vector<domain::RecordedEvent> CachingEventStore::read_through(const std::string& stream_id) {
  const auto ticket = cache_.ticket();
  auto events = inner_.read_stream(stream_id);
  cache_.offer(stream_id, events, ticket);
  return events;
}

std::vector<domain::RecordedEvent> CachingEventStore::read_stream(const std::string& stream_id) {
  auto* scope = DecisionScope::current();
  if (scope == nullptr || &scope->store_ != this) {
    return read_through(stream_id);
  }
  if (scope->serves_from_cache()) {
    const auto ticket = cache_.ticket();
    if (const auto hit = cache_.find(stream_id)) {
      scope->served_.push_back({stream_id, version_of(*hit), ticket});
      if (metrics_ != nullptr) {
        metrics_->stream_cache_read(true);
      }
      return *hit;
    }
  }
  if (metrics_ != nullptr) {
    metrics_->stream_cache_read(false);
  }
  return read_through(stream_id);
}

std::future<ports::AppendResult> CachingEventStore::append(ports::AppendRequest request) {
  auto* scope = DecisionScope::current();
  if (scope == nullptr || &scope->store_ != this) {
    return inner_.append(std::move(request));
  }
  const bool served_any = !scope->served_.empty();
  if (served_any) {
    std::set<std::string> written{request.stream_id};
    for (const auto& m : request.more) {
      written.insert(m.stream_id);
    }
    for (const auto& s : scope->served_) {
      if (!written.contains(s.stream_id)) {
        request.guards.push_back({s.stream_id, s.version});
      }
    }
  }
  // Read where the caller reads the answer (a deferred future runs on the caller's thread, in
  // its DecisionScope): the caller may first wait on something the request's on_outcome
  // chained to the commit, and then finds the answer ready instead of waking up for it.
  return std::async(
      std::launch::deferred, [this, scope, served_any, pending = inner_.append(std::move(request))]() mutable {
        auto result = pending.get();
        scope->append_attempted_ = true;
        if (result) {
          scope->served_.clear();  // confirmed by the append's transaction
        } else if (served_any && result.error().code == ports::AppendErrc::version_conflict) {
          // A version this process committed after serving explains the conflict: a real race, the
          // same 409 as without the cache. Otherwise the entry may be stale: drop it, run again.
          const bool explained = std::all_of(scope->served_.begin(), scope->served_.end(), [this](const auto& s) {
            return cache_.committed_since(s.stream_id, s.ticket);
          });
          if (!explained) {
            scope->stale_ = true;
            for (const auto& s : scope->served_) {
              cache_.forget(s.stream_id);
            }
          }
        }
        return result;
      });
}

std::vector<domain::RecordedEvent> CachingEventStore::read_all(std::int64_t after, std::size_t limit) {
  return inner_.read_all(after, limit);
}

std::optional<ports::IdempotencyRecord> CachingEventStore::find_command(const std::string& key) {
  return inner_.find_command(key);
}

ports::StreamInfo CachingEventStore::stream_info(const std::string& stream_id) { return inner_.stream_info(stream_id); }

std::optional<std::string> CachingEventStore::claim_holder(const std::string& scope, const std::string& value) {
  return inner_.claim_holder(scope, value);
}

std::int64_t CachingEventStore::head_position() { return inner_.head_position(); }

}  // namespace lf::adapters::app
