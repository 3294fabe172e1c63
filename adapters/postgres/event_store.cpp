#include "adapters/postgres/event_store.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include "adapters/common/clock.hpp"
#include "adapters/common/log.hpp"
#include "adapters/common/thread_name.hpp"
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

// ---- gathering: what the batch's requests write and what deciding them needs to read

// The keys the batch's first round trip reads rows for.
struct ReadSet {
  std::vector<std::string> keys;  // idempotency keys
  std::vector<std::string> stream_ids;
  std::vector<std::string> claim_scopes;  // with claim_values: the claims taken or released
  std::vector<std::string> claim_values;
  std::vector<std::string> ref_targets;  // targets of `unreferenced` guards
  std::vector<std::string> ref_sources;  // streams whose references are replaced
};

// Every stream the request writes, moved out of it: its own first, then `more`. Adds to `reads`
// what deciding the request depends on.
std::vector<ports::StreamAppend> take_segments(ports::AppendRequest& rq, ReadSet& reads) {
  std::vector<ports::StreamAppend> segs;
  segs.reserve(1 + rq.more.size());
  segs.push_back({rq.stream_id, rq.stream_type, rq.expected_version, std::move(rq.events), std::move(rq.claims),
                  std::move(rq.releases), std::move(rq.refs)});
  for (auto& more : rq.more) {
    segs.push_back(std::move(more));
  }
  if (rq.idempotency) {
    reads.keys.push_back(rq.idempotency->key);
  }
  for (const auto& seg : segs) {
    reads.stream_ids.push_back(seg.stream_id);
    for (const auto* list : {&seg.claims, &seg.releases}) {
      for (const auto& c : *list) {
        reads.claim_scopes.push_back(c.scope);
        reads.claim_values.push_back(c.value);
      }
    }
    if (seg.refs) {
      reads.ref_sources.push_back(seg.stream_id);
    }
  }
  for (const auto& g : rq.guards) {
    reads.stream_ids.push_back(g.stream_id);
  }
  for (const auto& u : rq.unreferenced) {
    reads.ref_targets.push_back(u.target);
  }
  return segs;
}

// Undoes take_segments (deciding reads the segments only), so that the request can run again.
void give_back_segments(ports::AppendRequest& rq, std::vector<ports::StreamAppend>& segs) {
  auto& own = segs.front();
  rq.events = std::move(own.events);
  rq.claims = std::move(own.claims);
  rq.releases = std::move(own.releases);
  rq.refs = std::move(own.refs);
  rq.more.assign(std::make_move_iterator(segs.begin() + 1), std::make_move_iterator(segs.end()));
}

// ---- the first round trip

// The writer's statements, prepared on its connection once (PREPARE) and sent as EXECUTE with
// array arguments: the batch keeps its round trips, and PostgreSQL parses, analyses and plans
// none of its text again (the VALUES lists they replace were most of the writer backend's work).
struct Prepared {
  const char* name;
  const char* sql;
};

// The reads of the batch's first round trip, each row tagged with what it is ("h" head,
// "v" stream version, "k" idempotency record, "c" unique claim, "r" reference).
// Every lookup is an index probe per key: the LATERAL subqueries (LIMIT 1, or OFFSET 0 where
// several rows match) are not pulled up into a join, so the planner cannot trade them for a
// sequential scan. It did that for `= ANY(array)` once a batch carried a few dozen keys and the
// table a few thousand rows (random_page_cost's default prices index probes as disk reads), and
// read the whole table in every such batch while holding the log_head lock. An empty array
// costs nothing.
constexpr Prepared kReadSql{
    "lf_store_read",
    "SELECT 'h', position::text, NULL::text, NULL::text, NULL::text FROM log_head WHERE singleton\n"
    "UNION ALL SELECT 'v', s.stream_id, s.version::text, NULL, NULL FROM unnest($1::text[]) AS k(id) "
    "CROSS JOIN LATERAL (SELECT stream_id, version FROM streams WHERE stream_id = k.id LIMIT 1) s\n"
    "UNION ALL SELECT 'k', c.idempotency_key, c.fingerprint, c.status::text, c.body FROM unnest($2::text[]) AS "
    "k(key) CROSS JOIN LATERAL (SELECT idempotency_key, fingerprint, status, body FROM commands "
    "WHERE idempotency_key = k.key LIMIT 1) c\n"
    "UNION ALL SELECT 'c', c.scope, c.value, c.stream_id, NULL FROM unnest($3::text[], $4::text[]) AS "
    "k(scope, value) CROSS JOIN LATERAL (SELECT scope, value, stream_id FROM unique_claims "
    "WHERE scope = k.scope AND value = k.value LIMIT 1) c\n"
    "UNION ALL SELECT 'r', r.target, r.source, r.kind, NULL FROM unnest($5::text[]) AS k(target) "
    "CROSS JOIN LATERAL (SELECT target, source, kind FROM stream_refs WHERE target = k.target OFFSET 0) r\n"
    "UNION ALL SELECT 'r', r.target, r.source, r.kind, NULL FROM unnest($6::text[]) AS k(source) "
    "CROSS JOIN LATERAL (SELECT target, source, kind FROM stream_refs WHERE source = k.source OFFSET 0) r"};
constexpr Prepared kInsertEvents{
    "lf_store_events",
    "INSERT INTO events (position, event_id, stream_id, stream_type, stream_version, event_type, schema_version, "
    "data, metadata, recorded_at) SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], "
    "$5::bigint[], $6::text[], $7::int[], $8::json[], $9::json[], $10::timestamptz[])"};
constexpr Prepared kUpsertStreams{
    "lf_store_streams",
    "INSERT INTO streams (stream_id, stream_type, version) SELECT * FROM unnest($1::text[], $2::text[], "
    "$3::bigint[]) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version"};
constexpr Prepared kInsertCommands{
    "lf_store_commands",
    "INSERT INTO commands (idempotency_key, fingerprint, stream_id, status, body, first_position) SELECT * FROM "
    "unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[])"};
constexpr Prepared kDeleteClaims{"lf_store_claims_delete",
                                 "DELETE FROM unique_claims c USING unnest($1::text[], $2::text[]) AS d(scope, value) "
                                 "WHERE c.scope = d.scope AND c.value = d.value"};
constexpr Prepared kInsertClaims{
    "lf_store_claims_insert",
    "INSERT INTO unique_claims (scope, value, stream_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])"};
constexpr Prepared kDeleteRefs{
    "lf_store_refs_delete",
    "DELETE FROM stream_refs r USING unnest($1::text[], $2::text[], $3::text[]) AS d(target, source, kind) "
    "WHERE r.target = d.target AND r.source = d.source AND r.kind = d.kind"};
constexpr Prepared kInsertRefs{
    "lf_store_refs_insert",
    "INSERT INTO stream_refs (target, source, kind) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])"};
constexpr std::array kPrepared{kReadSql,      kInsertEvents, kUpsertStreams, kInsertCommands,
                               kDeleteClaims, kInsertClaims, kDeleteRefs,    kInsertRefs};

// A new writer connection with the writer's statements prepared (one round trip).
std::unique_ptr<pqxx::connection> connect_writer(const std::string& url) {
  auto conn = connect(url);
  std::string sql;
  for (const auto& statement : kPrepared) {
    sql += std::string("PREPARE ") + statement.name + " AS " + statement.sql + ";\n";
  }
  pqxx::nontransaction(*conn).exec(sql);
  return conn;
}

// `EXECUTE name(arguments)`, each argument an array literal quoted for this connection.
std::string execute(pqxx::transaction_base& tx, const Prepared& statement, const std::vector<std::string>& arrays) {
  std::string sql = std::string("EXECUTE ") + statement.name + "(";
  bool first = true;
  for (const auto& array : arrays) {
    sql += first ? "" : ", ";
    sql += tx.quote(array);
    first = false;
  }
  sql += ")";
  return sql;
}

// The batch's first round trip: open the transaction, take the log_head lock, then read the
// head and every row the decisions depend on. In READ COMMITTED each statement of a
// multi-statement query takes a fresh snapshot, so the reads after the lock see every batch
// committed before it, another process's writer included.
std::string lock_and_read_sql(pqxx::transaction_base& tx, const ReadSet& reads) {
  return "BEGIN;\nSELECT 1 FROM log_head WHERE singleton FOR UPDATE;\n" +
         execute(tx, kReadSql,
                 {text_array(reads.stream_ids), text_array(reads.keys), text_array(reads.claim_scopes),
                  text_array(reads.claim_values), text_array(reads.ref_targets), text_array(reads.ref_sources)});
}

// The batch's transaction and what its first round trip read. The transaction block is opened
// and ended by the batch's own statements (BEGIN in the first round trip, COMMIT in the last),
// not by libpqxx, which would spend a round trip on each: two per batch instead of four. After
// any failure the connection is dropped, which ends a block left open.
struct Locked {
  std::unique_ptr<pqxx::nontransaction> tx;
  pqxx::result read;
};

// Opens the batch's transaction on `writer` (connecting it first when needed) and runs the first
// round trip. libpq only learns that the server went away when it next talks to it, so a
// connection idle through a database restart looks open. Nothing is written before this first
// round trip, so when it finds the connection broken, reconnecting and starting over cannot
// append anything twice.
Locked lock_and_read(std::unique_ptr<pqxx::connection>& writer, const std::string& url, const ReadSet& reads) {
  Locked locked;
  for (int attempt = 0;; ++attempt) {
    try {
      if (!writer || !writer->is_open()) {
        writer = connect_writer(url);
      }
      locked.tx = std::make_unique<pqxx::nontransaction>(*writer);
      locked.read = locked.tx->exec(lock_and_read_sql(*locked.tx, reads));
      return locked;
    } catch (const pqxx::broken_connection&) {
      locked.tx.reset();
      writer.reset();
      if (attempt > 0) {
        throw;
      }
    }
  }
}

// The unique claims and references the batch touches.
struct ClaimsAndRefs {
  std::map<ClaimKey, std::string> claims;  // claim -> the stream holding it
  // References (target, source, kind) touched by this batch: those of the streams whose
  // references are replaced and those pointing at guarded targets.
  std::set<RefRow> refs;
};

// The log as the batch sees it: read in the first round trip, then changed by each request the
// batch accepts.
struct LogView {
  std::int64_t head = 0;  // the log's position when the batch started
  std::map<std::string, ports::IdempotencyRecord> seen;
  std::map<std::string, std::int64_t> versions;
  ClaimsAndRefs held;
};

LogView view_of(const pqxx::result& read) {
  LogView view;
  for (const auto& r : read) {
    const auto tag = r[0].as<std::string>();
    if (tag == "h") {
      view.head = r[1].as<std::int64_t>();
    } else if (tag == "v") {
      view.versions[r[1].as<std::string>()] = r[2].as<std::int64_t>();
    } else if (tag == "k") {
      view.seen[r[1].as<std::string>()] = {
          r[1].as<std::string>(), r[2].as<std::string>(), {r[3].as<int>(), r[4].as<std::string>()}};
    } else if (tag == "c") {
      view.held.claims[{r[1].as<std::string>(), r[2].as<std::string>()}] = r[3].as<std::string>();
    } else {
      view.held.refs.insert({r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()});
    }
  }
  return view;
}

// ---- deciding each request in memory

std::int64_t version_in(const std::map<std::string, std::int64_t>& versions, const std::string& id) {
  const auto it = versions.find(id);
  return it == versions.end() ? std::int64_t{0} : it->second;
}

// The answer to a request whose Idempotency-Key was seen before (in the log or earlier in the
// batch): the original answer, or a mismatch when the key came with another request.
std::optional<ports::AppendResult> replay_of(const ports::AppendRequest& rq,
                                             const std::map<std::string, ports::IdempotencyRecord>& seen) {
  if (!rq.idempotency) {
    return std::nullopt;
  }
  const auto it = seen.find(rq.idempotency->key);
  if (it == seen.end()) {
    return std::nullopt;
  }
  if (it->second.fingerprint != rq.idempotency->fingerprint) {
    return std::unexpected(
        AppendError{AppendErrc::idempotency_mismatch, "Idempotency-Key was already used for a different request"});
  }
  ports::Appended replay;
  replay.replayed = it->second.result;
  return replay;
}

// A guarded stream or a written stream that is not at the version the decision was made on.
std::optional<AppendError> version_conflict(const ports::AppendRequest& rq,
                                            const std::vector<ports::StreamAppend>& segs,
                                            const std::map<std::string, std::int64_t>& versions) {
  std::optional<AppendError> refused;
  for (const auto& g : rq.guards) {
    if (version_in(versions, g.stream_id) != g.version) {
      refused = AppendError{AppendErrc::version_conflict,
                            "A resource this change depends on was changed "
                            "concurrently",
                            g.stream_id};
    }
  }
  for (const auto& seg : segs) {
    if (!refused && seg.expected_version != ports::kAnyVersion &&
        version_in(versions, seg.stream_id) != seg.expected_version) {
      refused = AppendError{AppendErrc::version_conflict, "The resource was changed concurrently", seg.stream_id};
    }
  }
  return refused;
}

// What a request changed in the batch's ClaimsAndRefs, so that a refused request can be taken back
// out. Copying the held claims and references for every request instead made the batch quadratic
// in its size (the writer thread's busiest work under load).
class HeldChanges {
 public:
  explicit HeldChanges(ClaimsAndRefs& held) : held_(held) {}
  HeldChanges(const HeldChanges&) = delete;
  HeldChanges& operator=(const HeldChanges&) = delete;
  ~HeldChanges() {
    if (!kept_) {
      undo();
    }
  }

  ClaimsAndRefs& held() { return held_; }
  void set_claim(const ClaimKey& key, const std::string& stream) {
    const auto it = held_.claims.find(key);
    claims_.emplace_back(key, it == held_.claims.end() ? std::nullopt : std::optional(it->second));
    held_.claims[key] = stream;
  }
  void erase_claim(std::map<ClaimKey, std::string>::iterator it) {
    claims_.emplace_back(it->first, it->second);
    held_.claims.erase(it);
  }
  void insert_ref(const RefRow& row) {
    if (held_.refs.insert(row).second) {
      refs_.emplace_back(row, false);
    }
  }
  void erase_refs_from(const std::string& source) {
    for (auto it = held_.refs.begin(); it != held_.refs.end();) {
      if (std::get<1>(*it) == source) {
        refs_.emplace_back(*it, true);
        it = held_.refs.erase(it);
      } else {
        ++it;
      }
    }
  }
  void keep() { kept_ = true; }

 private:
  void undo() {
    for (auto it = claims_.rbegin(); it != claims_.rend(); ++it) {
      if (it->second) {
        held_.claims[it->first] = *it->second;
      } else {
        held_.claims.erase(it->first);
      }
    }
    for (auto it = refs_.rbegin(); it != refs_.rend(); ++it) {
      if (it->second) {
        held_.refs.insert(it->first);
      } else {
        held_.refs.erase(it->first);
      }
    }
  }

  ClaimsAndRefs& held_;
  std::vector<std::pair<ClaimKey, std::optional<std::string>>> claims_;  // key, holder before
  std::vector<std::pair<RefRow, bool>> refs_;                            // row, present before
  bool kept_ = false;
};

// Applies the request's claim releases, claims and reference replacements through `changes`, then
// checks its `unreferenced` guards against the result. The first claim held by another stream
// or reference left to a guarded target refuses the request; the caller then lets `changes`
// take everything back, so a refused request leaves no trace.
std::optional<AppendError> try_claims_and_refs(const ports::AppendRequest& rq,
                                               const std::vector<ports::StreamAppend>& segs, HeldChanges& changes) {
  auto& claims = changes.held().claims;
  for (const auto& seg : segs) {
    for (const auto& r : seg.releases) {
      const auto it = claims.find({r.scope, r.value});
      if (it != claims.end() && it->second == seg.stream_id) {
        changes.erase_claim(it);
      }
    }
    for (const auto& c : seg.claims) {
      const auto it = claims.find({c.scope, c.value});
      if (it != claims.end() && it->second != seg.stream_id) {
        return AppendError{AppendErrc::unique_conflict, "The value is already in use", c.scope, c.value};
      }
      changes.set_claim({c.scope, c.value}, seg.stream_id);
    }
    if (seg.refs) {
      changes.erase_refs_from(seg.stream_id);
      for (const auto& ref : *seg.refs) {
        changes.insert_ref({ref.target, seg.stream_id, ref.kind});
      }
    }
  }
  for (const auto& u : rq.unreferenced) {
    for (const auto& r : changes.held().refs) {
      if (std::get<0>(r) == u.target && std::find(u.kinds.begin(), u.kinds.end(), std::get<2>(r)) != u.kinds.end()) {
        return AppendError{AppendErrc::referenced, u.message, u.target};
      }
    }
  }
  return std::nullopt;
}

template <std::size_t N>
std::vector<std::string> literals(const std::array<ArrayLiteral, N>& columns) {
  std::vector<std::string> out;
  out.reserve(N);
  for (const auto& column : columns) {
    out.push_back(column.literal());
  }
  return out;
}

// The rows of the batch's accepted requests, column by column as they are accepted: the
// arguments of kInsertEvents and kInsertCommands.
struct BatchRows {
  std::int64_t next = 0;                                                // the last position taken
  std::map<std::string, std::pair<std::string, std::int64_t>> streams;  // stream -> (type, version)
  std::array<ArrayLiteral, 10> events;
  std::array<ArrayLiteral, 6> commands;
  std::vector<domain::RecordedEvent> recorded;  // the events as a read would return them
};

// Whether `t` is already in the form the log's reads render (kEventColumns):
// YYYY-MM-DDTHH:MM:SS.mmmZ. Commands stamp their time this way (now_rfc3339).
bool canonical_time(const std::string& t) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (t.size() != kShape.size()) {
    return false;
  }
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (kShape[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != kShape[i]) {
      return false;
    }
  }
  return true;
}

// Takes the next positions for an accepted request's events and renders its rows; moves the
// versions (and the idempotency record) in `view` on.
ports::Appended append_rows(const ports::AppendRequest& rq, const std::vector<ports::StreamAppend>& segs, LogView& view,
                            BatchRows& rows) {
  const auto meta = metadata_json(rq.metadata);
  const auto recorded_at = rq.recorded_at.empty() ? now_rfc3339() : rq.recorded_at;
  ports::Appended ok;
  ok.first_position = rows.next + 1;
  for (std::size_t k = 0; k < segs.size(); ++k) {
    const auto& seg = segs[k];
    auto version = version_in(view.versions, seg.stream_id);
    for (const auto& ev : seg.events) {
      ++rows.next;
      ++version;
      auto event_id = new_uuid();
      auto& columns = rows.events;
      columns[0].add_number(rows.next);
      columns[1].add(event_id);
      columns[2].add(seg.stream_id);
      columns[3].add(seg.stream_type);
      columns[4].add_number(version);
      columns[5].add(ev.type);
      columns[6].add_number(ev.schema_version);
      columns[7].add(ev.data_json);
      columns[8].add(meta);
      columns[9].add(recorded_at);
      // A time in another form is reported empty: listeners cannot know how the log renders it.
      rows.recorded.push_back({rows.next, std::move(event_id), seg.stream_id, seg.stream_type, version, ev.type,
                               ev.schema_version, ev.data_json, rq.metadata,
                               canonical_time(recorded_at) ? recorded_at : std::string()});
    }
    if (k == 0) {
      ok.stream_version = version;
    }
    if (!seg.events.empty()) {
      view.versions[seg.stream_id] = version;
      rows.streams[seg.stream_id] = {seg.stream_type, version};
      ok.stream_positions.emplace_back(seg.stream_id, rows.next);
    }
  }
  ok.last_position = rows.next;
  if (rq.idempotency) {
    view.seen[rq.idempotency->key] = *rq.idempotency;
    auto& columns = rows.commands;
    columns[0].add(rq.idempotency->key);
    columns[1].add(rq.idempotency->fingerprint);
    columns[2].add(rq.stream_id);
    columns[3].add_number(rq.idempotency->result.status);
    columns[4].add(rq.idempotency->result.body);
    if (rows.next == ok.first_position - 1) {
      columns[5].add_null();  // the request appended nothing
    } else {
      columns[5].add_number(ok.first_position);
    }
  }
  return ok;
}

// An event too large for the log (ports::kMaxEventDataBytes), which Kafka could not carry.
std::optional<AppendError> oversized_event(const std::vector<ports::StreamAppend>& segs) {
  for (const auto& seg : segs) {
    for (const auto& ev : seg.events) {
      if (ev.data_json.size() > ports::kMaxEventDataBytes) {
        return AppendError{AppendErrc::too_large,
                           "The change is too large to record: an event may hold at most " +
                               std::to_string(ports::kMaxEventDataBytes / (std::size_t{1024} * 1024)) + " MiB"};
      }
    }
  }
  return std::nullopt;
}

// One request's outcome against the log as the batch's earlier requests left it. An accepted
// request's changes go into `view` and its rows into `rows`; a refused one changes neither.
ports::AppendResult decide(const ports::AppendRequest& rq, const std::vector<ports::StreamAppend>& segs, LogView& view,
                           BatchRows& rows) {
  if (auto refused = oversized_event(segs)) {
    return std::unexpected(std::move(*refused));
  }
  if (auto replay = replay_of(rq, view.seen)) {
    return std::move(*replay);
  }
  if (auto refused = version_conflict(rq, segs, view.versions)) {
    return std::unexpected(std::move(*refused));
  }
  // Claims and references change in place; a refused request's changes are taken back.
  HeldChanges changes(view.held);
  if (auto refused = try_claims_and_refs(rq, segs, changes)) {
    return std::unexpected(std::move(*refused));
  }
  changes.keep();
  return append_rows(rq, segs, view, rows);
}

// ---- rendering the writes

void add_statement(std::string& writes, const std::string& statement) {
  writes += statement;
  writes += ";\n";
}

// Claims: delete what changed hands or went away, then insert what is new.
void add_claim_changes(pqxx::transaction_base& tx, const std::map<ClaimKey, std::string>& before,
                       const std::map<ClaimKey, std::string>& after, std::string& writes) {
  std::array<ArrayLiteral, 2> del;  // scope, value
  std::array<ArrayLiteral, 3> ins;  // scope, value, stream
  for (const auto& [k, owner] : before) {
    const auto it = after.find(k);
    if (it == after.end() || it->second != owner) {
      del[0].add(k.first);
      del[1].add(k.second);
    }
  }
  for (const auto& [k, owner] : after) {
    const auto it = before.find(k);
    if (it == before.end() || it->second != owner) {
      ins[0].add(k.first);
      ins[1].add(k.second);
      ins[2].add(owner);
    }
  }
  if (!del[0].empty()) {
    add_statement(writes, execute(tx, kDeleteClaims, literals(del)));
  }
  if (!ins[0].empty()) {
    add_statement(writes, execute(tx, kInsertClaims, literals(ins)));
  }
}

// References: the same diff.
void add_ref_changes(pqxx::transaction_base& tx, const std::set<RefRow>& before, const std::set<RefRow>& after,
                     std::string& writes) {
  std::array<ArrayLiteral, 3> del;  // target, source, kind
  std::array<ArrayLiteral, 3> ins;
  const auto add_row = [](std::array<ArrayLiteral, 3>& columns, const RefRow& r) {
    columns[0].add(std::get<0>(r));
    columns[1].add(std::get<1>(r));
    columns[2].add(std::get<2>(r));
  };
  for (const auto& r : before) {
    if (!after.contains(r)) {
      add_row(del, r);
    }
  }
  for (const auto& r : after) {
    if (!before.contains(r)) {
      add_row(ins, r);
    }
  }
  if (!del[0].empty()) {
    add_statement(writes, execute(tx, kDeleteRefs, literals(del)));
  }
  if (!ins[0].empty()) {
    add_statement(writes, execute(tx, kInsertRefs, literals(ins)));
  }
}

// Every write of the batch, for one round trip (a multi-statement simple query runs in the
// transaction like separate statements would): on this kind of machine each round trip costs
// more than the statement itself. Empty when the batch writes nothing.
std::string writes_sql(pqxx::transaction_base& tx, std::int64_t head, const BatchRows& rows,
                       const ClaimsAndRefs& before, const ClaimsAndRefs& after, const std::string& origin) {
  std::string writes;
  if (!rows.events[0].empty()) {
    add_statement(writes, execute(tx, kInsertEvents, literals(rows.events)));
  }
  if (!rows.streams.empty()) {
    std::array<ArrayLiteral, 3> streams;  // stream, type, version
    for (const auto& [id, row] : rows.streams) {
      streams[0].add(id);
      streams[1].add(row.first);
      streams[2].add_number(row.second);
    }
    add_statement(writes, execute(tx, kUpsertStreams, literals(streams)));
  }
  if (!rows.commands[0].empty()) {
    add_statement(writes, execute(tx, kInsertCommands, literals(rows.commands)));
  }
  add_claim_changes(tx, before.claims, after.claims, writes);
  add_ref_changes(tx, before.refs, after.refs, writes);
  if (rows.next != head) {
    add_statement(writes, "UPDATE log_head SET position = " + std::to_string(rows.next) + " WHERE singleton");
    add_statement(writes, "NOTIFY labelfleet_events, " + tx.quote(origin));
  }
  return writes;
}

// Whether the batch failed for what a request wrote — the server refused a statement for its
// content (a data exception, a constraint, a trigger's RAISE), or the client library its text —
// so that the same writes would fail again, rather than for the server's or the connection's
// state (connection, shutdown, resources, lock or serialisation conflicts, a commit of unknown
// outcome), after which the same writes may well succeed.
bool refused_for_content(const std::exception& e) {
  if (dynamic_cast<const pqxx::argument_error*>(&e) != nullptr ||
      dynamic_cast<const pqxx::conversion_error*>(&e) != nullptr) {
    return true;  // thrown while rendering the writes, e.g. text libpq will not escape
  }
  const auto* refusal = dynamic_cast<const pqxx::sql_error*>(&e);
  if (refusal == nullptr) {
    return false;  // the connection, a commit of unknown outcome, a rollback the server chose
  }
  const std::string state = refusal->sqlstate();
  if (state.size() != 5) {
    return false;
  }
  static constexpr std::array<std::string_view, 6> kTransient{"08", "40", "53", "55", "57", "58"};
  return std::find(kTransient.begin(), kTransient.end(), std::string_view(state).substr(0, 2)) == kTransient.end();
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
    : url_(std::move(url)),
      options_(std::move(options)),
      origin_(options_.origin.empty() ? new_uuid() : options_.origin),
      pool_(url_, options_.read_pool_size) {
  appender_ = std::thread([this] {
    name_this_thread("lf-store-writer");
    run();
  });
}

PgEventStore::~PgEventStore() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  appender_.join();
}

void PgEventStore::on_events_committed(std::function<void(const std::vector<domain::RecordedEvent>&)> listener) {
  const std::lock_guard lock(mu_);
  on_events_committed_ = std::move(listener);
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

void PgEventStore::settle(Pending& pending, ports::AppendResult result) {
  if (pending.request.on_outcome) {
    try {
      pending.request.on_outcome(result);
    } catch (const std::exception& e) {
      log::error("append outcome callback failed", {{"error", e.what()}});
    }
  }
  pending.promise.set_value(std::move(result));
}

void PgEventStore::process(std::vector<Pending>& batch) {
  // Outcome per request, decided in memory under the log_head lock, written in one go.
  std::vector<ports::AppendResult> results(batch.size(), std::unexpected(AppendError{AppendErrc::unavailable, ""}));
  std::function<void()> hook;
  std::function<void(const std::vector<domain::RecordedEvent>&)> events_listener;
  std::vector<domain::RecordedEvent> recorded;  // what this batch appended
  {
    const std::lock_guard lock(mu_);
    hook = before_commit_;
    events_listener = on_events_committed_;
  }
  // Every stream a request writes: its own first, then `more`.
  std::vector<std::vector<ports::StreamAppend>> segments;
  segments.reserve(batch.size());
  try {
    ReadSet reads;
    for (auto& p : batch) {
      segments.push_back(take_segments(p.request, reads));
    }
    const auto locked = lock_and_read(writer_, url_, reads);
    auto& tx = *locked.tx;

    auto view = view_of(locked.read);
    const auto held_before = view.held;
    BatchRows rows;
    rows.next = view.head;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      results[i] = decide(batch[i].request, segments[i], view, rows);
    }

    const auto writes = writes_sql(tx, view.head, rows, held_before, view.held, origin_);
    if (hook) {
      // Tests hold the commit here, after the writes reached the server.
      if (!writes.empty()) {
        tx.exec(writes);
      }
      hook();
      tx.exec("COMMIT");
    } else {
      tx.exec(writes.empty() ? std::string("COMMIT") : writes + ";\nCOMMIT");
    }
    ++batches_committed_;
    recorded = std::move(rows.recorded);
  } catch (const std::exception& e) {
    log::error("append batch failed",
               {{"error", e.what()}, log::num("requests", static_cast<long long>(batch.size()))});
    writer_.reset();
    if (refused_for_content(e) && segments.size() == batch.size()) {
      // Nothing was committed, and what one request wrote was refused. Its
      // batch-mates must not pay for it: each request is run again alone, so that only the
      // one whose writes are refused fails (as refused: a retry would be refused too).
      if (batch.size() > 1) {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          give_back_segments(batch[i].request, segments[i]);
        }
        for (auto& p : batch) {
          std::vector<Pending> alone;
          alone.push_back(std::move(p));
          process(alone);
        }
        return;
      }
      settle(batch.front(), std::unexpected(AppendError{AppendErrc::refused, "The event store refused the writes"}));
      return;
    }
    // Nothing of this batch was committed (or we cannot know: the commit may have been lost
    // with the connection). Report unavailable; a retry with the same Idempotency-Key is safe.
    for (auto& p : batch) {
      settle(p, std::unexpected(AppendError{AppendErrc::unavailable, "The event store is unavailable"}));
    }
    return;
  }
  // Before any caller learns of its commit: an in-process cache of stream state is brought up
  // to date (or told to forget) before the command that changed it can answer.
  if (events_listener && !recorded.empty()) {
    events_listener(recorded);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    settle(batch[i], std::move(results[i]));
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
