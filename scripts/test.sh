#!/usr/bin/env bash
# Sets everything up (apt/npm, idempotent), builds, and runs every test:
# GoogleTest suites, end-to-end tests against the real binary with buf curl
# and Python grpcio, and buf lint, all through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j 2
