#!/usr/bin/env bash
# What `make lint` runs:
#   1. clang-format --dry-run --Werror on every C++ source and header (style: .clang-format)
#   2. clang-tidy on every .cpp file of the build (build/compile_commands.json), warnings as errors
#      (checks: .clang-tidy)
#
#   scripts/lint.sh [file.cpp …]     only these files (both steps)
#
# clang-tidy 16 is used when installed (scripts/install-deps.sh installs it): clang 14, Debian 12's
# default, cannot parse libstdc++ 12's <expected>, which every domain header includes. With only
# clang-tidy 14 present the run goes on, but files that include <expected> fail to compile.
#
# Environment: LINT_JOBS (default 2), CLANG_TIDY (the binary), BUILD_DIR (default build),
#              LINT_SKIP_TIDY=1 / LINT_SKIP_FORMAT=1 to run one step only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${LINT_JOBS:-2}
CXX_DIRS=(cmd domain adapters projections tests bench)

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find "${CXX_DIRS[@]}" -type f \( -name '*.cpp' -o -name '*.cc' -o -name '*.hpp' -o -name '*.h' \) 2>/dev/null | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "lint: no C++ files" >&2; exit 0; }

status=0

if [ "${LINT_SKIP_FORMAT:-0}" != 1 ]; then
  echo "==> clang-format ($(clang-format --version | grep -o 'version [0-9.]*'), ${#files[@]} files)"
  if ! clang-format --dry-run --Werror "${files[@]}"; then
    echo "lint: clang-format found differences; run 'make format'" >&2
    status=1
  fi
fi

if [ "${LINT_SKIP_TIDY:-0}" != 1 ]; then
  if [ -z "${CLANG_TIDY:-}" ]; then
    if command -v clang-tidy-16 >/dev/null; then CLANG_TIDY=clang-tidy-16; else CLANG_TIDY=clang-tidy; fi
  fi
  # Configure (not build) so compile_commands.json lists files added since the last configure.
  echo "==> cmake configure $BUILD_DIR (for compile_commands.json)"
  if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" >/dev/null
  else
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi

  # Only .cpp files the build knows: they are the ones with real compile flags.
  tidy_files=()
  for f in "${files[@]}"; do
    case "$f" in *.cpp | *.cc) ;; *) continue ;; esac
    if grep -Fq "\"file\": \"$ROOT/$f\"" "$BUILD_DIR/compile_commands.json" 2>/dev/null ||
       grep -Fq "\"file\": \"$f\"" "$BUILD_DIR/compile_commands.json" 2>/dev/null; then
      tidy_files+=("$f")
    else
      echo "lint: $f is not in $BUILD_DIR/compile_commands.json (not part of any target?), skipped" >&2
    fi
  done

  version=$("$CLANG_TIDY" --version | grep -o 'version [0-9.]*' | head -1)
  echo "==> $CLANG_TIDY ($version, ${#tidy_files[@]} files, -j$JOBS)"
  major=$(echo "$version" | grep -o '[0-9]*' | head -1)
  # The build uses GCC flags: -std=c++23 is spelled c++2b before clang 17, and GCC-only warning
  # options must not become errors.
  extra=(--extra-arg=-std=c++2b --extra-arg=-Wno-unknown-warning-option)
  if [ "${major:-14}" -ge 16 ]; then
    # clang 16 implements P0848 but still reports __cpp_concepts 201907, which hides libstdc++ 12's
    # <expected>; the feature it guards is there.
    extra+=(--extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L)
  else
    echo "lint: $CLANG_TIDY cannot parse <expected>; install clang-tidy-16 (scripts/install-deps.sh)" >&2
  fi
  header_filter="^$ROOT/($(IFS='|'; echo "${CXX_DIRS[*]}"))/"

  if [ ${#tidy_files[@]} -gt 0 ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    export CLANG_TIDY BUILD_DIR header_filter out
    export EXTRA_ARGS="${extra[*]}"
    # One clang-tidy per file, JOBS at a time; each file's report is printed whole.
    # shellcheck disable=SC2016  # the script is expanded by the inner bash
    printf '%s\0' "${tidy_files[@]}" | xargs -0 -n 1 -P "$JOBS" bash -c '
      f="$1"; log="$out/$(echo "$f" | tr / _).log"
      # shellcheck disable=SC2086
      if "$CLANG_TIDY" -p "$BUILD_DIR" --quiet --header-filter="$header_filter" $EXTRA_ARGS "$f" >"$log" 2>&1; then
        echo "  ok    $f"
      else
        echo "  FAIL  $f"; grep -v -E "^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing" "$log" | sed "s/^/        /"
        touch "$out/failed"
      fi' _ || true
    if [ -e "$out/failed" ]; then
      echo "lint: clang-tidy reported problems" >&2
      status=1
    fi
  fi
fi

if [ "$status" -eq 0 ]; then echo "lint: clean"; fi
exit "$status"
