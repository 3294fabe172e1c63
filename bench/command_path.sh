#!/usr/bin/env bash
# Command-path benchmark (not part of `make test`; see bench/README.md).
#
#   1. Starts a private PostgreSQL cluster (scripts/pg.sh) in $BENCH_DIR on a free port.
#   2. pgbench: one-row INSERT transactions (jsonb payload of ~300 bytes), 16 clients, 2 threads
#      -> the tps ceiling of durable single-row commits on this machine.
#   3. build/labelfleet serve on a free port against a fresh database in the same cluster, then
#      wrk -t2 -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency -s bench/roles.lua
#      (POST /api/roles + PUT /api/roles/<id>).
#   4. The HTTP floor: wrk on GET /api/version, the server's CPU per request without the command path.
#   5. Prints requests/s, p50, p99, errors, the pgbench tps and requests/s ÷ pgbench tps.
# Everything it started is stopped and deleted at exit.
#
# Environment (all optional):
#   BENCH_DURATION        seconds per measured run, wrk and pgbench alike (default 15)
#   BENCH_CONNECTIONS     wrk connections (default 128)
#   BENCH_THREADS         wrk threads and pgbench threads (default 2)
#   BENCH_PG_CLIENTS      pgbench clients (default 16)
#   BENCH_WARMUP          seconds of wrk warm-up before the measured run, not counted (default 3; 0 = none)
#   BENCH_UPDATE_RATIO    share of PUTs in the mix (default 0.5, read by roles.lua)
#   BENCH_FLUSH_DELAY_US  microseconds every fsync/fdatasync of the cluster sleeps first (default 0):
#                         a slower disk's durable flush, simulated by bench/slow_flush.c (LD_PRELOAD)
#   BENCH_FLOOR_DURATION  seconds of the HTTP floor run (default 5)
#   BENCH_PGBENCH_ONLY=1  stop after the pgbench ceiling (no labelfleet needed)
#   BENCH_KEEP=1          keep $BENCH_DIR (cluster data and logs) after the run
#   BENCH_DIR             working directory (default bench/.run)
#   BENCH_AUTH_HEADER     header line for every request; default: log in as the admin below
#   BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD   the first admin the server creates (LABELFLEET_ADMIN_*)
#   LABELFLEET_BINARY     the executable (default build/labelfleet)
#   LABELFLEET_HTTP_THREADS, LABELFLEET_LOG_LEVEL, …  passed to the server as they are
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-128}
THREADS=${BENCH_THREADS:-2}
PG_CLIENTS=${BENCH_PG_CLIENTS:-16}
WARMUP=${BENCH_WARMUP:-3}
BENCH_DIR=${BENCH_DIR:-$ROOT/bench/.run}
BIN=${LABELFLEET_BINARY:-$ROOT/build/labelfleet}
PG_BIN=/usr/lib/postgresql/15/bin

for tool in wrk curl "$PG_BIN/pgbench" "$PG_BIN/psql"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
if [ "${BENCH_PGBENCH_ONLY:-0}" != 1 ] && [ ! -x "$BIN" ]; then
  echo "bench: $BIN is missing; run 'make build' first" >&2
  exit 1
fi

server_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    scripts/pg.sh stop "$BENCH_DIR" >/dev/null 2>&1 || true
    echo "bench: kept $BENCH_DIR" >&2
  else
    scripts/pg.sh destroy "$BENCH_DIR" >/dev/null 2>&1 || true
    rm -rf "$BENCH_DIR"
  fi
  [ -z "${shim_dir:-}" ] || rm -rf "$shim_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "==> private PostgreSQL cluster in $BENCH_DIR"
scripts/pg.sh destroy "$BENCH_DIR" >/dev/null 2>&1 || true
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
# A slower disk, when asked for: the server (and pg_test_fsync below) sleep before every flush.
FLUSH_DELAY_US=${BENCH_FLUSH_DELAY_US:-0}
preload=()
if [ "$FLUSH_DELAY_US" -gt 0 ] 2>/dev/null; then
  command -v cc >/dev/null || { echo "bench: BENCH_FLUSH_DELAY_US needs a C compiler (cc)" >&2; exit 1; }
  # In a directory the "postgres" OS user can read, whoever runs the benchmark.
  shim_dir=$(mktemp -d /tmp/labelfleet-slow-flush.XXXXXX)
  chmod 755 "$shim_dir"
  cc -O2 -shared -fPIC -o "$shim_dir/slow_flush.so" bench/slow_flush.c -ldl
  chmod 755 "$shim_dir/slow_flush.so"
  preload=(env LD_PRELOAD="$shim_dir/slow_flush.so" LF_FLUSH_DELAY_US="$FLUSH_DELAY_US")
  echo "    every fsync/fdatasync of the cluster waits ${FLUSH_DELAY_US} µs first (bench/slow_flush.c)"
fi
"${preload[@]}" scripts/pg.sh start "$BENCH_DIR" "$(scripts/pg.sh free-port)"
# The durable flush this cluster pays per commit (PostgreSQL's default wal_sync_method on Linux),
# the first thing to know when reading the ratio: pg_test_fsync's fdatasync line, one second.
FLUSH=$(timeout 5 "${preload[@]}" "$PG_BIN/pg_test_fsync" -s 1 -f "$BENCH_DIR/flush_test" 2>/dev/null \
        | grep -m1 -E '^ +fdatasync ' | awk '{print $(NF-1)}' || true)
rm -f "$BENCH_DIR/flush_test"
FLUSH=${FLUSH:-?}
echo "    fdatasync: $FLUSH µs per 8 kB write (pg_test_fsync)"
ADMIN_URL=$(scripts/pg.sh url "$BENCH_DIR" postgres)
psql_admin() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" "$@"; }
psql_admin -c "select version()" -tA | sed 's/^/    /'
psql_admin -tA -c "select '    fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit') || ' shared_buffers=' || current_setting('shared_buffers')"

# CPU time, in seconds, for the report's "CPU per transaction" lines. The cluster's: what its
# postmaster's finished children used (it reaps every backend) plus its live processes'.
TICKS=$(getconf CLK_TCK)
cluster_cpu() {
  local pm total t c
  pm=$(head -1 "$BENCH_DIR/pg/postmaster.pid")
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do
    t=$(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null) && total=$((total + t))
  done
  awk -v t="$total" -v hz="$TICKS" 'BEGIN { printf "%.2f", t / hz }'
}
process_cpu() { awk -v hz="$TICKS" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# Per thread name of process $1: "name cpu_ticks context_switches", one line each (the server
# names its threads: lf-http-io, lf-http-worker, lf-store-writer, lf-relay, lf-projector;
# librdkafka's are rdk:*). Threads that end between two snapshots drop out of the difference.
thread_stats() {
  local t files=()
  for t in /proc/"$1"/task/*; do files+=("$t/stat" "$t/status"); done
  awk 'FILENAME ~ /stat$/ && FNR == 1 { cur = $2; gsub(/[()]/, "", cur); ticks[cur] += $14 + $15; next }
       /^(non)?voluntary_ctxt_switches:/ { sw[cur] += $2 }
       END { for (n in ticks) print n, ticks[n], sw[n] }' "${files[@]}" 2>/dev/null | sort
}
# "name µs-of-CPU/switches" per command for each thread name, busiest first, then the total
# switches: thread_report <before> <after> <commands>.
thread_report() {
  join "$1" "$2" | awk -v n="$3" -v hz="$TICKS" '
    { cpu = ($4 - $2) * 1e6 / hz / n; sw = ($5 - $3) / n; total += sw; line[NR] = sprintf("%.0f %s %.0f µs/%.1f", cpu, $1, cpu, sw) }
    END { for (i in line) print line[i]; printf "-1 = %.1f switches\n", total }' |
    sort -rn | cut -d' ' -f2- | paste -sd',' | sed 's/,/, /g; s/, = / = /'
}
# User + system time of this shell's finished children (pgbench, wrk), from bash's `times`: it
# must run in this shell, not in a $(...) subshell, whose own children start from zero.
snapshot_children() { times >"$BENCH_DIR/times.$1"; }
children_cpu() {
  tail -1 "$BENCH_DIR/times.$1" |
    awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2] } printf "%.2f", n }'
}
# Microseconds of CPU per unit: per_unit <cpu seconds before> <after> <units>.
per_unit() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1e6 / n; else print "?" }'; }

# ---- 1. pgbench ceiling
echo "==> pgbench: one-row INSERT with a ~300-byte jsonb payload, $PG_CLIENTS clients, $THREADS threads, ${DURATION}s"
psql_admin -c "create database pgbench_ceiling"
PGBENCH_URL=$(scripts/pg.sh url "$BENCH_DIR" pgbench_ceiling)
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$PGBENCH_URL" <<'SQL'
create table bench_events (
  id bigserial primary key,
  stream_id text not null,
  recorded_at timestamptz not null default now(),
  payload jsonb not null
);
SQL
script="$BENCH_DIR/insert.sql"
# The payload is the shape of a role.created event: ~300 bytes once the variables are filled in.
cat >"$script" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO bench_events (stream_id, payload) VALUES ('role-' || :n, ('{"id": ' || :n || ', "name": "bench-role-' || :n || '", "description": "benchmark role for the command path; benchmark role for the command path; benchmark role for the command path; one row per transaction", "color": "#3B82F6", "createdAt": "2026-01-01T00:00:00.000Z", "by": "bench"}')::jsonb);
SQL
pg_cpu_0=$(cluster_cpu)
snapshot_children pgbench.0
"$PG_BIN/pgbench" -n -M prepared -c "$PG_CLIENTS" -j "$THREADS" -T "$DURATION" -P 5 -f "$script" "$PGBENCH_URL" \
  2>&1 | tee "$BENCH_DIR/pgbench.log"
snapshot_children pgbench.1
pg_cpu_1=$(cluster_cpu)
client_cpu_0=$(children_cpu pgbench.0)
client_cpu_1=$(children_cpu pgbench.1)
PG_TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$BENCH_DIR/pgbench.log" | tail -1)
[ -n "$PG_TPS" ] || PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$BENCH_DIR/pgbench.log" | tail -1)
[ -n "$PG_TPS" ] || { echo "bench: could not read pgbench's tps" >&2; exit 1; }
PG_TPS=$(printf '%.1f' "$PG_TPS")
PG_TX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$BENCH_DIR/pgbench.log" | tail -1)
INSERT_CPU="PostgreSQL $(per_unit "$pg_cpu_0" "$pg_cpu_1" "${PG_TX:-0}") µs + pgbench $(per_unit "$client_cpu_0" "$client_cpu_1" "${PG_TX:-0}") µs"
avg_bytes=$("$PG_BIN/psql" -X -tA "$PGBENCH_URL" -c "select round(avg(pg_column_size(payload))) || ' bytes stored, ' || round(avg(length(payload::text))) || ' as text' from bench_events")
echo "    pgbench ceiling: $PG_TPS tps (payload $avg_bytes)"

if [ "${BENCH_PGBENCH_ONLY:-0}" = 1 ]; then
  printf '\n==> result\n  pgbench ceiling  %s tps (one-row INSERT, %s clients)\n  flush            %s µs per fdatasync\n  CPU per INSERT   %s\n' \
    "$PG_TPS" "$PG_CLIENTS" "$FLUSH" "$INSERT_CPU"
  exit 0
fi

# ---- 2. the event store alone: group commit, no HTTP, no Kafka
echo "==> event store appends (build/bench/append_bench, $CONNECTIONS callers, ${DURATION}s)"
psql_admin -c "create database labelfleet_append"
APPEND_RESULT=$(build/bench/append_bench "$(scripts/pg.sh url "$BENCH_DIR" labelfleet_append)" "$CONNECTIONS" "$DURATION" \
                | grep '^APPEND_RESULT' | tail -1)
echo "    $APPEND_RESULT"
afield() { echo "$APPEND_RESULT" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
APPEND_RATE=$(afield rate)
append_ratio=$(awk -v a="$APPEND_RATE" -v b="$PG_TPS" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')

# ---- 3. labelfleet serve on a fresh database
echo "==> labelfleet serve"
psql_admin -c "create database labelfleet_bench"
export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh url "$BENCH_DIR" labelfleet_bench)
export LABELFLEET_HTTP_PORT
LABELFLEET_HTTP_PORT=$(scripts/pg.sh free-port)
export LABELFLEET_RUN_DIR="$BENCH_DIR/app"
mkdir -p "$LABELFLEET_RUN_DIR"
# The benchmark measures the embedded default: librdkafka's mock cluster in-process.
unset KAFKA_BROKERS
# A first admin to log in as, and no per-credential rate limit (it would cap the run, not measure it).
export LABELFLEET_ADMIN_EMAIL=${BENCH_ADMIN_EMAIL:-bench@fleet.local}
export LABELFLEET_ADMIN_PASSWORD=${BENCH_ADMIN_PASSWORD:-bench-password-0123}
export LABELFLEET_RATE_LIMIT_PER_MINUTE=${LABELFLEET_RATE_LIMIT_PER_MINUTE:-10000000}
"$BIN" migrate >"$BENCH_DIR/migrate.log" 2>&1 || { cat "$BENCH_DIR/migrate.log" >&2; echo "bench: migrate failed" >&2; exit 1; }
"$BIN" serve >"$BENCH_DIR/server.log" 2>&1 &
server_pid=$!
BASE="http://127.0.0.1:$LABELFLEET_HTTP_PORT"
for i in $(seq 1 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    tail -n 40 "$BENCH_DIR/server.log" >&2
    echo "bench: labelfleet serve exited before it was healthy" >&2
    exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/api/health" || true)
  [ "$code" = 200 ] && break
  [ "$i" -lt 300 ] || { tail -n 40 "$BENCH_DIR/server.log" >&2; echo "bench: /api/health never answered 200" >&2; exit 1; }
  sleep 0.2
done
echo "    $BASE/api/health = 200 (pid $server_pid, log $BENCH_DIR/server.log)"

# A session for roles.lua: log in as the admin unless BENCH_AUTH_HEADER is given. A server without
# /api/auth/login (404) is benchmarked without one.
if [ -z "${BENCH_AUTH_HEADER:-}" ]; then
  login=$(curl -s -w '\n%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$LABELFLEET_ADMIN_EMAIL\",\"password\":\"$LABELFLEET_ADMIN_PASSWORD\"}" "$BASE/api/auth/login" || true)
  code=$(echo "$login" | tail -n 1)
  token=$(echo "$login" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' | head -1)
  if [ "$code" = 200 ] && [ -n "$token" ]; then
    export BENCH_AUTH_HEADER="Authorization: Bearer $token"
    echo "    logged in as $LABELFLEET_ADMIN_EMAIL"
  elif [ "$code" != 404 ]; then
    echo "bench: POST /api/auth/login answered $code: $(echo "$login" | head -n -1)" >&2
    exit 1
  fi
fi
# One command before the load, so a wrong setup fails in a second, not after a run of errors.
auth_args=()
[ -z "${BENCH_AUTH_HEADER:-}" ] || auth_args=(-H "$BENCH_AUTH_HEADER")
probe=$(curl -s -w '\n%{http_code}' --max-time 10 "${auth_args[@]}" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench-probe-$$-$RANDOM\"}" "$BASE/api/roles" || true)
if [ "$(echo "$probe" | tail -n 1)" != 201 ]; then
  echo "bench: POST /api/roles answered $(echo "$probe" | tail -n 1), not 201: $(echo "$probe" | head -n -1)" >&2
  exit 1
fi

# ---- 3. wrk on the command path
if [ "$WARMUP" -gt 0 ] 2>/dev/null; then
  echo "==> warm-up: ${WARMUP}s (not counted)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/roles.lua "$BASE" >"$BENCH_DIR/warmup.log" 2>&1 || true
fi
echo "==> wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s bench/roles.lua $BASE"
pg_cpu_0=$(cluster_cpu)
server_cpu_0=$(process_cpu "$server_pid")
thread_stats "$server_pid" >"$BENCH_DIR/threads.0"
snapshot_children wrk.0
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/roles.lua "$BASE" 2>&1 | tee "$BENCH_DIR/wrk.log"
snapshot_children wrk.1
pg_cpu_1=$(cluster_cpu)
server_cpu_1=$(process_cpu "$server_pid")
thread_stats "$server_pid" >"$BENCH_DIR/threads.1"
client_cpu_0=$(children_cpu wrk.0)
client_cpu_1=$(children_cpu wrk.1)
kill -0 "$server_pid" 2>/dev/null || { echo "bench: labelfleet died during the run" >&2; tail -n 40 "$BENCH_DIR/server.log" >&2; exit 1; }

# ---- 4. the HTTP floor: what a request costs the server without the command path
# GET /api/version with wrk's own headers (no Connection header: HTTP/1.1 keeps the connection).
FLOOR_DURATION=${BENCH_FLOOR_DURATION:-5}
echo "==> wrk -t$THREADS -c64 -d${FLOOR_DURATION}s $BASE/api/version (the HTTP floor)"
floor_cpu_0=$(process_cpu "$server_pid")
wrk -t"$THREADS" -c64 -d"${FLOOR_DURATION}s" "$BASE/api/version" >"$BENCH_DIR/floor.log" 2>&1 || true
floor_cpu_1=$(process_cpu "$server_pid")
FLOOR_REQUESTS=$(awk '/ requests in /{print $1}' "$BENCH_DIR/floor.log")
FLOOR_RPS=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$BENCH_DIR/floor.log")
FLOOR_CPU=$(per_unit "$floor_cpu_0" "$floor_cpu_1" "${FLOOR_REQUESTS:-0}")

result=$(grep '^BENCH_RESULT' "$BENCH_DIR/wrk.log" | tail -1)
[ -n "$result" ] || { echo "bench: no BENCH_RESULT line from roles.lua" >&2; exit 1; }
field() { echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
RPS=$(field rps)
REQUESTS=$(field requests)
COMMAND_CPU="labelfleet $(per_unit "$server_cpu_0" "$server_cpu_1" "$REQUESTS") µs + PostgreSQL $(per_unit "$pg_cpu_0" "$pg_cpu_1" "$REQUESTS") µs + wrk $(per_unit "$client_cpu_0" "$client_cpu_1" "$REQUESTS") µs"
SERVER_THREADS=$(thread_report "$BENCH_DIR/threads.0" "$BENCH_DIR/threads.1" "$REQUESTS")
ratio=$(awk -v a="$RPS" -v b="$PG_TPS" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
events=$("$PG_BIN/psql" -X -tA "$DATABASE_URL" -c "select count(*) from events" 2>/dev/null || echo "?")

cat <<EOF

==> result ($(nproc) cores; wrk, labelfleet and PostgreSQL share them)
  requests/s        $RPS   (POST/PUT /api/roles, $CONNECTIONS connections, ${DURATION}s)
  latency p50       $(field p50_ms) ms
  latency p99       $(field p99_ms) ms
  errors            $(field non2xx) non-2xx, $(field socket_errors) socket errors
  created/updated   $(field created) / $(field updated)   (events table now holds $events rows)
  pgbench ceiling   $PG_TPS tps (one-row INSERT, $PG_CLIENTS clients)
  flush             $FLUSH µs per fdatasync$( [ "$FLUSH_DELAY_US" -gt 0 ] 2>/dev/null && echo " (${FLUSH_DELAY_US} µs of it simulated)")
  ratio             $ratio   (requests/s ÷ pgbench tps; above 1 means commands share commits)
  CPU per command   $COMMAND_CPU
  server threads    $SERVER_THREADS   (CPU / context switches per command)
  CPU per INSERT    $INSERT_CPU
  store appends     $APPEND_RATE /s, p50 $(afield p50_ms) ms, p99 $(afield p99_ms) ms, $(afield appends) appends in $(afield transactions) transactions
  store ratio       $append_ratio   (event-store appends/s ÷ pgbench tps: group commit alone)
  HTTP floor        ${FLOOR_RPS:-?} requests/s, labelfleet $FLOOR_CPU µs per request   (GET /api/version, 64 connections, ${FLOOR_DURATION}s)
EOF
