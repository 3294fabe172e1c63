#include "adapters/postgres/event_store.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "adapters/common/clock.hpp"
#include "adapters/common/log.hpp"
#include "adapters/postgres/sql_text.hpp"

namespace lf::adapters::pg {
namespace {

using ports::AppendErrc;
using ports::AppendError;

std::string metadata_json(const domain::Metadata& m) {
  return R"({"commandId":")" + log::json_escape(m.command_id) + R"(","causationId":")" +
         log::json_escape(m.causation_id) + R"(","correlationId":")" + log::json_escape(m.correlation_id) +
         R"(","actor":")" + log::json_escape(m.actor) + "\"}";
}

using ClaimKey = std::pair<std::string, std::string>;
using RefRow = std::tuple<std::string, std::string, std::string>;  // target, source, kind

// The batch's first round trip: take the log_head lock, then read the head and every row the
// decisions depend on, each row tagged with what it is ("h" head, "v" stream version,
// "k" idempotency record, "c" unique claim, "r" reference). In READ COMMITTED each statement of
// a multi-statement query takes a fresh snapshot, so the reads after the lock see every batch
// committed before it, another process's writer included.
std::string lock_and_read_sql(pqxx::transaction_base& tx, const std::vector<std::string>& stream_ids,
                              const std::vector<std::string>& keys, const std::vector<std::string>& claim_scopes,
                              const std::vector<std::string>& claim_values, const std::vector<std::string>& ref_targets,
                              const std::vector<std::string>& ref_sources) {
  const auto array = [&tx](const std::vector<std::string>& items) { return tx.quote(text_array(items)) + "::text[]"; };
  std::string sql =
      "SELECT 1 FROM log_head WHERE singleton FOR UPDATE;\n"
      "SELECT 'h', position::text, NULL::text, NULL::text, NULL::text FROM log_head WHERE singleton\n"
      "UNION ALL SELECT 'v', stream_id, version::text, NULL, NULL FROM streams WHERE stream_id = ANY(" +
      array(stream_ids) + ")";
  if (!keys.empty()) {
    sql +=
        "\nUNION ALL SELECT 'k', idempotency_key, fingerprint, status::text, body FROM commands "
        "WHERE idempotency_key = ANY(" +
        array(keys) + ")";
  }
  if (!claim_scopes.empty()) {
    sql += "\nUNION ALL SELECT 'c', c.scope, c.value, c.stream_id, NULL FROM unique_claims c JOIN unnest(" +
           array(claim_scopes) + ", " + array(claim_values) +
           ") AS k(scope, value) ON c.scope = k.scope AND c.value = k.value";
  }
  if (!ref_targets.empty() || !ref_sources.empty()) {
    sql += "\nUNION ALL SELECT 'r', target, source, kind, NULL FROM stream_refs WHERE target = ANY(" +
           array(ref_targets) + ") OR source = ANY(" + array(ref_sources) + ")";
  }
  return sql;
}

}  // namespace

const char* const kEventColumns =
    "position, event_id::text, stream_id, stream_type, stream_version, event_type, schema_version, data::text, "
    "metadata->>'commandId', metadata->>'causationId', metadata->>'correlationId', metadata->>'actor', "
    "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

domain::RecordedEvent to_recorded_event(const pqxx::row& r) {
  domain::RecordedEvent e;
  e.position = r[0].as<std::int64_t>();
  e.event_id = r[1].as<std::string>();
  e.stream_id = r[2].as<std::string>();
  e.stream_type = r[3].as<std::string>();
  e.stream_version = r[4].as<std::int64_t>();
  e.type = r[5].as<std::string>();
  e.schema_version = r[6].as<int>();
  e.data_json = r[7].as<std::string>();
  e.metadata.command_id = r[8].as<std::string>("");
  e.metadata.causation_id = r[9].as<std::string>("");
  e.metadata.correlation_id = r[10].as<std::string>("");
  e.metadata.actor = r[11].as<std::string>("");
  e.recorded_at = r[12].as<std::string>();
  return e;
}

PgEventStore::PgEventStore(std::string url, EventStoreOptions options)
    : url_(std::move(url)), options_(options), pool_(url_, options.read_pool_size) {
  appender_ = std::thread([this] { run(); });
}

PgEventStore::~PgEventStore() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  appender_.join();
}

void PgEventStore::on_commit(std::function<void(std::int64_t)> listener) {
  const std::lock_guard lock(mu_);
  on_commit_ = std::move(listener);
}

void PgEventStore::on_streams_committed(std::function<void(const std::vector<std::string>&)> listener) {
  const std::lock_guard lock(mu_);
  on_streams_committed_ = std::move(listener);
}

void PgEventStore::before_commit_for_test(std::function<void()> hook) {
  const std::lock_guard lock(mu_);
  before_commit_ = std::move(hook);
}

std::future<ports::AppendResult> PgEventStore::append(ports::AppendRequest request) {
  Pending p{std::move(request), {}};
  auto fut = p.promise.get_future();
  {
    const std::lock_guard lock(mu_);
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  return fut;
}

void PgEventStore::run() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) {
        return;
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    process(batch);
  }
}

void PgEventStore::process(std::vector<Pending>& batch) {
  // Outcome per request, decided in memory under the log_head lock, written in one go.
  std::vector<ports::AppendResult> results(batch.size(), std::unexpected(AppendError{AppendErrc::unavailable, ""}));
  std::int64_t head = 0;
  std::function<void()> hook;
  std::function<void(std::int64_t)> listener;
  std::function<void(const std::vector<std::string>&)> streams_listener;
  std::vector<std::string> written;  // the streams this batch appended to
  {
    const std::lock_guard lock(mu_);
    hook = before_commit_;
    listener = on_commit_;
    streams_listener = on_streams_committed_;
  }
  try {
    // Every stream a request writes: its own first, then `more`.
    std::vector<std::vector<ports::StreamAppend>> segments(batch.size());
    std::vector<std::string> keys;
    std::vector<std::string> stream_ids;
    std::vector<std::string> claim_scopes;
    std::vector<std::string> claim_values;
    std::vector<std::string> ref_targets;
    std::vector<std::string> ref_sources;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& rq = batch[i].request;
      auto& segs = segments[i];
      segs.push_back({rq.stream_id, rq.stream_type, rq.expected_version, std::move(rq.events), std::move(rq.claims),
                      std::move(rq.releases), std::move(rq.refs)});
      for (auto& more : rq.more) {
        segs.push_back(std::move(more));
      }
      if (rq.idempotency) {
        keys.push_back(rq.idempotency->key);
      }
      for (const auto& seg : segs) {
        stream_ids.push_back(seg.stream_id);
        for (const auto* list : {&seg.claims, &seg.releases}) {
          for (const auto& c : *list) {
            claim_scopes.push_back(c.scope);
            claim_values.push_back(c.value);
          }
        }
        if (seg.refs) {
          ref_sources.push_back(seg.stream_id);
        }
      }
      for (const auto& g : rq.guards) {
        stream_ids.push_back(g.stream_id);
      }
      for (const auto& u : rq.unreferenced) {
        ref_targets.push_back(u.target);
      }
    }

    // libpq only learns that the server went away when it next talks to it, so a connection
    // idle through a database restart looks open. Nothing is written before this first round
    // trip, so when it finds the connection broken, reconnecting and starting over cannot
    // append anything twice.
    std::unique_ptr<pqxx::work> txp;
    pqxx::result read;
    for (int attempt = 0;; ++attempt) {
      try {
        if (!writer_ || !writer_->is_open()) {
          writer_ = connect(url_);
        }
        txp = std::make_unique<pqxx::work>(*writer_);
        read =
            txp->exec(lock_and_read_sql(*txp, stream_ids, keys, claim_scopes, claim_values, ref_targets, ref_sources));
        break;
      } catch (const pqxx::broken_connection&) {
        txp.reset();
        writer_.reset();
        if (attempt > 0) {
          throw;
        }
      }
    }
    auto& tx = *txp;

    std::map<std::string, ports::IdempotencyRecord> seen;
    std::map<std::string, std::int64_t> versions;
    std::map<ClaimKey, std::string> claims_before;
    // References (target, source, kind) touched by this batch: those of the streams whose
    // references are replaced and those pointing at guarded targets.
    std::set<RefRow> refs_before;
    for (const auto& r : read) {
      const auto tag = r[0].as<std::string>();
      if (tag == "h") {
        head = r[1].as<std::int64_t>();
      } else if (tag == "v") {
        versions[r[1].as<std::string>()] = r[2].as<std::int64_t>();
      } else if (tag == "k") {
        seen[r[1].as<std::string>()] = {
            r[1].as<std::string>(), r[2].as<std::string>(), {r[3].as<int>(), r[4].as<std::string>()}};
      } else if (tag == "c") {
        claims_before[{r[1].as<std::string>(), r[2].as<std::string>()}] = r[3].as<std::string>();
      } else {
        refs_before.insert({r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()});
      }
    }
    auto claims = claims_before;
    auto refs = refs_before;
    std::map<std::string, std::pair<std::string, std::int64_t>> stream_rows;  // stream -> (type, version)

    std::string events_sql;
    std::string commands_sql;
    std::int64_t next = head;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& rq = batch[i].request;
      const auto& segs = segments[i];
      if (rq.idempotency) {
        const auto it = seen.find(rq.idempotency->key);
        if (it != seen.end()) {
          if (it->second.fingerprint != rq.idempotency->fingerprint) {
            results[i] = std::unexpected(AppendError{AppendErrc::idempotency_mismatch,
                                                     "Idempotency-Key was already used for a different request"});
          } else {
            ports::Appended replay;
            replay.replayed = it->second.result;
            results[i] = std::move(replay);
          }
          continue;
        }
      }
      const auto version_of = [&](const std::string& id) {
        const auto it = versions.find(id);
        return it == versions.end() ? std::int64_t{0} : it->second;
      };
      std::optional<AppendError> refused;
      for (const auto& g : rq.guards) {
        if (version_of(g.stream_id) != g.version) {
          refused = AppendError{AppendErrc::version_conflict,
                                "A resource this change depends on was changed "
                                "concurrently",
                                g.stream_id};
        }
      }
      for (const auto& seg : segs) {
        if (!refused && seg.expected_version != ports::kAnyVersion &&
            version_of(seg.stream_id) != seg.expected_version) {
          refused = AppendError{AppendErrc::version_conflict, "The resource was changed concurrently", seg.stream_id};
        }
      }
      // Claims and references are tried on copies: a refused request leaves no trace.
      auto trial_claims = claims;
      auto trial_refs = refs;
      for (const auto& seg : segs) {
        if (refused) {
          break;
        }
        for (const auto& r : seg.releases) {
          const auto it = trial_claims.find({r.scope, r.value});
          if (it != trial_claims.end() && it->second == seg.stream_id) {
            trial_claims.erase(it);
          }
        }
        for (const auto& c : seg.claims) {
          const auto it = trial_claims.find({c.scope, c.value});
          if (it != trial_claims.end() && it->second != seg.stream_id) {
            refused = AppendError{AppendErrc::unique_conflict, "The value is already in use", c.scope, c.value};
            break;
          }
          trial_claims[{c.scope, c.value}] = seg.stream_id;
        }
        if (seg.refs) {
          std::erase_if(trial_refs, [&](const RefRow& r) { return std::get<1>(r) == seg.stream_id; });
          for (const auto& ref : *seg.refs) {
            trial_refs.insert({ref.target, seg.stream_id, ref.kind});
          }
        }
      }
      for (const auto& u : rq.unreferenced) {
        if (refused) {
          break;
        }
        for (const auto& r : trial_refs) {
          if (std::get<0>(r) == u.target &&
              std::find(u.kinds.begin(), u.kinds.end(), std::get<2>(r)) != u.kinds.end()) {
            refused = AppendError{AppendErrc::referenced, u.message, u.target};
            break;
          }
        }
      }
      if (refused) {
        results[i] = std::unexpected(std::move(*refused));
        continue;
      }
      claims = std::move(trial_claims);
      refs = std::move(trial_refs);

      const auto meta = metadata_json(rq.metadata);
      const auto recorded_at = rq.recorded_at.empty() ? now_rfc3339() : rq.recorded_at;
      ports::Appended ok;
      ok.first_position = next + 1;
      for (std::size_t k = 0; k < segs.size(); ++k) {
        const auto& seg = segs[k];
        auto version = version_of(seg.stream_id);
        for (const auto& ev : seg.events) {
          ++next;
          ++version;
          events_sql += events_sql.empty() ? "" : ",";
          events_sql += "(" + std::to_string(next) + "," + tx.quote(new_uuid()) + "::uuid," + tx.quote(seg.stream_id) +
                        "," + tx.quote(seg.stream_type) + "," + std::to_string(version) + "," + tx.quote(ev.type) +
                        "," + std::to_string(ev.schema_version) + "," + tx.quote(ev.data_json) + "::json," +
                        tx.quote(meta) + "::json," + tx.quote(recorded_at) + "::timestamptz)";
        }
        if (k == 0) {
          ok.stream_version = version;
        }
        if (!seg.events.empty()) {
          versions[seg.stream_id] = version;
          stream_rows[seg.stream_id] = {seg.stream_type, version};
          ok.stream_positions.emplace_back(seg.stream_id, next);
        }
      }
      ok.last_position = next;
      if (rq.idempotency) {
        seen[rq.idempotency->key] = *rq.idempotency;
        commands_sql += commands_sql.empty() ? "" : ",";
        commands_sql += "(" + tx.quote(rq.idempotency->key) + "," + tx.quote(rq.idempotency->fingerprint) + "," +
                        tx.quote(rq.stream_id) + "," + std::to_string(rq.idempotency->result.status) + "," +
                        tx.quote(rq.idempotency->result.body) + "," +
                        (next == ok.first_position - 1 ? std::string("NULL") : std::to_string(ok.first_position)) + ")";
      }
      results[i] = std::move(ok);
    }

    // Every write of the batch goes in one round trip (a multi-statement simple query runs in
    // this transaction like separate statements would): on this kind of machine each round trip
    // costs more than the statement itself.
    std::string writes;
    const auto write = [&writes](const std::string& statement) {
      writes += statement;
      writes += ";\n";
    };
    if (!events_sql.empty()) {
      write(
          "INSERT INTO events (position, event_id, stream_id, stream_type, stream_version, event_type, "
          "schema_version, data, metadata, recorded_at) VALUES " +
          events_sql);
    }
    if (!stream_rows.empty()) {
      std::string sql;
      for (const auto& [id, row] : stream_rows) {
        sql += sql.empty() ? "" : ",";
        sql += "(" + tx.quote(id) + "," + tx.quote(row.first) + "," + std::to_string(row.second) + ")";
      }
      write("INSERT INTO streams (stream_id, stream_type, version) VALUES " + sql +
            " ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version");
    }
    if (!commands_sql.empty()) {
      write("INSERT INTO commands (idempotency_key, fingerprint, stream_id, status, body, first_position) VALUES " +
            commands_sql);
    }
    // Claims: delete what changed hands or went away, then insert what is new.
    std::string del;
    std::string ins;
    for (const auto& [k, owner] : claims_before) {
      const auto it = claims.find(k);
      if (it == claims.end() || it->second != owner) {
        del += del.empty() ? "" : ",";
        del += "(" + tx.quote(k.first) + "," + tx.quote(k.second) + ")";
      }
    }
    for (const auto& [k, owner] : claims) {
      const auto it = claims_before.find(k);
      if (it == claims_before.end() || it->second != owner) {
        ins += ins.empty() ? "" : ",";
        ins += "(" + tx.quote(k.first) + "," + tx.quote(k.second) + "," + tx.quote(owner) + ")";
      }
    }
    if (!del.empty()) {
      write("DELETE FROM unique_claims WHERE (scope, value) IN (" + del + ")");
    }
    if (!ins.empty()) {
      write("INSERT INTO unique_claims (scope, value, stream_id) VALUES " + ins);
    }
    // References: the same diff.
    std::string ref_del;
    std::string ref_ins;
    const auto ref_tuple = [&](const RefRow& r) {
      return "(" + tx.quote(std::get<0>(r)) + "," + tx.quote(std::get<1>(r)) + "," + tx.quote(std::get<2>(r)) + ")";
    };
    for (const auto& r : refs_before) {
      if (!refs.contains(r)) {
        ref_del += (ref_del.empty() ? "" : ",") + ref_tuple(r);
      }
    }
    for (const auto& r : refs) {
      if (!refs_before.contains(r)) {
        ref_ins += (ref_ins.empty() ? "" : ",") + ref_tuple(r);
      }
    }
    if (!ref_del.empty()) {
      write("DELETE FROM stream_refs WHERE (target, source, kind) IN (" + ref_del + ")");
    }
    if (!ref_ins.empty()) {
      write("INSERT INTO stream_refs (target, source, kind) VALUES " + ref_ins);
    }
    if (next != head) {
      write("UPDATE log_head SET position = " + std::to_string(next) + " WHERE singleton");
      write("NOTIFY labelfleet_events");
    }
    if (!writes.empty()) {
      tx.exec(writes);
    }
    if (hook) {
      hook();
    }
    tx.commit();
    ++batches_committed_;
    for (const auto& entry : stream_rows) {
      written.push_back(entry.first);
    }
    head = next;
  } catch (const std::exception& e) {
    // Nothing of this batch was committed (or we cannot know: the commit may have been lost
    // with the connection). Report unavailable; a retry with the same Idempotency-Key is safe.
    log::error("append batch failed",
               {{"error", e.what()}, log::num("requests", static_cast<long long>(batch.size()))});
    writer_.reset();
    for (auto& p : batch) {
      p.promise.set_value(std::unexpected(AppendError{AppendErrc::unavailable, "The event store is unavailable"}));
    }
    return;
  }
  // Before any caller learns of its commit: a cache told to forget a stream does so before the
  // command that changed it can answer.
  if (streams_listener && !written.empty()) {
    streams_listener(written);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].promise.set_value(std::move(results[i]));
  }
  if (listener) {
    listener(head);
  }
}

// The reads below are one statement each, atomic on their own: they run outside a transaction
// block, which saves the BEGIN and COMMIT round trips a read_transaction would add to every
// command (they were most of the database's work per request under load).
std::vector<domain::RecordedEvent> PgEventStore::read_stream(const std::string& stream_id) {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  std::vector<domain::RecordedEvent> out;
  for (const auto& r : tx.exec_params(
           std::string("SELECT ") + kEventColumns + " FROM events WHERE stream_id = $1 ORDER BY stream_version",
           stream_id)) {
    out.push_back(to_recorded_event(r));
  }
  return out;
}

std::vector<domain::RecordedEvent> PgEventStore::read_all(std::int64_t after, std::size_t limit) {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  std::vector<domain::RecordedEvent> out;
  for (const auto& r : tx.exec_params(
           std::string("SELECT ") + kEventColumns + " FROM events WHERE position > $1 ORDER BY position LIMIT $2",
           after, static_cast<std::int64_t>(limit))) {
    out.push_back(to_recorded_event(r));
  }
  return out;
}

std::optional<ports::IdempotencyRecord> PgEventStore::find_command(const std::string& key) {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  const auto r =
      tx.exec_params("SELECT idempotency_key, fingerprint, status, body FROM commands WHERE idempotency_key = $1", key);
  if (r.empty()) {
    return std::nullopt;
  }
  return ports::IdempotencyRecord{
      r[0][0].as<std::string>(), r[0][1].as<std::string>(), {r[0][2].as<int>(), r[0][3].as<std::string>()}};
}

ports::StreamInfo PgEventStore::stream_info(const std::string& stream_id) {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  const auto r = tx.exec_params(
      "SELECT s.version, e.event_type FROM streams s JOIN events e ON e.stream_id = s.stream_id AND "
      "e.stream_version = s.version WHERE s.stream_id = $1",
      stream_id);
  if (r.empty()) {
    return {};
  }
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::string>()};
}

std::optional<std::string> PgEventStore::claim_holder(const std::string& scope, const std::string& value) {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  const auto r = tx.exec_params("SELECT stream_id FROM unique_claims WHERE scope = $1 AND value = $2", scope, value);
  if (r.empty()) {
    return std::nullopt;
  }
  return r[0][0].as<std::string>();
}

std::int64_t PgEventStore::head_position() {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  return tx.exec("SELECT position FROM log_head")[0][0].as<std::int64_t>();
}

}  // namespace lf::adapters::pg
