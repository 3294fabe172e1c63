#pragma once
// The EventStore the command handlers use: reads streams from a StreamCache while a command is
// being decided, and makes sure no answer rests on a stale entry (docs/adr/0013).
//
// A command runs as an attempt (run_command). Within it, a stream the cache holds is served
// from memory and remembered with its version. Before the answer goes out, every such stream
// is confirmed against the log:
// - an append confirms them in its own transaction: they ride along as StreamGuards (the
//   command's own stream already carries its expected version), so a stale one fails the append
//   with version_conflict;
// - an answer with no append (nothing changes, or the command is refused) confirms them with
//   one read of their versions afterwards.
// When a check fails because of a version this process never committed (another api process
// moved the stream), the cached entry is dropped and the command runs once more with every
// read from the store. A conflict with a commit of this process stays a 409, as it would be
// without the cache: two commands raced for the same version.
#include <future>
#include <string>
#include <vector>

#include "adapters/app/stream_cache.hpp"
#include "adapters/metrics/metrics.hpp"
#include "domain/ports/event_store.hpp"

namespace lf::adapters::app {

class CachingEventStore;

// One attempt at a command, on the thread that decides it (handlers run synchronously on an
// HTTP worker thread). Nested attempts are not expected; the innermost wins.
class DecisionScope {
 public:
  enum class Reads { cached, fresh };
  DecisionScope(CachingEventStore& store, Reads reads);
  ~DecisionScope();
  DecisionScope(const DecisionScope&) = delete;
  DecisionScope& operator=(const DecisionScope&) = delete;
  DecisionScope(DecisionScope&&) = delete;
  DecisionScope& operator=(DecisionScope&&) = delete;

  static DecisionScope* current();
  // Whether the attempt's answer may go out: false when it must be run again with fresh reads.
  bool settled();

 private:
  friend class CachingEventStore;
  struct Served {
    std::string stream_id;
    std::int64_t version = 0;
    std::uint64_t ticket = 0;  // the cache's commit sequence when it was served
  };
  bool serves_from_cache() const { return reads_ == Reads::cached && !append_attempted_; }

  CachingEventStore& store_;
  Reads reads_;
  DecisionScope* outer_;
  std::vector<Served> served_;
  bool append_attempted_ = false;
  bool stale_ = false;
};

class CachingEventStore final : public ports::EventStore {
 public:
  CachingEventStore(ports::EventStore& inner, StreamCache& cache, metrics::Metrics* metrics = nullptr);

  // Runs `attempt` (a command handler) with cached reads; runs it again with reads from the
  // store when its answer rests on a stale entry. Nothing was appended by a discarded attempt.
  template <class Attempt>
  auto run_command(Attempt attempt) -> decltype(attempt()) {
    {
      DecisionScope scope(*this, DecisionScope::Reads::cached);
      auto answer = attempt();
      if (scope.settled()) {
        return answer;
      }
    }
    const DecisionScope fresh(*this, DecisionScope::Reads::fresh);
    return attempt();
  }

  // Within an attempt that served streams from the cache, the append adds them as guards; the
  // attempt learns the outcome when it reads the returned future, on its own thread, which it
  // must do before it answers.
  std::future<ports::AppendResult> append(ports::AppendRequest request) override;
  std::vector<domain::RecordedEvent> read_stream(const std::string& stream_id) override;
  std::vector<domain::RecordedEvent> read_all(std::int64_t after, std::size_t limit) override;
  std::optional<ports::IdempotencyRecord> find_command(const std::string& key) override;
  ports::StreamInfo stream_info(const std::string& stream_id) override;
  std::optional<std::string> claim_holder(const std::string& scope, const std::string& value) override;
  std::int64_t head_position() override;

  StreamCache& cache() { return cache_; }

 private:
  friend class DecisionScope;
  std::vector<domain::RecordedEvent> read_through(const std::string& stream_id);

  ports::EventStore& inner_;
  StreamCache& cache_;
  metrics::Metrics* metrics_;
};

}  // namespace lf::adapters::app
