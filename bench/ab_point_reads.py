#!/usr/bin/env python3
"""A/B comparison of two `regenatlas` binaries on point reads, beside the
hello anchor, in one run (docs/performance.md#ab-comparisons):

  bench/ab_point_reads.py --a OLD_BINARY --b NEW_BINARY --store STORE \
      [--rounds 2] [--duration 10] [--warmup 2] [--build_dir build]

STORE is a catalog store imported by bench/run_matrix.sh (e.g.
build/bench-work/store-600K). Each round measures the hello anchor, then A
and B alternately (catalog role and all-in-one on a checkpoint of STORE),
GetTrial and GetProduct at 1 and 64 in flight, pinned as in the matrix (the
server on CPU 0, the load generator on CPU 1). Prints one line per run and a
table of QPS / hello (median over the rounds) for A and B.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_matrix as m  # noqa: E402

QUERIES = ["GetTrial", "GetProduct"]


def measure(binary, role, store, args, paths, label):
    paths.regenatlas = binary
    server, address, _ = m.start_regenatlas(paths, role, store, label)
    out = {}
    try:
        for q in QUERIES:
            for c in (1, 64):
                out[(q, c)] = m.loadgen(paths, address, q, c, args, label)["qps"]
    finally:
        server.stop()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="the baseline regenatlas binary")
    p.add_argument("--b", required=True, help="the changed regenatlas binary")
    p.add_argument("--store", required=True)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--max_duration", type=float, default=60)
    p.add_argument("--build_dir", default=os.path.join(m.ROOT, "build"))
    p.add_argument("--work_dir", default=os.path.join(m.ROOT, "build", "bench-work"))
    args = p.parse_args()
    paths = m.Paths(args)
    copy = args.store.rstrip("/") + "-ab-all"
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run([args.b, "backup", "--data_dir=" + args.store, "--to=" + copy], check=True,
                   capture_output=True)
    m.log("machine: load %s" % m.load_average())
    rows = {}  # (binary label, role, query, c) -> [qps / hello]
    try:
        for r in range(args.rounds):
            hello = {}
            m.run_hello(paths, args, hello)
            for label, binary in (("A", args.a), ("B", args.b)):
                for role, store in (("catalog", args.store), ("all", copy)):
                    got = measure(binary, role, store, args, paths, "%s-%s" % (label, role))
                    for (q, c), qps in got.items():
                        rows.setdefault((label, role, q, c), []).append(
                            qps / hello["c%d" % c]["qps"])
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    m.log("machine after: load %s" % m.load_average())
    print("| call | server | in flight | A: QPS / hello | B: QPS / hello | B / A |")
    print("|---|---|---|---|---|---|")
    for role in ("catalog", "all"):
        for q in QUERIES:
            for c in (1, 64):
                a = statistics.median(rows[("A", role, q, c)])
                b = statistics.median(rows[("B", role, q, c)])
                print("| %s | %s | %d | %.2f× | %.2f× | %.2f |" % (
                    q, "catalog role" if role == "catalog" else "all-in-one", c, a, b, b / a))


if __name__ == "__main__":
    main()
