#!/usr/bin/env bash
# Generates the Python client of the RegenAtlas API: message classes
# (*_pb2.py) and gRPC stubs (*_pb2_grpc.py) for every .proto under proto/
# (found by a recursive glob, so protos added later, vendored third-party ones
# such as google/api included, are generated too), into OUT_DIR (default
# build/python; generated code is never committed).
#
#   scripts/gen-python-client.sh [OUT_DIR]
#   PYTHONPATH=build/python /usr/bin/python3 -c \
#     'from regenatlas.catalog.v1 import catalog_service_pb2_grpc'
#
# Uses Debian's protoc (--python_out) and grpc_python_plugin
# (protobuf-compiler, protobuf-compiler-grpc; installed by scripts/setup.sh),
# not `python3 -m grpc_tools.protoc`: Debian 12's python3-grpc-tools (1.14)
# bundles a protoc too old for proto3 `optional`, which the API uses. The
# code needs Debian's python3-grpcio and python3-protobuf at run time.
#
# Idempotent and quick: a stamp in OUT_DIR holds a checksum of the inputs
# (every .proto, the compilers, this script); when it matches, nothing is
# done. Otherwise the code is generated into a fresh directory that then
# replaces OUT_DIR whole, so no stale module of a removed .proto survives.
# Concurrent runs are serialised with flock.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
# OUT_DIR is relative to the caller's directory; the default to the repository.
out=""
if (($# > 0)); then
  mkdir -p "$1"
  out="$(cd "$1" && pwd)"
fi
cd "$(dirname "$self")/.."
out="${out:-$PWD/build/python}"
protoc=/usr/bin/protoc
plugin=/usr/bin/grpc_python_plugin
stamp_name=.regenatlas-python-client
for tool in "$protoc" "$plugin"; do
  if [ ! -x "$tool" ]; then
    echo "gen-python-client: $tool is missing; run scripts/setup.sh" >&2
    exit 1
  fi
done

# Every .proto under proto/, relative to it (the import root). Protobuf's
# own well-known types (google/protobuf/*) come with the Python runtime and
# are not generated even if vendored.
mapfile -t protos < <(cd proto && find . -name '*.proto' -type f \
  -not -path './google/protobuf/*' | sed 's|^\./||' | LC_ALL=C sort)
if ((${#protos[@]} == 0)); then
  echo "gen-python-client: no .proto files under proto/" >&2
  exit 1
fi

# One run at a time (two test runs may share build/python).
exec 9<"$self"
flock 9

checksum="$( (
  "$protoc" --version
  sha256sum "$plugin" "$self"
  cd proto && sha256sum "${protos[@]}"
) | sha256sum | cut -d' ' -f1)"
if [ -f "$out/$stamp_name" ] && [ "$(cat "$out/$stamp_name")" = "$checksum" ]; then
  echo "gen-python-client: $out is up to date (${#protos[@]} protos)" >&2
  exit 0
fi
if [ -e "$out" ] && [ ! -f "$out/$stamp_name" ] && [ -n "$(ls -A "$out")" ]; then
  echo "gen-python-client: $out exists and was not made by this script; not replacing it" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
tmp="$(mktemp -d "$out.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# -I proto first: the project's (and vendored) imports; then /usr/include
# for google/protobuf/*.proto (libprotobuf-dev), which protoc only reads.
"$protoc" -I proto -I /usr/include \
  --python_out="$tmp" \
  --plugin=protoc-gen-grpc_python="$plugin" --grpc_python_out="$tmp" \
  "${protos[@]}"
echo "$checksum" >"$tmp/$stamp_name"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "gen-python-client: generated ${#protos[@]} protos into $out" >&2
