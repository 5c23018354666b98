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

# Import roots: each vendored tree proto/third_party/<name>/ (e.g.
# googleapis' google/api/*.proto), then proto/ itself. Every .proto is named
# relative to its root, as the imports name it. Protobuf's own well-known
# types (google/protobuf/*) come with the Python runtime and are not
# generated even if vendored.
roots=()
for d in proto/third_party/*/; do
  [ -d "$d" ] && roots+=("${d%/}")
done
roots+=(proto)
protos=()
for root in "${roots[@]}"; do
  mapfile -t -O "${#protos[@]}" protos < <(cd "$root" && find . -name '*.proto' -type f \
    -not -path './google/protobuf/*' -not -path './third_party/*' | sed 's|^\./||' | LC_ALL=C sort)
done
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
  for root in "${roots[@]}"; do
    (cd "$root" && find . -name '*.proto' -type f -not -path './third_party/*' | LC_ALL=C sort \
      | xargs sha256sum)
  done
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
# The roots first; then /usr/include for google/protobuf/*.proto
# (libprotobuf-dev), which protoc only reads.
includes=()
for root in "${roots[@]}"; do includes+=(-I "$root"); done
"$protoc" "${includes[@]}" -I /usr/include \
  --python_out="$tmp" \
  --plugin=protoc-gen-grpc_python="$plugin" --grpc_python_out="$tmp" \
  "${protos[@]}"
echo "$checksum" >"$tmp/$stamp_name"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "gen-python-client: generated ${#protos[@]} protos into $out" >&2
