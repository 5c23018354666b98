#!/usr/bin/env python3
"""A/B comparison of two `regenatlas` binaries on point reads, beside the
hello anchor, in one run (docs/performance.md#ab-comparisons):

  bench/ab_point_reads.py --a OLD_BINARY --b NEW_BINARY --store STORE \
      [--rounds 2] [--duration 10] [--warmup 2] [--build_dir build] [--questions]

STORE is a catalog store imported by bench/run_matrix.sh (e.g.
build/bench-work/store-600K). Each round measures the hello anchor, then A
and B alternately (catalog role and all-in-one on a checkpoint of STORE),
GetTrial and GetProduct at 1 and 64 in flight, pinned as in the matrix (the
server on CPU 0, the load generator on CPU 1). Prints one line per run and a
table of QPS / hello (median over the rounds) for A and B.

--questions compares the other questions of the matrix instead, by latency
at 1 in flight: ListTrials filtered and ordered and CountTrials on the
catalog role, GetPipelineBreakdown on the all-in-one server (p50 / p99 of
each round), plus the filtered list's QPS at 64 in flight and the catalog
role's RSS after its runs.
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


LATENCY = [("catalog", "ListTrials filtered", 1), ("catalog", "ListTrials ordered", 1),
           ("catalog", "CountTrials phase x country", 1), ("catalog", "ListTrials filtered", 64),
           ("all", "GetPipelineBreakdown", 1)]


def rss_mb(process):
    with open("/proc/%d/status" % process.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def measure_questions(binary, store, copy, args, paths, label):
    """{(role, query, c): loadgen result} and the catalog role's RSS."""
    paths.regenatlas = binary
    out = {}
    rss = 0.0
    for role, st in (("catalog", store), ("all", copy)):
        server, address, _ = m.start_regenatlas(paths, role, st, "%s-%s" % (label, role))
        try:
            for r, q, c in LATENCY:
                if r == role:
                    out[(role, q, c)] = m.loadgen(paths, address, q, c, args, label)
            if role == "catalog":
                rss = rss_mb(server)
        finally:
            server.stop()
    return out, rss


def questions(args, paths, copy):
    rows = {}  # (label, role, query, c) -> ["p50 / p99" or QPS per round]
    for _ in range(args.rounds):
        for label, binary in (("A", args.a), ("B", args.b)):
            got, rss = measure_questions(binary, args.store, copy, args, paths, label)
            for (role, q, c), r in got.items():
                lat = r["latency_ms"] or {}
                cell = ("%.2f / %.2f" % (lat.get("p50", 0), lat.get("p99", 0)) if c == 1
                        else "%.0f QPS" % r["qps"])
                rows.setdefault((label, role, q, c), []).append(cell)
            rows.setdefault((label, "catalog", "RSS after", 0), []).append("%.0f MB" % rss)
    print("| question | server | in flight | A (each round) | B (each round) |")
    print("|---|---|---|---|---|")
    for role, q, c in LATENCY + [("catalog", "RSS after", 0)]:
        print("| %s | %s | %s | %s | %s |" % (
            q, "catalog role" if role == "catalog" else "all-in-one", c or "-",
            ", ".join(rows[("A", role, q, c)]), ", ".join(rows[("B", role, q, c)])))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="the baseline regenatlas binary")
    p.add_argument("--b", required=True, help="the changed regenatlas binary")
    p.add_argument("--store", required=True)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--max_duration", type=float, default=60)
    p.add_argument("--questions", action="store_true",
                   help="compare lists, counts and the breakdown by latency instead")
    p.add_argument("--build_dir", default=os.path.join(m.ROOT, "build"))
    p.add_argument("--work_dir", default=os.path.join(m.ROOT, "build", "bench-work"))
    args = p.parse_args()
    paths = m.Paths(args)
    copy = args.store.rstrip("/") + "-ab-all"
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run([args.b, "backup", "--data_dir=" + args.store, "--to=" + copy], check=True,
                   capture_output=True)
    m.log("machine: load %s" % m.load_average())
    if args.questions:
        try:
            questions(args, paths, copy)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        m.log("machine after: load %s" % m.load_average())
        return
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
