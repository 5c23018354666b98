#!/usr/bin/env bash
# Builds the tests and the regenatlas binary with sanitizers and runs them
# through ctest (GoogleTest suites and the end-to-end tests, whose servers are
# the sanitized binary of the same build):
#
#   scripts/test-sanitizers.sh [address|thread|all]     (default: all)
#
#   address: build-asan/, AddressSanitizer + UndefinedBehaviorSanitizer (+ leaks)
#   thread:  build-tsan/, ThreadSanitizer (absl::Mutex annotated, see
#            common/tsan_absl_annotations.cc; suppressions tests/sanitizers/)
#
# Fails on a failing test or on any sanitizer report: reports are written to
# <build>/sanitizer-logs/ (also by server processes the e2e tests start and
# stop) and printed at the end. cmake/Sanitizers.cmake sets the runtime
# options; docs/testing.md explains the set-up. Built with g++ (its sanitizer
# runtimes come with it) and lld (scripts/setup.sh installs it);
# REGENATLAS_SANITIZE_CXX picks another compiler for a new build directory.
set -euo pipefail
cd "$(dirname "$0")/.."

WHICH="${1:-all}"
case "$WHICH" in
  address) SANITIZERS=(address) ;;
  thread) SANITIZERS=(thread) ;;
  all) SANITIZERS=(address thread) ;;
  *) echo "usage: scripts/test-sanitizers.sh [address|thread|all]" >&2; exit 2 ;;
esac
CXX_COMPILER="${REGENATLAS_SANITIZE_CXX:-g++}"
# Not about memory or threads: the proto linter and the deploy manifests.
EXCLUDE='^(buf_lint|deploy_manifests|clang_format|layering_includes)$'

for san in "${SANITIZERS[@]}"; do
  case "$san" in
    address) dir=build-asan ;;
    thread) dir=build-tsan ;;
  esac
  start=$SECONDS
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_COMPILER" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREGENATLAS_SANITIZE="$san" >/dev/null
  fi
  # The default target: libraries, the binary and the test executables (no
  # benchmarks or fuzzers are part of it).
  cmake --build "$dir" -j "$(nproc)"
  built=$SECONDS
  logs="$dir/sanitizer-logs"
  rm -rf "$logs"
  mkdir -p "$logs"
  rc=0
  ctest --test-dir "$dir" --output-on-failure -j 2 -E "$EXCLUDE" || rc=$?
  reports=$(find "$logs" -type f | sort)
  for f in $reports; do
    echo "=== sanitizer report $f" >&2
    cat "$f" >&2
  done
  echo "sanitizers: $san: build $((built - start))s, tests $((SECONDS - built))s" >&2
  if [ "$rc" != 0 ] || [ -n "$reports" ]; then
    echo "sanitizers: $san FAILED (ctest exit $rc, $(echo "$reports" | grep -c . || true) report file(s) in $logs)" >&2
    exit 1
  fi
done
