#include "adapters/kafka/projector.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafkacpp.h>
#include <pqxx/pqxx>

#include "adapters/common/log.hpp"
#include "adapters/kafka/client_support.hpp"
#include "adapters/kafka/envelope.hpp"
#include "adapters/kafka/topology.hpp"
#include "adapters/kafka/worker_support.hpp"
#include "adapters/postgres/connection_pool.hpp"
#include "adapters/postgres/sql_text.hpp"
#include "adapters/projection/checkpoint_news.hpp"
#include "adapters/projection/replay.hpp"
#include "adapters/projection/storable_event.hpp"
#include "projections/sql_batch.hpp"

namespace lf::adapters::kafka {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One consumed message, decoded at once so the librdkafka message can be released.
struct Delivered {
  std::string topic;
  int partition = 0;
  std::int64_t offset = 0;                     // -1: from the local feed, not from Kafka
  std::optional<domain::RecordedEvent> event;  // nullopt: no valid envelope, nothing to apply
  // From the local feed: the previous position in the partition, which must be applied
  // first (-1: unknown, never applied from here). Kafka delivers a partition in order.
  std::optional<std::int64_t> predecessor;
};

// (projection name, partition)
using CheckpointKey = std::pair<std::string, int>;

struct BatchOutcome {
  std::map<CheckpointKey, std::int64_t> checkpoints;  // every (projection, partition) touched -> checkpoint now
  std::uint64_t applied = 0;                          // (event, projection) pairs applied
  std::uint64_t skipped = 0;                          // (event, projection) pairs already applied before
  std::uint64_t deferred = 0;  // (event, projection) pairs from the local feed left to Kafka: predecessor not applied
};

// The projections reading each topic.
using Readers = std::map<std::string, std::vector<const projections::Projection*>>;

// apply_batch's transaction: `names` are the projections it concerns, in lock order.
BatchOutcome apply_in_block(projections::SqlBatch& sql, const Readers& readers, const std::vector<Delivered>& batch,
                            const std::vector<std::string>& names) {
  BatchOutcome outcome;
  sql.add("BEGIN");
  // No fsync wait: the read-model change and its checkpoint commit together, so a crash that
  // loses this transaction loses both, and the events are applied again from Kafka (or from
  // the relay's republish of the log). Writers wait on this commit for read-your-writes.
  sql.add("SET LOCAL synchronous_commit = off");
  for (const auto& name : names) {
    projection::lock_projection(sql, name);
  }
  sql.add(
      "SELECT projection, partition, position FROM projection_checkpoints WHERE projection = ANY($1::text[]) "
      "FOR UPDATE",
      pg::text_array(names));
  std::map<CheckpointKey, std::int64_t> checkpoints;
  for (const auto& row : sql.flush()) {  // the last statement's rows
    checkpoints[{row[0].as<std::string>(), row[1].as<int>()}] = row[2].as<std::int64_t>();
  }

  std::map<CheckpointKey, std::int64_t> moved;
  for (const auto& message : batch) {
    const auto it = readers.find(message.topic);
    if (!message.event || it == readers.end()) {
      continue;
    }
    for (const auto* projection : it->second) {
      const CheckpointKey key{projection->name(), message.partition};
      auto& checkpoint = checkpoints[key];  // 0 for a partition never applied
      if (message.event->position <= checkpoint) {
        // Already applied: a redelivery, a relay retry, the embedded republish, or the
        // local feed was first.
        ++outcome.skipped;
      } else if (message.predecessor && *message.predecessor != checkpoint) {
        // From the local feed, and an earlier event of the partition is not applied yet:
        // Kafka brings both, in order.
        ++outcome.deferred;
      } else {
        projection::apply_storable(*projection, sql, *message.event);
        checkpoint = message.event->position;
        moved[key] = checkpoint;
        ++outcome.applied;
      }
      outcome.checkpoints[key] = checkpoint;
    }
  }
  if (!moved.empty()) {
    std::string values;
    for (const auto& [key, position] : moved) {
      values += (values.empty() ? "" : ", ") +
                sql.render("($1::text, $2::integer, $3::bigint, now())", key.first, key.second, position);
    }
    sql.add("INSERT INTO projection_checkpoints (projection, partition, position, updated_at) VALUES " + values +
            " ON CONFLICT (projection, partition) DO UPDATE SET position = excluded.position, updated_at = now()");
    // api processes waiting for these positions hear it at the commit (checkpoint_news.hpp).
    std::vector<projection::Checkpoint> news;
    news.reserve(moved.size());
    for (const auto& [key, position] : moved) {
      news.push_back({key.first, key.second, position});
    }
    sql.add("SELECT pg_notify($1::text, $2::text)", projection::kCheckpointChannel,
            projection::encode_checkpoints(news));
  }
  sql.add("COMMIT");
  sql.flush();
  return outcome;
}

// The whole batch in one transaction, for every projection it concerns: read-model changes and
// checkpoints commit together. Two round trips whatever the batch's size: BEGIN, the locks and
// the checkpoints; then every statement of the batch's events, the moved checkpoints, their
// news and COMMIT (the block is the batch's own, not libpqxx's, which would add a round trip for
// each of BEGIN and COMMIT).
// `prepared`: the statements `conn` has prepared (each projection's statements are parsed and
// planned once per connection, then executed).
BatchOutcome apply_batch(pqxx::connection& conn, projections::PreparedStatements& prepared, const Readers& readers,
                         const std::vector<Delivered>& batch) {
  // The projections this batch concerns, by name: locks are always taken in name order, so two
  // projector instances (or a replay) can queue behind each other but never deadlock.
  std::map<std::string, const projections::Projection*> touched;
  for (const auto& message : batch) {
    const auto it = readers.find(message.topic);
    if (message.event && it != readers.end()) {
      for (const auto* p : it->second) {
        touched.emplace(p->name(), p);
      }
    }
  }
  if (touched.empty()) {
    return {};  // nothing but messages without an event: no transaction at all
  }
  std::vector<std::string> names;
  names.reserve(touched.size());
  for (const auto& entry : touched) {
    names.push_back(entry.first);
  }
  pqxx::nontransaction tx(conn);
  projections::SqlBatch sql(tx, &prepared, projections::SqlBatch::OwnBlock{});
  try {
    return apply_in_block(sql, readers, batch, names);
  } catch (...) {
    // End the block the failure left open (aborted), so the connection can be used again; a
    // lost connection is the caller's to replace.
    try {
      tx.exec("ROLLBACK");
    } catch (const std::exception&) {
      // Ignored: the first failure is the one to report.
    }
    throw;
  }
}

std::map<int, std::int64_t> read_checkpoints(pqxx::connection& conn, const std::string& name) {
  pqxx::read_transaction tx(conn);
  std::map<int, std::int64_t> out;
  for (const auto& row :
       tx.exec_params("SELECT partition, position FROM projection_checkpoints WHERE projection = $1", name)) {
    out[row[0].as<int>()] = row[1].as<std::int64_t>();
  }
  return out;
}

void create_tables(pqxx::connection& conn, const projections::Projection& projection) {
  pqxx::work tx(conn);
  projection::lock_projection(tx, projection.name());
  projection.create(tx);
  tx.commit();
}

// Kafka offsets are only where to resume reading; the checkpoints say what is applied.
void commit_offsets(RdKafka::KafkaConsumer& consumer, const std::vector<Delivered>& batch, const std::string& name) {
  std::map<std::pair<std::string, int>, std::int64_t> next;
  for (const auto& m : batch) {
    auto& offset = next[{m.topic, m.partition}];
    offset = std::max(offset, m.offset + 1);
  }
  std::vector<RdKafka::TopicPartition*> offsets;
  offsets.reserve(next.size());
  for (const auto& [tp, offset] : next) {
    offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, offset));
  }
  if (const auto err = consumer.commitAsync(offsets); err != RdKafka::ERR_NO_ERROR) {
    // Harmless: at worst the messages are read again and skipped by the checkpoints.
    log::write(log::Level::debug, "projector could not commit Kafka offsets",
               {{"projection", name}, {"error", describe(err)}});
  }
  RdKafka::TopicPartition::destroy(offsets);
}

// Subscribes to `topics` in the consumer group, or (every_partition) takes all their partitions
// without a group, each from its committed offset (else from the start: auto.offset.reset).
RdKafka::ErrorCode join_or_assign(RdKafka::KafkaConsumer& consumer, const std::vector<std::string>& topics,
                                  bool every_partition) {
  if (!every_partition) {
    return consumer.subscribe(topics);
  }
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& topic : topics) {
    for (int partition = 0; partition < kPartitions; ++partition) {
      partitions.push_back(RdKafka::TopicPartition::create(topic, partition, RdKafka::Topic::OFFSET_STORED));
    }
  }
  const auto err = consumer.assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  return err;
}

Readers readers_of(const std::vector<std::shared_ptr<const projections::Projection>>& projections) {
  Readers readers;
  for (const auto& p : projections) {
    readers[topic_for(p->stream_types().front())].push_back(p.get());
  }
  return readers;
}

// True when every (event, projection) pair of the batch is applied already as far as this
// process knows (the board only moves to committed checkpoints, and checkpoints never move
// back): then no transaction is needed to skip them. The embedded republish at start and the
// Kafka copies of what the local feed applied first are such batches.
bool all_applied(const std::vector<Delivered>& batch, const Readers& readers, projection::ProgressBoard& board,
                 std::uint64_t& pairs) {
  pairs = 0;
  for (const auto& message : batch) {
    const auto it = readers.find(message.topic);
    if (!message.event || it == readers.end()) {
      continue;
    }
    for (const auto* projection : it->second) {
      if (board.applied(projection->name(), message.partition) < message.event->position) {
        return false;
      }
      ++pairs;
    }
  }
  return true;
}

}  // namespace

std::string projector_group_id(const std::string& projection) { return "labelfleet-projection-" + projection; }

ProjectorRuntime::ProjectorRuntime(std::shared_ptr<const projections::Projection> projection, ProjectorConfig config,
                                   projection::ProgressBoard& board)
    : ProjectorRuntime(std::vector{std::move(projection)}, std::move(config), board) {}

ProjectorRuntime::ProjectorRuntime(std::vector<std::shared_ptr<const projections::Projection>> projections,
                                   ProjectorConfig config, projection::ProgressBoard& board)
    : projections_(std::move(projections)), config_(std::move(config)), board_(board) {
  if (projections_.empty() || std::ranges::any_of(projections_, [](const auto& p) { return !p; })) {
    throw std::invalid_argument("projector: no projection");
  }
  for (const auto& p : projections_) {
    if (p->stream_types().size() != 1) {
      throw std::invalid_argument("projector: projection " + p->name() +
                                  " must read exactly one stream type (checkpoints are per partition, not per topic)");
    }
    name_ += (name_.empty() ? "" : ",") + p->name();
  }
  if (config_.group_id.empty()) {
    config_.group_id = projections_.size() == 1 ? projector_group_id(name_) : std::string(kSharedProjectorGroup);
  }
  if (config_.max_batch == 0) {
    config_.max_batch = 1;
  }
}

ProjectorRuntime::~ProjectorRuntime() { stop(); }

void ProjectorRuntime::start() {
  const std::lock_guard lock(lifecycle_mu_);
  if (thread_.joinable()) {
    return;
  }
  if (config_.local_feed) {
    local_thread_ = start_worker("lf-projector-l", "projector " + name_ + ": local feed",
                                 [this](const std::stop_token& stop) { run_local(stop); });
  }
  thread_ = start_worker("lf-projector", "projector " + name_, [this](const std::stop_token& stop) { run(stop); });
}

void ProjectorRuntime::stop() {
  const std::lock_guard lock(lifecycle_mu_);
  if (local_thread_.joinable()) {
    local_thread_.request_stop();
    local_thread_.join();
  }
  if (!thread_.joinable()) {
    return;
  }
  thread_.request_stop();
  thread_.join();
}

void ProjectorRuntime::run_local(const std::stop_token& stop) {
  while (!stop.stop_requested() && !wait_ready(100ms)) {
    // The tables first: until then the feed only queues (and Kafka brings everything anyway).
  }
  const Readers readers = readers_of(projections_);
  std::unique_ptr<pqxx::connection> db;
  projections::PreparedStatements prepared;
  std::vector<Delivered> batch;
  while (!stop.stop_requested()) {
    batch.clear();
    for (auto& fed : config_.local_feed->take(config_.max_batch, 100ms, stop)) {
      // Without a known predecessor an event can only be applied from Kafka.
      if (fed.predecessor >= 0 && readers.contains(fed.topic)) {
        batch.push_back(Delivered{std::move(fed.topic), fed.partition, -1, std::move(fed.event), fed.predecessor});
      }
    }
    if (std::uint64_t known = 0; batch.empty() || all_applied(batch, readers, board_, known)) {
      continue;
    }
    try {
      if (!db) {
        db = pg::connect(config_.database_url);
        prepared = projections::PreparedStatements();
      }
      const auto outcome = apply_batch(*db, prepared, readers, batch);
      applied_locally_ += outcome.applied;
      deferred_locally_ += outcome.deferred;
      for (const auto& [key, position] : outcome.checkpoints) {
        board_.advance(key.first, key.second, position);
      }
    } catch (const std::exception& e) {
      // Nothing is lost: Kafka brings these events too, and the Kafka path retries and
      // reports its own failures.
      log::write(is_connection_loss(e) ? log::Level::debug : log::Level::warn,
                 "projector could not apply events from the local feed; Kafka brings them",
                 {{"projection", name_}, {"error", e.what()}});
      db.reset();
    }
  }
}

bool ProjectorRuntime::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(ready_mu_);
  return ready_cv_.wait_for(lock, timeout, [&] { return ready_; });
}

void ProjectorRuntime::set_ready() {
  {
    const std::lock_guard lock(ready_mu_);
    ready_ = true;
  }
  ready_cv_.notify_all();
}

void ProjectorRuntime::run(const std::stop_token& stop) {
  const Readers readers = readers_of(projections_);
  std::vector<std::string> topics;
  for (const auto& entry : readers) {
    topics.push_back(entry.first);
  }
  std::string topic_names;
  for (const auto& t : topics) {
    topic_names += (topic_names.empty() ? "" : ",") + t;
  }
  std::unique_ptr<pqxx::connection> db;
  projections::PreparedStatements prepared;  // db's; a new connection starts without any
  Backoff backoff(100ms, 5s);
  bool pg_down = false;

  // After a failed Postgres step: a lost connection is replaced (and reported once per
  // outage); other errors were logged by the caller. Then wait before the retry.
  const auto after_db_failure = [&](const std::exception& e) {
    if (is_connection_loss(e)) {
      if (!pg_down) {
        log::warn("projector lost postgres; reconnecting", {{"projection", name_}, {"error", e.what()}});
        pg_down = true;
      }
      db.reset();
    }
    sleep_unless_stopped(stop, backoff.next());
  };
  const auto ensure_db = [&] {
    if (!db) {
      db = pg::connect(config_.database_url);
      prepared = projections::PreparedStatements();
      if (pg_down) {
        log::info("projector reconnected to postgres", {{"projection", name_}});
        pg_down = false;
      }
    }
  };

  // 1. Tables, and the board from what is already applied.
  while (!stop.stop_requested()) {
    try {
      ensure_db();
      for (const auto& p : projections_) {
        create_tables(*db, *p);
        for (const auto& [partition, position] : read_checkpoints(*db, p->name())) {
          board_.advance(p->name(), partition, position);
        }
      }
      backoff.reset();
      break;
    } catch (const std::exception& e) {
      if (!is_connection_loss(e)) {
        log::error("projector cannot prepare its tables", {{"projection", name_}, {"error", e.what()}});
      }
      after_db_failure(e);
    }
  }

  // 2. The consumer.
  LogBridge logs("labelfleet-projector-" + name_);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  while (!stop.stop_requested() && !consumer) {
    try {
      auto conf = make_conf({
          {"bootstrap.servers", config_.brokers},
          {"group.id", config_.group_id},
          {"client.id", "labelfleet-projector-" + name_},
          // Offsets are committed by hand after the Postgres commit, and are only a hint.
          {"enable.auto.commit", "false"},
          {"auto.offset.reset", "earliest"},
          {"session.timeout.ms", std::to_string(config_.session_timeout.count())},
          {"socket.nagle.disable", "true"},
          // The mock broker holds a fetch for fetch.wait.max.ms even when data arrives, and
          // every write waits for its projection (read-your-writes): keep the hold short.
          {"fetch.wait.max.ms", "5"},
      });
      set_callback(*conf, "event_cb", static_cast<RdKafka::EventCb*>(&logs));
      std::string errstr;
      consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
      if (!consumer) {
        throw std::runtime_error(errstr);
      }
      if (const auto err = join_or_assign(*consumer, topics, config_.every_partition); err != RdKafka::ERR_NO_ERROR) {
        consumer->close();
        consumer.reset();
        throw std::runtime_error((config_.every_partition ? "assign " : "subscribe to ") + topic_names + ": " +
                                 describe(err));
      }
    } catch (const std::exception& e) {
      log::error("projector cannot create its Kafka consumer", {{"projection", name_}, {"error", e.what()}});
      sleep_unless_stopped(stop, backoff.next());
    }
  }
  if (!consumer) {
    return;  // stopped before it could start
  }
  backoff.reset();
  set_ready();
  log::info("projector started", {{"projection", name_},
                                  {"topics", topic_names},
                                  {"group", config_.group_id},
                                  {"partitions", config_.every_partition ? "all, assigned" : "from the group"}});

  // 3. Batches.
  std::vector<Delivered> batch;
  while (!stop.stop_requested()) {
    batch.clear();
    // Wait (up to 100 ms, then look at stop again) for a first message; then take what is
    // already fetched, up to max_batch messages or max_batch_wait. A lone event is applied at
    // once (a writer may be waiting for it); a backlog goes in big transactions.
    std::optional<Clock::time_point> deadline;  // set by the batch's first message
    while (batch.size() < config_.max_batch && !stop.stop_requested()) {
      if (deadline && Clock::now() >= *deadline) {
        break;
      }
      const std::unique_ptr<RdKafka::Message> message(consumer->consume(deadline ? 0 : 100));
      const auto err = message->err();
      if (err == RdKafka::ERR__TIMED_OUT) {
        break;
      }
      if (err == RdKafka::ERR__PARTITION_EOF) {
        continue;
      }
      if (err != RdKafka::ERR_NO_ERROR) {
        log::warn("projector consumer error",
                  {{"projection", name_}, {"error", describe(err)}, {"detail", message->errstr()}});
        break;
      }
      Delivered d{message->topic_name(), message->partition(), message->offset(), std::nullopt};
      if (auto event = decode_event(*message); event) {
        d.event = std::move(*event);
      } else {
        ++rejected_;
        log::error("projector skipped a message without a valid event envelope", {{"projection", name_},
                                                                                  {"topic", d.topic},
                                                                                  log::num("partition", d.partition),
                                                                                  log::num("offset", d.offset),
                                                                                  {"error", event.error()}});
      }
      batch.push_back(std::move(d));
      if (!deadline) {
        deadline = Clock::now() + config_.max_batch_wait;
      }
    }
    if (batch.empty()) {
      continue;
    }
    if (std::uint64_t known = 0; all_applied(batch, readers, board_, known)) {
      skipped_ += known;
      commit_offsets(*consumer, batch, name_);
      continue;
    }

    // The same batch until it commits: the messages are only in memory now. An error in the
    // projection itself halts it here (loudly) rather than skipping an event, which would
    // leave a read model that no replay reproduces.
    std::optional<BatchOutcome> outcome;
    while (!outcome && !stop.stop_requested()) {
      try {
        ensure_db();
        outcome = apply_batch(*db, prepared, readers, batch);
        backoff.reset();
      } catch (const std::exception& e) {
        if (!is_connection_loss(e)) {
          log::error("projector cannot apply a batch; retrying", {{"projection", name_},
                                                                  {"error", e.what()},
                                                                  {"topic", batch.front().topic},
                                                                  log::num("first_offset", batch.front().offset),
                                                                  log::num("last_offset", batch.back().offset)});
        }
        after_db_failure(e);
      }
    }
    if (!outcome) {
      break;  // stopped; the batch is read again by whoever owns the partitions next
    }
    applied_from_kafka_ += outcome->applied;
    skipped_ += outcome->skipped;
    commit_offsets(*consumer, batch, name_);
    for (const auto& [key, position] : outcome->checkpoints) {
      board_.advance(key.first, key.second, position);
    }
  }

  // Leave the group now, so the partitions move to another instance without waiting for
  // the session to time out.
  if (const auto err = consumer->close(); err != RdKafka::ERR_NO_ERROR) {
    log::warn("projector consumer did not close cleanly", {{"projection", name_}, {"error", describe(err)}});
  }
  log::info("projector stopped", {{"projection", name_}, log::num("applied", static_cast<long long>(applied()))});
}

}  // namespace lf::adapters::kafka
