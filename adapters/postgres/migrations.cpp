#include "adapters/postgres/migrations.hpp"

#include <array>

#include "adapters/common/log.hpp"
#include "adapters/postgres/connection_pool.hpp"

namespace lf::adapters::pg {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Append new migrations at the end; never edit one that has shipped.
constexpr std::array kMigrations{
    Migration{1, "event_store", R"sql(
-- The log. position is dense and assigned in commit order by the appender, which holds
-- the log_head row lock until commit (see docs/adr/0002-global-ordering.md).
CREATE TABLE events (
  position       bigint      PRIMARY KEY,
  event_id       uuid        NOT NULL UNIQUE,
  stream_id      text        NOT NULL,
  stream_type    text        NOT NULL,
  stream_version bigint      NOT NULL CHECK (stream_version > 0),
  event_type     text        NOT NULL,
  schema_version int         NOT NULL,
  data           json        NOT NULL,
  metadata       json        NOT NULL,
  recorded_at    timestamptz NOT NULL,
  CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_stream_type_position ON events (stream_type, position);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TABLE log_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position  bigint  NOT NULL
);
INSERT INTO log_head VALUES (true, 0);

-- Current version per stream: the optimistic-concurrency check reads one row, not max().
CREATE TABLE streams (
  stream_id   text   PRIMARY KEY,
  stream_type text   NOT NULL,
  version     bigint NOT NULL
);

-- Idempotency-Key -> the first answer.
CREATE TABLE commands (
  idempotency_key text        PRIMARY KEY,
  fingerprint     text        NOT NULL,
  stream_id       text        NOT NULL,
  status          int         NOT NULL,
  body            text        NOT NULL,
  first_position  bigint,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);

-- Values unique across streams (role names, later annotator emails).
CREATE TABLE unique_claims (
  scope     text NOT NULL,
  value     text NOT NULL,
  stream_id text NOT NULL,
  PRIMARY KEY (scope, value)
);

CREATE TABLE relay_checkpoint (
  singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  position   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO relay_checkpoint VALUES (true, 0, now());

-- Last applied global position per projection and Kafka partition, written in the same
-- transaction as the read-model change.
CREATE TABLE projection_checkpoints (
  projection text        NOT NULL,
  partition  int         NOT NULL,
  position   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, partition)
);

CREATE SEQUENCE role_ids;
CREATE SEQUENCE setting_ids;
)sql"},
    Migration{2, "accounts", R"sql(
CREATE SEQUENCE user_ids;
CREATE SEQUENCE api_key_ids;
)sql"},
    Migration{3, "fleet_admin", R"sql(
-- Current references between streams (docs/adr/0008), kept by the appender in the same
-- transaction as the events that make or drop them. Derived from the log like unique_claims.
CREATE TABLE stream_refs (
  target text NOT NULL,
  source text NOT NULL,
  kind   text NOT NULL,
  PRIMARY KEY (target, source, kind)
);
CREATE INDEX stream_refs_source ON stream_refs (source);

CREATE SEQUENCE annotator_ids;
CREATE SEQUENCE labeling_config_ids;
CREATE SEQUENCE gold_task_ids;
CREATE SEQUENCE workflow_ids;
)sql"},
};

}  // namespace

int migrate(const std::string& url) {
  auto conn = connect(url);
  int applied = 0;
  {
    pqxx::nontransaction nt(*conn);
    nt.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
  }
  for (const auto& m : kMigrations) {
    pqxx::work tx(*conn);
    tx.exec("SELECT pg_advisory_xact_lock(7206001)");  // one migrator at a time
    const auto done = tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
    if (!done.empty()) {
      continue;
    }
    tx.exec(m.sql);
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name);
    tx.commit();
    ++applied;
    log::info("migration applied", {log::num("version", m.version), {"name", m.name}});
  }
  return applied;
}

}  // namespace lf::adapters::pg
