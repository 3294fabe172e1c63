#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmark need.
# Idempotent: does nothing when all are present. Runs apt-get as root (or via sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libpistache-dev libpqxx-dev libpq-dev librdkafka-dev rapidjson-dev
  prometheus-cpp-dev libcivetweb-dev zlib1g-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libsodium-dev libpugixml-dev ccache
  postgresql postgresql-contrib postgresql-client
  kcat wrk curl procps  # procps: ps, for the benchmark's CPU accounting
  # clang-tidy-16 for scripts/lint.sh: clang 14 cannot parse libstdc++ 12's <expected>
  clang-format clang-tidy clang-tidy-16
  docker-compose
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
