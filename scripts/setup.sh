#!/usr/bin/env bash
# Installs everything RegenAtlas needs to build, run and test, idempotently:
# Debian packages through apt (only the missing ones, after one apt-get update)
# and npm tools into the repository's own ignored node_modules/.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  librocksdb-dev libabsl-dev libgtest-dev libgmock-dev rapidjson-dev prometheus-cpp-dev
  libroaring-dev
  # XML: the WHO ICTRP export reader (services/catalog/ictrp_xml.cc).
  libexpat1-dev
  python3 python3-grpcio python3-protobuf
  # libFuzzer targets (scripts/fuzz.sh): clang with its sanitizer/fuzzer runtimes.
  clang-14 libclang-rt-14-dev
  # ASan+UBSan and TSan builds (scripts/test-sanitizers.sh): lld links the
  # instrumented tests much faster (gcc's sanitizer runtimes come with g++).
  lld
  # The format check (ctest clang_format).
  clang-format-14
)
# Node.js may come from elsewhere (its own npm conflicts with Debian's npm):
# only ask apt for it when there is no node/npm at all.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  APT_PACKAGES+=(nodejs npm)
fi
# kubectl, whose built-in kustomize renders deploy/ for tests/deploy: Debian's
# kubernetes-client, only when no kubectl is there (a kubectl from another
# package owns /usr/bin/kubectl, and dpkg refuses to install over it).
if ! command -v kubectl >/dev/null; then
  APT_PACKAGES+=(kubernetes-client)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm tools pinned in package.json / package-lock.json, installed locally.
if [ ! -x node_modules/.bin/buf ] || [ package.json -nt node_modules/.stamp ]; then
  echo "setup: installing npm tools" >&2
  # `npm install` rather than `npm ci`: npm 11's lock files omit the other
  # platforms' optional buf binaries, which `npm ci` then rejects.
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.stamp
fi
