#!/usr/bin/env bash
# What `make run` runs: install the Debian packages, build, start the private PostgreSQL cluster in
# ${LABELFLEET_RUN_DIR:-.run}/pg (kept between runs), and run `build/labelfleet serve` in the foreground:
# API + relay + projector, and an embedded Kafka (librdkafka's mock cluster) unless KAFKA_BROKERS is set.
# Ctrl-C (or SIGTERM) stops the server, then the PostgreSQL this script started.
#
# Environment (all optional):
#   LABELFLEET_RUN_DIR    run directory (default .run): pg/ (the cluster), kafka.bootstrap, …
#   LABELFLEET_PG_PORT    port of the private cluster on 127.0.0.1 (default 55432)
#   LABELFLEET_HTTP_PORT  HTTP port of the API (default 8080)
#   KAFKA_BROKERS         use a real Kafka instead of the embedded one
#   DATABASE_URL          use this database instead of starting the private cluster
#   LABELFLEET_JOBS       build parallelism (default 2)
#   LABELFLEET_BUILD_DIR  build directory (default build)
#   LABELFLEET_BINARY     run this executable instead of $LABELFLEET_BUILD_DIR/labelfleet
#   LABELFLEET_SKIP_DEPS=1, LABELFLEET_SKIP_BUILD=1   skip those steps
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

RUN_DIR=${LABELFLEET_RUN_DIR:-.run}
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd -P)
export LABELFLEET_RUN_DIR="$RUN_DIR"
PG_PORT=${LABELFLEET_PG_PORT:-55432}
HTTP_PORT=${LABELFLEET_HTTP_PORT:-8080}
BUILD_DIR=${LABELFLEET_BUILD_DIR:-build}
BIN=${LABELFLEET_BINARY:-$BUILD_DIR/labelfleet}  # relative paths are relative to the repository root

if [ "${LABELFLEET_SKIP_DEPS:-0}" != 1 ]; then
  scripts/install-deps.sh
fi
if [ "${LABELFLEET_SKIP_BUILD:-0}" != 1 ]; then
  # No -DLABELFLEET_WERROR here: the cache keeps whatever the last configure chose, so switching
  # between `make run` and `make test` does not rebuild everything.
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build "$BUILD_DIR" -j "${LABELFLEET_JOBS:-2}"
fi
[ -x "$BIN" ] || { echo "run.sh: $BIN was not built" >&2; exit 1; }

server_pid=""
pg_started=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: stopping labelfleet (pid $server_pid)" >&2
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "run.sh: labelfleet did not stop within 10 s, killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$pg_started" = 1 ]; then
    echo "run.sh: stopping PostgreSQL" >&2
    scripts/pg.sh stop "$RUN_DIR" || true
  fi
  exit "$rc"
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  if ! scripts/pg.sh status "$RUN_DIR" >/dev/null 2>&1; then
    pg_started=1
  fi
  scripts/pg.sh start "$RUN_DIR" "$PG_PORT"
  DATABASE_URL=$(scripts/pg.sh url "$RUN_DIR")
fi
export DATABASE_URL
# A first admin for development (created only while the database holds no user).
export LABELFLEET_ADMIN_EMAIL=${LABELFLEET_ADMIN_EMAIL:-admin@fleet.local}
export LABELFLEET_ADMIN_PASSWORD=${LABELFLEET_ADMIN_PASSWORD:-labelfleet-dev}

pg_data="$RUN_DIR/pg"
cat <<EOF

  LabelFleet (all in one: api + relay + projector$([ -z "${KAFKA_BROKERS:-}" ] && echo " + embedded Kafka"))
  API           http://127.0.0.1:$HTTP_PORT/api/health
  DATABASE_URL  $DATABASE_URL
  psql          psql "$DATABASE_URL"
  login         curl -XPOST http://127.0.0.1:$HTTP_PORT/api/auth/login -d 'email=$LABELFLEET_ADMIN_EMAIL&password=…'
EOF
if [ "$pg_started" = 1 ] || scripts/pg.sh status "$RUN_DIR" >/dev/null 2>&1; then
  cat <<EOF
  PG data dir   $pg_data$([ -L "$pg_data" ] && echo " -> $(readlink -f "$pg_data")")
  PG log        $(readlink -f "$pg_data")/server.log
EOF
fi
if [ -z "${KAFKA_BROKERS:-}" ]; then
  cat <<EOF
  Kafka         embedded; its address is written to $RUN_DIR/kafka.bootstrap once the server is up
  topics        kcat -b "\$(cat $RUN_DIR/kafka.bootstrap)" -L
  watch         kcat -b "\$(cat $RUN_DIR/kafka.bootstrap)" -C -t labelfleet.role.v1 -f '%k %s\n'
EOF
else
  cat <<EOF
  Kafka         $KAFKA_BROKERS
  topics        kcat -b "$KAFKA_BROKERS" -L
EOF
fi
cat <<EOF
  Ctrl-C stops the server$([ "$pg_started" = 1 ] && echo " and PostgreSQL").

EOF

# The server runs as a child we wait for, so a signal to this script (Ctrl-C reaches the whole
# foreground process group; a plain `kill` reaches only us) always ends in the same orderly stop:
# SIGTERM to the server, wait for it, then stop PostgreSQL.
"$BIN" serve &
server_pid=$!
signals=0
forward() {
  signals=$((signals + 1))
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    if [ "$signals" -ge 2 ]; then
      echo "run.sh: second signal, killing labelfleet" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    else
      kill -TERM "$server_pid" 2>/dev/null || true
    fi
  fi
}
trap forward INT TERM

set +e
wait "$server_pid"
rc=$?
# `wait` returns early when a trapped signal arrives: wait again until the server has really exited.
while kill -0 "$server_pid" 2>/dev/null; do
  wait "$server_pid"
  rc=$?
done
set -e
server_pid=""
echo "run.sh: labelfleet exited with status $rc" >&2
exit "$rc"
