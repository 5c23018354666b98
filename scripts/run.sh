#!/usr/bin/env bash
# Sets everything up (apt/npm, idempotent), builds the binary and runs the
# all-in-one server on 127.0.0.1:50051 with its store in ./regenatlas-data,
# loaded on first start with the bundled dataset in ./data.
#
# Reads are open to anonymous callers; writes need a key. A local keys file
# (./regenatlas-local.keys, git-ignored) with one curator key is created on
# first run and its key printed. Extra arguments go to `regenatlas serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target regenatlas
if [ ! -f regenatlas-local.keys ]; then
  key="local-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '# Local API keys: KEY ROLE (reader|curator|admin)\n%s curator\n' "$key" > regenatlas-local.keys
  chmod 600 regenatlas-local.keys
  echo "run.sh: created regenatlas-local.keys; write with -H 'authorization: Bearer $key'" >&2
fi
exec build/cmd/regenatlas/regenatlas serve --data_dir=regenatlas-data \
  --auth_keys=regenatlas-local.keys "$@"
