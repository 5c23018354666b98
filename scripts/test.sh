#!/usr/bin/env bash
# Sets everything up (apt/npm, idempotent), builds, and runs every test:
# GoogleTest suites, end-to-end tests against the real binary with buf curl
# and Python grpcio, and buf lint, all through ctest; then the same tests
# built with ASan+UBSan and with TSan (scripts/test-sanitizers.sh), then the
# fuzz targets for 20 s each. Stops at the first failure. See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo "test.sh: [$((SECONDS / 60))m$((SECONDS % 60))s] $*" >&2; }
stage setup
scripts/setup.sh
stage build
scripts/build.sh
stage tests
ctest --test-dir build --output-on-failure -j 2
stage sanitizers
scripts/test-sanitizers.sh all
if [ -x scripts/fuzz.sh ]; then
  stage fuzz
  scripts/fuzz.sh 20
fi
stage done
