#!/usr/bin/env bash
# Start-up benchmark (not part of `make test`; see bench/README.md): how long `labelfleet serve`
# takes from launch until /api/health answers 200, how long its first write after that takes
# (POST /api/roles, answered once its read model shows it), and how long a SIGTERM takes to stop
# it. The first start is on an empty database (migrations, first admin); every later one finds
# the data of the starts before, as a second `make run` does.
#
#   1. Starts a private PostgreSQL cluster (scripts/pg.sh) in $BENCH_DIR on a free port.
#   2. $BENCH_STARTS times: serve, wait for health, log in, one POST, SIGTERM.
#   3. Prints each start's figures and their medians.
# Everything it started is stopped and deleted at exit.
#
# Environment (all optional):
#   BENCH_STARTS          starts to measure (default 5)
#   BENCH_DIR             working directory (default bench/.run-startup)
#   BENCH_KEEP=1          keep $BENCH_DIR (cluster data and logs) after the run
#   LABELFLEET_BINARY     the executable (default build/labelfleet)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

STARTS=${BENCH_STARTS:-5}
BENCH_DIR=${BENCH_DIR:-$ROOT/bench/.run-startup}
BIN=${LABELFLEET_BINARY:-$ROOT/build/labelfleet}

for tool in curl /usr/lib/postgresql/15/bin/psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN is missing; run 'make build' first" >&2; exit 1; }

server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    scripts/pg.sh stop "$BENCH_DIR" >/dev/null 2>&1 || true
    echo "bench: kept $BENCH_DIR" >&2
  else
    scripts/pg.sh destroy "$BENCH_DIR" >/dev/null 2>&1 || true
    rm -rf "$BENCH_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

echo "==> private PostgreSQL cluster in $BENCH_DIR"
scripts/pg.sh destroy "$BENCH_DIR" >/dev/null 2>&1 || true
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
scripts/pg.sh start "$BENCH_DIR" "$(scripts/pg.sh free-port)" >/dev/null
/usr/lib/postgresql/15/bin/psql -X -q "$(scripts/pg.sh url "$BENCH_DIR" postgres)" -c "create database labelfleet_startup"

export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh url "$BENCH_DIR" labelfleet_startup)
export LABELFLEET_RUN_DIR="$BENCH_DIR/app"
unset KAFKA_BROKERS  # the embedded default, as `make run`
export LABELFLEET_ADMIN_EMAIL=bench@fleet.local
export LABELFLEET_ADMIN_PASSWORD=bench-password-0123
mkdir -p "$LABELFLEET_RUN_DIR"

ready_all=()
write_all=()
stop_all=()
printf '    %-6s %10s %16s %9s\n' start ready_ms first_write_ms stop_ms
for n in $(seq 1 "$STARTS"); do
  export LABELFLEET_HTTP_PORT
  LABELFLEET_HTTP_PORT=$(scripts/pg.sh free-port)
  BASE="http://127.0.0.1:$LABELFLEET_HTTP_PORT"
  t0=$(now_ms)
  "$BIN" serve >"$BENCH_DIR/server-$n.log" 2>&1 &
  server_pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/api/health" || true)" = 200 ]; do
    if ! kill -0 "$server_pid" 2>/dev/null || [ $(($(now_ms) - t0)) -gt 60000 ]; then
      tail -n 40 "$BENCH_DIR/server-$n.log" >&2
      echo "bench: start $n never became healthy" >&2
      exit 1
    fi
    sleep 0.01
  done
  ready=$(($(now_ms) - t0))

  token=$(curl -s --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$LABELFLEET_ADMIN_EMAIL\",\"password\":\"$LABELFLEET_ADMIN_PASSWORD\"}" "$BASE/api/auth/login" |
    sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "bench: login failed on start $n" >&2; exit 1; }
  t1=$(now_ms)
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"name\":\"startup-$n-$$\"}" "$BASE/api/roles")
  write=$(($(now_ms) - t1))
  [ "$code" = 201 ] || { echo "bench: POST /api/roles answered $code on start $n" >&2; exit 1; }

  t2=$(now_ms)
  stop_server
  stopped=$(($(now_ms) - t2))
  printf '    %-6s %10s %16s %9s\n' "$n" "$ready" "$write" "$stopped"
  ready_all+=("$ready")
  write_all+=("$write")
  stop_all+=("$stopped")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "==> medians over $STARTS starts: ready $(median "${ready_all[@]}") ms, first write $(median "${write_all[@]}") ms, stop $(median "${stop_all[@]}") ms"
echo "    (ready: launch to /api/health 200, polled every 10 ms; first write: one POST /api/roles with curl,"
echo "     answered after its read model; stop: SIGTERM to exit)"
