#!/usr/bin/python3
"""Single-client latencies of the catalog's list and count queries.

Starts `regenatlas serve --role=all` on an existing store (for example one
filled by `bench/ctgov_page_gen.py --vary` + `regenatlas import ctgov`), times
the queries of the query-engine benchmark one call at a time and prints p50/p99
per query, the startup time and the server's RSS. Not a test: numbers depend
on the machine. Needs the Python client (`scripts/gen-python-client.sh`).

    python3 bench/catalog_query_bench.py --data_dir=/tmp/db --runs=200
"""

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "build", "python"))

import grpc  # noqa: E402
from regenatlas.analytics.v1 import analytics_service_pb2 as apb  # noqa: E402
from regenatlas.analytics.v1 import analytics_service_pb2_grpc as agrpc  # noqa: E402
from regenatlas.catalog.v1 import catalog_service_pb2 as cpb  # noqa: E402
from regenatlas.catalog.v1 import catalog_service_pb2_grpc as cgrpc  # noqa: E402

FILTER = "phase = PHASE_2 AND country = PL"


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def start(binary, data_dir, log_path):
    log = open(log_path, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [binary, "serve", "--role=all", "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
         "--dataset=none", "--log_level=info"], stderr=log, stdout=log)
    while True:
        with open(log_path) as f:
            m = re.search(r'"msg":"serving".*"port":"(\d+)"', f.read())
        if m:
            return proc, int(m.group(1)), time.monotonic() - t0
        if proc.poll() is not None or time.monotonic() - t0 > 120:
            raise SystemExit("server did not start; see " + log_path)
        time.sleep(0.01)


def timed(fn, runs):
    fn()  # warm up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000.0)
    samples.sort()
    return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data_dir", required=True)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/cmd/regenatlas/regenatlas"))
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--log", default="/tmp/catalog_query_bench.log")
    args = parser.parse_args()

    proc, port, startup = start(args.binary, args.data_dir, args.log)
    try:
        channel = grpc.insecure_channel("127.0.0.1:%d" % port)
        catalog = cgrpc.CatalogServiceStub(channel)
        analytics = agrpc.MarketAnalyticsServiceStub(channel)
        first = catalog.ListTrials(cpb.ListTrialsRequest(page_size=1))
        name = first.trials[0].name
        queries = [
            ("GetTrial", lambda: catalog.GetTrial(cpb.GetTrialRequest(name=name))),
            ("ListTrials filter page 20", lambda: catalog.ListTrials(
                cpb.ListTrialsRequest(filter=FILTER, page_size=20))),
            ("ListTrials filter order start_date desc", lambda: catalog.ListTrials(
                cpb.ListTrialsRequest(filter=FILTER, page_size=20, order_by="start_date desc"))),
            ("ListTrials no filter order start_date", lambda: catalog.ListTrials(
                cpb.ListTrialsRequest(page_size=20, order_by="start_date"))),
            ("CountTrials phase x country", lambda: catalog.CountTrials(
                cpb.CountTrialsRequest(group_by=["phase", "country"]))),
            ("CountTrials filter phase x country", lambda: catalog.CountTrials(
                cpb.CountTrialsRequest(filter="status = RECRUITING", group_by=["phase", "country"]))),
            ("GetPipelineBreakdown trials phase x country", lambda: analytics.GetPipelineBreakdown(
                apb.GetPipelineBreakdownRequest(subject=apb.BREAKDOWN_SUBJECT_TRIALS,
                                                group_by=["phase", "country"]))),
        ]
        total = catalog.ListTrials(cpb.ListTrialsRequest(filter=FILTER, page_size=1,
                                                         show_total_size=True)).total_size
        print("store %s: startup %.2f s, %d trials match %r" % (args.data_dir, startup, total, FILTER))
        for label, fn in queries:
            runs = args.runs if "Count" not in label and "Pipeline" not in label else max(
                5, args.runs // 5)
            p50, p99 = timed(fn, runs)
            print("  %-45s p50 %8.2f ms  p99 %8.2f ms  (%d runs)" % (label, p50, p99, runs))
        print("  server RSS after the matrix: %.0f MB" % rss_mb(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
