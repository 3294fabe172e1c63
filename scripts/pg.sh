#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for development, tests and benchmarks (never for production).
#
#   scripts/pg.sh start   <dir> [port]   initdb if <dir>/pg has no cluster, start it, wait until it accepts
#                                        connections, create database "labelfleet" if missing
#   scripts/pg.sh stop    <dir>          pg_ctl stop -m fast (ok when not running)
#   scripts/pg.sh status  <dir>          exit 0 and print "running" when up, exit 3 and print "stopped" otherwise
#   scripts/pg.sh url     <dir> [db]     print the libpq URL (default db: labelfleet)
#   scripts/pg.sh destroy <dir>          stop, then delete the cluster's files
#   scripts/pg.sh free-port [from]       print a TCP port on 127.0.0.1 that nobody listens on
#
# Layout: data directory <dir>/pg, unix socket directory <dir>/pg/sock, server log <dir>/pg/server.log.
# It listens on the socket and on 127.0.0.1:<port> only (default port 55432), with trust authentication
# for local connections: anyone on this machine can connect as the superuser "postgres".
# The port of the last start is kept in <dir>/pg/labelfleet.conf, so url/status need no port.
#
# As root the server must run as the "postgres" OS user (it refuses root): initdb and pg_ctl run via
# `runuser -u postgres --` and the data directory is chowned to it. When "postgres" cannot reach <dir>
# (a parent directory closed to others, e.g. a mktemp -d clone in /tmp), the data lives in a directory
# under /tmp and <dir>/pg is a symlink to it.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DEFAULT_PORT=55432
DEFAULT_DB=labelfleet

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

is_root() { [ "$(id -u)" -eq 0 ]; }
RUNUSER=$(command -v runuser || echo /usr/sbin/runuser)

# Runs a server-side command (initdb, pg_ctl) as the user that owns the cluster.
as_owner() {
  if is_root; then
    (cd / && "$RUNUSER" -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

port_in_use() {
  # A successful connect means somebody listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local p=${1:-}
  if [ -z "$p" ]; then p=$((20000 + (RANDOM * 32768 + RANDOM) % 30000)); fi
  local tries=0
  while port_in_use "$p"; do
    p=$((p + 1))
    tries=$((tries + 1))
    [ "$tries" -lt 200 ] || die "no free port found"
  done
  echo "$p"
}

# ---- paths
# Absolute path of <dir>; "create" as second argument makes it first.
abs_dir() {
  [ -n "${1:-}" ] || usage
  if [ "${2:-}" = create ]; then mkdir -p "$1"; fi
  if [ -d "$1" ]; then
    (cd "$1" && pwd -P)
  else
    local parent
    if parent=$(cd "$(dirname "$1")" 2>/dev/null && pwd -P); then :; else parent=$(dirname "$1"); fi
    echo "$parent/$(basename "$1")"
  fi
}

# The directory postgres actually uses (follows the /tmp symlink, if any).
data_dir() {
  local link="$1/pg"
  if [ -L "$link" ]; then readlink -f "$link"; else echo "$link"; fi
}

conf_port() {
  local conf="$1/labelfleet.conf"
  [ -r "$conf" ] || return 1
  sed -n "s/^port = \([0-9]*\).*/\1/p" "$conf" | tail -1
}

conf_sockdir() {
  local conf="$1/labelfleet.conf"
  [ -r "$conf" ] || return 1
  sed -n "s/^unix_socket_directories = '\(.*\)'.*/\1/p" "$conf" | tail -1
}

# ---- commands
initialize() {
  local dir="$1" link data
  link="$dir/pg"
  if is_root && ! "$RUNUSER" -u postgres -- test -x "$dir" 2>/dev/null; then
    # postgres cannot reach or write <dir>: keep the data under /tmp and link it.
    data=$(mktemp -d /tmp/labelfleet-pg.XXXXXX)
    ln -sfn "$data" "$link"
  else
    data="$link"
    mkdir -p "$data"
  fi
  chmod 700 "$data"
  if is_root; then chown postgres:postgres "$data"; fi
  echo "pg.sh: initdb $data" >&2
  # --no-sync: a fresh cluster need not be flushed before it starts (the server itself fsyncs).
  as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync \
    >"$data.initdb.log" 2>&1 || { cat "$data.initdb.log" >&2; die "initdb failed"; }
  rm -f "$data.initdb.log"
  mkdir -p "$data/sock"
  if is_root; then chown postgres:postgres "$data/sock"; fi
  # Settings for a development box. fsync and synchronous_commit stay on: a 2xx means committed,
  # and benchmarks must measure the real cost of a durable commit.
  cat >>"$data/postgresql.conf" <<'EOF'

# ---- LabelFleet dev/test cluster (scripts/pg.sh)
max_connections = 200
shared_buffers = 128MB
fsync = on
synchronous_commit = on
full_page_writes = on
max_wal_size = 1GB
checkpoint_timeout = 10min
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
timezone = 'UTC'
include_if_exists = 'labelfleet.conf'
EOF
}

write_runtime_conf() {
  local data="$1" port="$2" sockdir
  sockdir="$data/sock"
  # A unix socket path is limited to 107 bytes: fall back to a short directory under /tmp.
  if [ $((${#sockdir} + 20)) -gt 107 ]; then
    sockdir=$(conf_sockdir "$data" 2>/dev/null || true)
    if [ -z "$sockdir" ] || [ ! -d "$sockdir" ] || [ "$sockdir" = "$data/sock" ]; then
      sockdir=$(mktemp -d /tmp/lfpg.XXXXXX)
    fi
    if is_root; then chown postgres:postgres "$sockdir"; fi
  fi
  cat >"$data/labelfleet.conf" <<EOF
# Written by scripts/pg.sh start; rewritten on every start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
EOF
  if is_root; then chown postgres:postgres "$data/labelfleet.conf"; fi
}

running() {
  local data="$1"
  [ -f "$data/PG_VERSION" ] || return 1
  as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

psql_admin() {
  local data="$1"
  shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$(conf_sockdir "$data")" -p "$(conf_port "$data")" -U postgres "$@"
}

cmd_start() {
  local dir data port
  dir=$(abs_dir "${1:-}" create)
  port=${2:-}
  data=$(data_dir "$dir")
  if [ -L "$dir/pg" ] && [ ! -d "$data" ]; then rm -f "$dir/pg"; data="$dir/pg"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    [ ! -e "$data" ] || [ -z "$(ls -A "$data" 2>/dev/null)" ] || die "$data exists but holds no cluster"
    initialize "$dir"
    data=$(data_dir "$dir")
  fi
  if running "$data"; then
    local current
    current=$(conf_port "$data")
    if [ -n "$port" ] && [ "$port" != "$current" ]; then
      echo "pg.sh: already running on port $current (asked for $port); keeping it" >&2
    else
      echo "pg.sh: already running on port $current" >&2
    fi
  else
    [ -n "$port" ] || port=$(conf_port "$data" 2>/dev/null || true)
    [ -n "$port" ] || port=$DEFAULT_PORT
    ! port_in_use "$port" || die "port $port on 127.0.0.1 is taken by another process"
    write_runtime_conf "$data" "$port"
    if ! as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -s start; then
      tail -n 30 "$data/server.log" >&2 || true
      die "could not start the cluster in $data"
    fi
  fi
  port=$(conf_port "$data")
  local i
  for i in $(seq 1 100); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then break; fi
    [ "$i" -lt 100 ] || die "the server in $data does not accept connections (see $data/server.log)"
    sleep 0.1
  done
  if [ -z "$(psql_admin "$data" -d postgres -tAc "select 1 from pg_database where datname = '$DEFAULT_DB'")" ]; then
    psql_admin "$data" -d postgres -c "create database $DEFAULT_DB"
  fi
  echo "pg.sh: running: data $data, port $port, socket $(conf_sockdir "$data")" >&2
}

cmd_stop() {
  local dir data
  dir=$(abs_dir "${1:-}")
  data=$(data_dir "$dir")
  if running "$data"; then
    as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 -s stop
    echo "pg.sh: stopped $data" >&2
  fi
}

cmd_status() {
  local dir data
  dir=$(abs_dir "${1:-}")
  data=$(data_dir "$dir")
  if running "$data"; then
    echo "running (data $data, port $(conf_port "$data"))"
  else
    echo "stopped"
    return 3
  fi
}

cmd_url() {
  local dir data port db=$DEFAULT_DB
  dir=$(abs_dir "${1:-}")
  data=$(data_dir "$dir")
  if [ -n "${2:-}" ]; then
    # A number is a port (the form `url <dir> [port]`), anything else a database name.
    if [[ "$2" =~ ^[0-9]+$ ]]; then port=$2; else db=$2; fi
  fi
  [ -n "${port:-}" ] || port=$(conf_port "$data" 2>/dev/null || true)
  [ -n "${port:-}" ] || port=$DEFAULT_PORT
  echo "postgresql://postgres@127.0.0.1:$port/$db"
}

cmd_destroy() {
  local dir data sockdir=""
  dir=$(abs_dir "${1:-}")
  cmd_stop "$dir"
  data=$(data_dir "$dir")
  sockdir=$(conf_sockdir "$data" 2>/dev/null || true)
  case "$sockdir" in /tmp/lfpg.*) rm -rf "$sockdir" ;; esac
  if [ -L "$dir/pg" ]; then
    case "$data" in /tmp/labelfleet-pg.*) rm -rf "$data" ;; esac
    rm -f "$dir/pg"
  else
    rm -rf "$dir/pg"
  fi
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  url) cmd_url "$@" ;;
  destroy) cmd_destroy "$@" ;;
  free-port) free_port "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
