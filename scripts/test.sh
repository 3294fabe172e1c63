#!/usr/bin/env bash
# What `make test` and CI run: install the Debian packages, build with warnings as errors, start a
# throw-away PostgreSQL cluster in .test-run/ on a free port, run every ctest test against it, and
# always stop and delete the cluster. Exits with ctest's status.
#
# Environment (all optional):
#   LABELFLEET_BUILD_DIR     build directory (default build)
#   LABELFLEET_JOBS          build parallelism (default 2)
#   LABELFLEET_WERROR        ON (default; CI) or OFF to iterate locally on code that still warns
#   LABELFLEET_TEST_JOBS     ctest -j (default 2; more is not useful on 2 cores and tests are heavy)
#   LABELFLEET_TEST_TIMEOUT  default per-test timeout in seconds (default 900)
#   LABELFLEET_SKIP_DEPS=1   skip scripts/install-deps.sh
#   CTEST_ARGS               extra ctest arguments, e.g. CTEST_ARGS="-R role -V"
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

JOBS=${LABELFLEET_JOBS:-2}
TEST_JOBS=${LABELFLEET_TEST_JOBS:-2}
TEST_TIMEOUT=${LABELFLEET_TEST_TIMEOUT:-900}
TEST_DIR=${LABELFLEET_TEST_RUN_DIR:-"$ROOT/.test-run"}
BUILD_DIR=${LABELFLEET_BUILD_DIR:-build}

if [ "${LABELFLEET_SKIP_DEPS:-0}" != 1 ]; then
  scripts/install-deps.sh
fi

echo "==> configure and build (LABELFLEET_WERROR=${LABELFLEET_WERROR:-ON})"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLABELFLEET_WERROR="${LABELFLEET_WERROR:-ON}"
cmake --build "$BUILD_DIR" -j "$JOBS"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  echo "==> stopping and deleting the test cluster"
  scripts/pg.sh destroy "$TEST_DIR" || true
  rm -rf "$TEST_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "==> throw-away PostgreSQL cluster in $TEST_DIR"
scripts/pg.sh destroy "$TEST_DIR" >/dev/null 2>&1 || true
rm -rf "$TEST_DIR"
mkdir -p "$TEST_DIR"
started=0
for attempt in 1 2 3; do
  port=$(scripts/pg.sh free-port)
  if scripts/pg.sh start "$TEST_DIR" "$port"; then
    started=1
    break
  fi
  echo "test.sh: start on port $port failed (attempt $attempt)" >&2
  scripts/pg.sh destroy "$TEST_DIR" >/dev/null 2>&1 || true
done
[ "$started" = 1 ] || { echo "test.sh: could not start PostgreSQL" >&2; exit 1; }

LABELFLEET_TEST_DATABASE_URL=$(scripts/pg.sh url "$TEST_DIR" postgres)
LABELFLEET_BINARY=$(cd "$BUILD_DIR" && pwd -P)/labelfleet
# The binary's own run directory (kafka.bootstrap, …) for end-to-end tests that do not set one,
# so a test never touches the .run/ of a developer's `make run`.
LABELFLEET_RUN_DIR="$TEST_DIR/run"
mkdir -p "$LABELFLEET_RUN_DIR"
export LABELFLEET_TEST_DATABASE_URL LABELFLEET_BINARY LABELFLEET_RUN_DIR
echo "LABELFLEET_TEST_DATABASE_URL=$LABELFLEET_TEST_DATABASE_URL"
echo "LABELFLEET_BINARY=$LABELFLEET_BINARY"

echo "==> ctest"
set +e
# shellcheck disable=SC2086  # CTEST_ARGS is a list of words on purpose
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j "$TEST_JOBS" --timeout "$TEST_TIMEOUT" ${CTEST_ARGS:-}
status=$?
set -e
exit "$status"
