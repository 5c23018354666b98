#!/usr/bin/env bash
# Sets everything up (apt/npm, idempotent), builds the binary and runs the
# all-in-one server on 127.0.0.1:50051 with its store in ./regenatlas-data.
# Extra arguments go to `regenatlas serve` (see `regenatlas serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target regenatlas
exec build/cmd/regenatlas/regenatlas serve --data_dir=regenatlas-data "$@"
