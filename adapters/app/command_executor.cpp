#include "adapters/app/command_executor.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <stdexcept>

#include <rapidjson/document.h>

#include "adapters/common/countdown.hpp"
#include "adapters/common/log.hpp"
#include "adapters/json/json_util.hpp"
#include "adapters/json/schema_registry.hpp"
#include "adapters/kafka/topology.hpp"

namespace lf::adapters::app {

// A command still waiting for the store's answer after this long is logged (once).
constexpr auto kSlowAppend = std::chrono::seconds(10);

CommandExecutor::CommandExecutor(ports::EventStore& store, projection::ProgressBoard& board, metrics::Metrics& metrics,
                                 std::chrono::milliseconds consistency_timeout)
    : store_(store), board_(board), metrics_(metrics), consistency_timeout_(consistency_timeout) {}

std::optional<std::expected<Outcome, ports::AppendError>> CommandExecutor::replay(const CommandContext& ctx) {
  if (!ctx.idempotency_key) {
    return std::nullopt;
  }
  const auto record = store_.find_command(*ctx.idempotency_key);
  if (!record) {
    return std::nullopt;
  }
  if (record->fingerprint != ctx.fingerprint) {
    return std::unexpected(ports::AppendError{ports::AppendErrc::idempotency_mismatch, ""});
  }
  return Outcome{record->result, true};
}

std::expected<Outcome, ports::AppendError> CommandExecutor::execute(Decision decision, const CommandContext& ctx) {
  const bool any_events = !decision.events.empty() || std::any_of(decision.more.begin(), decision.more.end(),
                                                                  [](const auto& m) { return !m.events.empty(); });
  if (!any_events) {
    return Outcome{decision.success, false};  // nothing changes, nothing to record
  }
  // Every event leaving the domain must match its published schema: a mismatch is a bug in
  // this build, not the caller's fault, so it is exceptional (500) and nothing is appended.
  const auto& registry = json::SchemaRegistry::instance();
  std::vector<const domain::NewEvent*> all_events;
  all_events.reserve(decision.events.size() + decision.more.size());
  for (const auto& e : decision.events) {
    all_events.push_back(&e);
  }
  for (const auto& m : decision.more) {
    for (const auto& e : m.events) {
      all_events.push_back(&e);
    }
  }
  for (const auto* ep : all_events) {
    const auto& e = *ep;
    const auto schema = "events/" + e.type + ".v" + std::to_string(e.schema_version) + ".json";
    rapidjson::Document doc;
    doc.Parse<json::kParseFlags>(e.data_json.c_str(), e.data_json.size());
    const auto issues = registry.validate(schema, doc);
    if (doc.HasParseError() || !issues.empty()) {
      throw std::logic_error("event " + e.type + " does not match " + schema);
    }
  }
  ports::AppendRequest request;
  request.stream_id = decision.stream_id;
  request.stream_type = decision.stream_type;
  request.expected_version = decision.expected_version;
  request.events = decision.events;
  request.metadata = {ctx.idempotency_key.value_or(ctx.request_id), ctx.request_id, ctx.request_id, ctx.actor};
  request.recorded_at = decision.recorded_at;
  request.claims = std::move(decision.claims);
  request.releases = std::move(decision.releases);
  request.refs = std::move(decision.refs);
  request.guards = std::move(decision.guards);
  request.unreferenced = std::move(decision.unreferenced);
  std::set<std::string> shown_streams{decision.stream_id};  // streams the projection reads
  for (const auto& m : decision.more) {
    if (m.stream_type == decision.stream_type) {
      shown_streams.insert(m.stream_id);
    }
  }
  request.more = std::move(decision.more);
  if (ctx.idempotency_key) {
    request.idempotency = ports::IdempotencyRecord{*ctx.idempotency_key, ctx.fingerprint, decision.success};
  }
  // One wait for "committed, and shown by the read model": on the store's thread, the outcome
  // chains the read-model wait to the commit, so this thread wakes once per command instead of
  // once for the commit and again for the projection. A consistency timeout of 0 answers at
  // the commit, without waiting for the read model.
  const bool await_read_model = consistency_timeout_ > std::chrono::milliseconds::zero();
  const auto settled = std::make_shared<Countdown>(1);
  const auto committed = std::make_shared<std::atomic<std::chrono::steady_clock::rep>>(0);  // 0: not yet
  request.on_outcome = [settled, committed, await_read_model, &board = board_, projection = decision.projection,
                        shown = std::move(shown_streams)](const ports::AppendResult& appended) {
    if (appended && !appended->replayed && await_read_model) {
      // Per partition, the last position the projection must have applied.
      std::map<int, std::int64_t> waits;
      for (const auto& [stream, position] : appended->stream_positions) {
        if (shown.contains(stream)) {
          auto& w = waits[kafka::partition_for(stream)];
          w = std::max(w, position);
        }
      }
      settled->add(static_cast<int>(waits.size()));
      for (const auto& [partition, position] : waits) {
        board.count_down_when_applied(projection, partition, position, settled);
      }
    }
    committed->store(std::chrono::steady_clock::now().time_since_epoch().count());
    settled->count_down();
  };
  const auto started = std::chrono::steady_clock::now();
  auto pending = store_.append(std::move(request));
  bool shown = true;
  bool warned = false;
  for (;;) {
    // Until the commit, as long as it takes (the store answers every request), waking once per
    // consistency timeout to see whether the commit's deadline has started; from the commit,
    // up to the consistency timeout for the read model.
    std::chrono::steady_clock::duration left = await_read_model ? consistency_timeout_ : std::chrono::seconds(1);
    if (const auto at = committed->load(); at != 0 && await_read_model) {
      left = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(at)) + consistency_timeout_ -
             std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        shown = !board_.forget(settled);  // nothing left to wait for: it got there meanwhile
        break;
      }
    }
    if (settled->wait_for(left)) {
      break;
    }
    if (!warned && committed->load() == 0 && std::chrono::steady_clock::now() - started > kSlowAppend) {
      // The store answers every request; one this late is worth a line in the log.
      warned = true;
      log::warn("append not answered yet", {{"request_id", ctx.request_id},
                                            {"stream", decision.stream_id},
                                            log::num("seconds", static_cast<long long>(kSlowAppend.count()))});
    }
  }
  const auto committed_at =
      std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(committed->load()));
  auto appended = pending.get();  // ready: its outcome has been told
  if (!appended) {
    return std::unexpected(appended.error());
  }
  if (appended->replayed) {
    return Outcome{*appended->replayed, true};
  }
  metrics_.events_appended(all_events.size(), decision.stream_type);
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  log::write(log::Level::debug, "command timing",
             {{"request_id", ctx.request_id},
              {"append_ms", std::to_string(ms(committed_at - started)), true},
              {"read_model_ms", std::to_string(ms(std::chrono::steady_clock::now() - committed_at)), true}});
  if (!shown) {
    // Durable and acknowledged all the same; only the read model is late.
    log::warn("read model behind after write", {{"projection", decision.projection},
                                                log::num("position", appended->last_position),
                                                {"request_id", ctx.request_id}});
  }
  return Outcome{decision.success, false};
}

std::string fingerprint(const std::string& method, const std::string& path, const std::string& body) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto* part : {&method, &path, &body}) {
    for (const char c : *part) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    h ^= 0xFFU;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace lf::adapters::app
