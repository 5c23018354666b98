#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang-14, ASan and UBSan in
# build-fuzz/ and runs each for SECONDS_PER_TARGET seconds (default 30, what
# CI uses) over a copy of its committed seed corpus, so the committed corpus
# never grows. Prints the executions per target and exits non-zero on any
# crash, timeout, leak or out-of-memory. A longer local run, and a run of
# chosen targets only:
#
#   scripts/fuzz.sh 600
#   scripts/fuzz.sh 30 ictrp_xml_fuzzer registry_csv_fuzzer
#
# Findings are written to build-fuzz/fuzz/<target>/artifacts/ and can be
# replayed with build-fuzz/tests/fuzz/<target> <file>. Needs clang-14 and
# libclang-rt-14-dev (scripts/setup.sh installs them). See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${1:-30}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]" >&2
  exit 2
fi
BUILD=build-fuzz
TARGETS=(filter_fuzzer registry_id_fuzzer ctgov_json_fuzzer ictrp_xml_fuzzer registry_csv_fuzzer)
# Longest input per target: a filter just over the 8,192-byte limit, an ID
# well past the 64-character limit, a JSON, XML or CSV file of a few records.
declare -A MAX_LEN=([filter_fuzzer]=8300 [registry_id_fuzzer]=512 [ctgov_json_fuzzer]=32768
                    [ictrp_xml_fuzzer]=32768 [registry_csv_fuzzer]=32768)
if (($# > 1)); then
  shift
  for t in "$@"; do
    if [ -z "${MAX_LEN[$t]:-}" ]; then
      echo "fuzz: unknown target $t (known: ${TARGETS[*]})" >&2
      exit 2
    fi
  done
  TARGETS=("$@")
fi

CXX_COMPILER="${REGENATLAS_FUZZ_CXX:-clang++-14}"
if ! command -v "$CXX_COMPILER" >/dev/null; then
  echo "fuzz: $CXX_COMPILER not found; run scripts/setup.sh" >&2
  exit 2
fi

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_COMPILER" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREGENATLAS_BUILD_TESTS=OFF -DREGENATLAS_FUZZ=ON >/dev/null
cmake --build "$BUILD" --target "${TARGETS[@]}"

failed=()
summary=()
for t in "${TARGETS[@]}"; do
  work="$BUILD/fuzz/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp tests/fuzz/corpus/"$t"/* "$work/corpus/"
  args=(-max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10
        -max_len="${MAX_LEN[$t]}" -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  if [ -f "tests/fuzz/$t.dict" ]; then args+=(-dict="tests/fuzz/$t.dict"); fi
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s" >&2
  rc=0
  "$BUILD/tests/fuzz/$t" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
  findings=$(find "$work/artifacts" -type f | wc -l)
  if [ "$rc" != 0 ] || [ "$findings" != 0 ] || [ -z "$execs" ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $rc, $findings finding(s) in $work/artifacts); end of $work/log:" >&2
    tail -n 60 "$work/log" >&2
  fi
  summary+=("$(printf '%-20s %12s executions in %ss' "$t" "${execs:-?}" "$SECONDS_PER_TARGET")")
done

printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash, timeout, leak or OOM in ${#TARGETS[@]} targets"
