#!/usr/bin/env bash
# Runs the registry-scale benchmark matrix (docs/performance.md) and writes a
# markdown table with absolute figures and the ratios to the hello anchor and
# to PostgreSQL 15 measured in the same run:
#
#   bench/run_matrix.sh [--sizes 10k,100k,600k] [--duration 10] [--warmup 2]
#                       [--out docs/performance-results.md] [--work_dir DIR]
#
# Installs what it needs from Debian when missing (PostgreSQL 15 with pgbench,
# GNU time, taskset), builds regenatlas, regenatlas_loadgen and
# regenatlas_hello into ./build, then runs bench/run_matrix.py. Generated
# data and stores live in build/bench-work (the data is reused across runs).
# Not a test: it takes ~5 min per size at --duration 10 (plus the import).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(postgresql-15 postgresql-client-15 time util-linux)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "run_matrix: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "run_matrix: needs 2 CPUs (server on CPU 0, client on CPU 1)" >&2
  exit 2
fi

scripts/build.sh --target regenatlas regenatlas_loadgen regenatlas_hello
exec /usr/bin/python3 bench/run_matrix.py "$@"
