#!/usr/bin/env python3
"""Runs the registry-scale benchmark matrix and writes a markdown table.

Called by bench/run_matrix.sh (which builds the binaries first); see
docs/performance.md. For each size (10k, 100k, 600k trials):

  1. data: bench/ctgov_registry_gen.py, once for the largest size, cached in
     the work directory (a smaller registry is a prefix of a larger one);
  2. import: `regenatlas import ctgov` of the size's pages into a fresh
     store under /usr/bin/time -v (records/s, peak RSS);
  3. PostgreSQL 15: a private cluster (initdb in a temporary directory, unix
     socket only, run as an unprivileged user when we are root), one
     database per size loaded with COPY, bench/postgres/indexes.sql;
  4. load, one server at a time pinned to CPU 0 (taskset -c 0), the load
     generator or pgbench pinned to CPU 1:
       - hello anchor (bench/hello_server.cc): c=1, c=64;
       - `serve --role=catalog` on the store: startup time (first start and
         restart), GetTrial, GetProduct, ListTrials filtered and ordered at
         c=1 and c=64, CountTrials phase x country at c=1, RSS at the end;
       - `serve --role=all` on a checkpoint of the store: first start (loads
         the timeline and analytics datasets), GetTrial, GetProduct at c=1 and
         c=64, GetPipelineBreakdown at c=1, RSS at the end;
       - PostgreSQL: pgbench -M prepared with bench/postgres/*.sql, c=1 and
         -c 64 -j 1, percentiles from pgbench's per-transaction log.
Every run gets --warmup seconds of unmeasured load, then --duration seconds.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
REQUESTS = os.path.join(BENCH, "requests")
PG_DIR = os.path.join(BENCH, "postgres")
PG_BIN = "/usr/lib/postgresql/15/bin"
SERVER_CPU = "0"
CLIENT_CPU = "1"

CATALOG = "/regenatlas.catalog.v1.CatalogService/"
ANALYTICS = "/regenatlas.analytics.v1.MarketAnalyticsService/"

# name → (gRPC method, request file, PostgreSQL script or None, concurrencies)
QUERIES = {
    "GetTrial": (CATALOG + "GetTrial", "get_trial.jsonl", "get_trial.sql", (1, 64)),
    "GetProduct": (CATALOG + "GetProduct", "get_product.jsonl", None, (1, 64)),
    "ListTrials filtered": (CATALOG + "ListTrials", "list_trials_filtered.json",
                            "list_trials_filtered.sql", (1, 64)),
    "ListTrials ordered": (CATALOG + "ListTrials", "list_trials_ordered.json",
                           "list_trials_ordered.sql", (1, 64)),
    "CountTrials phase x country": (CATALOG + "CountTrials", "count_trials.json",
                                    "count_trials.sql", (1,)),
    "GetPipelineBreakdown": (ANALYTICS + "GetPipelineBreakdown", "pipeline_breakdown.json",
                             "pipeline_breakdown.sql", (1,)),
}
CATALOG_ROLE_QUERIES = ["GetTrial", "GetProduct", "ListTrials filtered", "ListTrials ordered",
                        "CountTrials phase x country"]
ALL_IN_ONE_QUERIES = ["GetTrial", "GetProduct", "GetPipelineBreakdown"]
PG_QUERIES = ["GetTrial", "ListTrials filtered", "ListTrials ordered",
              "CountTrials phase x country", "GetPipelineBreakdown"]


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def parse_size(text):
    m = re.fullmatch(r"(\d+)([kKmM]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError("bad size %r" % text)
    return int(m.group(1)) * {"": 1, "k": 1000, "m": 1000000}[m.group(2).lower()]


def size_label(n):
    return "%dK" % (n // 1000) if n % 1000 == 0 else str(n)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def proc_memory(pid):
    """VmRSS and VmHWM of a process in MB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024.0
    return out


def machine_info():
    info = {"nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
            "kernel": platform.release()}
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for key in ("Model name", "CPU(s)", "Thread(s) per core", "Hypervisor vendor", "L2 cache",
                "L3 cache"):
        m = re.search(r"^%s:\s+(.*)$" % re.escape(key), lscpu, re.M)
        if m:
            info[key] = m.group(1).strip()
    with open("/proc/meminfo") as f:
        info["MemTotal"] = "%.1f GB" % (int(f.readline().split()[1]) / 1024 / 1024)
    return info


class Paths:
    def __init__(self, args):
        self.build = args.build_dir
        self.regenatlas = os.path.join(self.build, "cmd", "regenatlas", "regenatlas")
        self.loadgen = os.path.join(self.build, "bench", "regenatlas_loadgen")
        self.hello = os.path.join(self.build, "bench", "regenatlas_hello")
        self.work = args.work_dir
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs, exist_ok=True)


# ---- data ------------------------------------------------------------------


def ensure_data(paths, studies, page_size, seed):
    """The generated registry for `studies` (or a larger cached one)."""
    data = os.path.join(paths.work, "registry")
    manifest_path = os.path.join(data, "manifest.json")
    gen = os.path.join(BENCH, "ctgov_registry_gen.py")
    version = re.search(r"^GENERATOR_VERSION = (\d+)", open(gen).read(), re.M).group(1)
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            m = json.load(f)
        if (m["studies"] >= studies and m["page_size"] == page_size and m["seed"] == seed
                and str(m["generator_version"]) == version):
            log("data: cached %d studies in %s" % (m["studies"], data))
            return data, m
    shutil.rmtree(data, ignore_errors=True)
    log("data: generating %d studies into %s" % (studies, data))
    subprocess.run([sys.executable, gen, "--studies", str(studies), "--page_size",
                    str(page_size), "--seed", str(seed), "--out_dir", data, "--progress"],
                   check=True)
    with open(manifest_path) as f:
        return data, json.load(f)


def pages_for(data, manifest, studies):
    n = studies // manifest["page_size"]
    return [os.path.join(data, "pages", "page-%06d.json" % p) for p in range(1, n + 1)]


def dir_bytes(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, f))
            except OSError:
                pass
    return total


def run_import(paths, data, manifest, studies):
    store = os.path.join(paths.work, "store-%s" % size_label(studies))
    shutil.rmtree(store, ignore_errors=True)
    files = pages_for(data, manifest, studies)
    label = size_label(studies)
    log("import %s: %d files into %s" % (label, len(files), store))
    out_path = os.path.join(paths.logs, "import-%s.out" % label)
    err_path = os.path.join(paths.logs, "import-%s.err" % label)
    with open(out_path, "w") as out, open(err_path, "w") as err:
        rc = subprocess.run(["/usr/bin/time", "-v", paths.regenatlas, "import", "ctgov"] + files +
                            ["--data_dir=" + store, "--dataset=" + os.path.join(ROOT, "data"),
                             "--progress=false"], stdout=out, stderr=err).returncode
    text = open(err_path).read()
    if rc != 0:
        raise RuntimeError("import failed (exit %d), see %s and %s" % (rc, out_path, err_path))
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    seconds = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    created = int(re.search(r"created\s+(\d+)", open(out_path).read()).group(1))
    result = {"records": studies, "created": created, "seconds": seconds,
              "records_per_s": studies / seconds, "peak_rss_mb": rss_kb / 1024.0,
              "json_mb": sum(os.path.getsize(f) for f in files) / 1e6,
              "store_mb": dir_bytes(store) / 1e6}
    log("import %s: %.1f s, %.0f records/s, peak RSS %.0f MB" % (
        label, seconds, result["records_per_s"], result["peak_rss_mb"]))
    return store, result


# ---- load ------------------------------------------------------------------


def run_seconds(query, args):
    """--duration, or up to --max_duration for a query whose one call took
    more than --duration / 20 in the cross-check (at least ~20 calls)."""
    return max(args.duration, min(args.max_duration, 20 * PROBE_SECONDS.get(query, 0)))


def loadgen(paths, target, query, concurrency, args, label):
    method, request, _, _ = QUERIES[query]
    duration = run_seconds(query, args)
    cmd = ["taskset", "-c", CLIENT_CPU, paths.loadgen, "--target=" + target, "--method=" + method,
           "--request=" + os.path.join(REQUESTS, request), "--concurrency=%d" % concurrency,
           "--duration=%g" % duration, "--warmup=%g" % args.warmup, "--timeout=300s"]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=duration + args.warmup + 600)
    if p.returncode != 0 or not p.stdout.strip():
        raise RuntimeError("loadgen failed (%d): %s" % (p.returncode, p.stderr))
    r = json.loads(p.stdout.strip().splitlines()[-1])
    lat = r["latency_ms"] or {}
    log("  %-28s %-10s c=%-3d qps %9.1f p50 %8.3f p99 %8.3f calls %d errors %s" % (
        query, label, concurrency, r["qps"], lat.get("p50", 0), lat.get("p99", 0), r["calls"],
        r["errors"] or "-"))
    return r


def hello_request(paths, target, concurrency, args):
    cmd = ["taskset", "-c", CLIENT_CPU, paths.loadgen, "--target=" + target,
           "--method=/regenatlas.bench.v1.HelloService/SayHello",
           "--request=" + os.path.join(REQUESTS, "hello.json"), "--concurrency=%d" % concurrency,
           "--duration=%g" % args.duration, "--warmup=%g" % args.warmup]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=args.duration + args.warmup + 120)
    if p.returncode != 0:
        raise RuntimeError("loadgen failed: %s" % p.stderr)
    r = json.loads(p.stdout.strip().splitlines()[-1])
    log("  %-28s %-10s c=%-3d qps %9.1f p50 %8.3f p99 %8.3f" % (
        "SayHello", "hello", concurrency, r["qps"], r["latency_ms"]["p50"],
        r["latency_ms"]["p99"]))
    return r


# Seconds one call of each query took in the cross-check (per server kind):
# runs of queries slower than --duration / 20 are lengthened (--max_duration).
PROBE_SECONDS = {}


def responses(paths, target, query):
    method, request, _, _ = QUERIES[query]
    started = time.monotonic()
    p = subprocess.run(["taskset", "-c", CLIENT_CPU, paths.loadgen, "--target=" + target,
                        "--method=" + method, "--request=" + os.path.join(REQUESTS, request),
                        "--print_response", "--timeout=120s"], capture_output=True, text=True,
                       timeout=600)
    out = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    PROBE_SECONDS[query] = (time.monotonic() - started) / max(1, len(out))
    return out


def check(out, name, ok, detail):
    out.append({"check": name, "ok": bool(ok), "detail": detail})
    log("  cross-check %-28s %s %s" % (name, "ok" if ok else "MISMATCH", detail))


def baseline(paths):
    """The reference dataset's own trials (the store holds them besides the
    imported ones; PostgreSQL does not): its answers to the cross-check's
    questions, from a store with nothing imported."""
    store = os.path.join(paths.work, "store-baseline")
    shutil.rmtree(store, ignore_errors=True)
    server, address, _ = start_regenatlas(paths, "catalog", store, "baseline")
    try:
        listed = responses(paths, address, "ListTrials filtered")[0]
        counted = responses(paths, address, "CountTrials phase x country")[0]
    finally:
        server.stop()
    shutil.rmtree(store, ignore_errors=True)
    return {"list_total": int(listed.get("totalSize", 0)), "trials": int(counted.get("total", 0)),
            "groups": {"|".join(r["keys"]): int(r.get("count", 0)) for r in counted["rows"]}}


def add_baseline(expected, base):
    """PostgreSQL's answers plus the reference dataset's trials."""
    out = dict(expected)
    out["list_total"] = expected["list_total"] + base["list_total"]
    out["trials"] = expected["trials"] + base["trials"]
    groups = dict(expected["groups"])
    for k, n in base["groups"].items():
        groups[k] = groups.get(k, 0) + n
    out["groups"] = groups
    return out


def crosscheck(paths, target, role, expected, out):
    """Compares the server's answers with PostgreSQL's (plus the reference
    dataset's trials): both sides of the benchmark must answer the same
    questions about the same data."""
    if role == "catalog":
        got = responses(paths, target, "GetTrial")
        found = sum(1 for r in got if "error" not in r)
        check(out, "GetTrial", found == expected["get_trial_found"],
              "%d of %d IDs found (PostgreSQL %d)" % (found, expected["get_trial_ids"],
                                                      expected["get_trial_found"]))
        for q, key in (("ListTrials filtered", "list_ids"), ("ListTrials ordered", "ordered_ids")):
            r = responses(paths, target, q)[0]
            if "error" in r:
                check(out, q, False, r["error"])
                continue
            ids = [t["name"].split("/")[-1].upper() for t in r.get("trials", [])]
            total = int(r.get("totalSize", 0))
            check(out, q, total == expected["list_total"] and len(ids) == len(expected[key]),
                  "total %d (PostgreSQL %d), page %d (PostgreSQL %d), same first page: %s" % (
                      total, expected["list_total"], len(ids), len(expected[key]),
                      ids == expected[key]))
        check_groups(out, "CountTrials phase x country",
                     responses(paths, target, "CountTrials phase x country")[0], expected)
    else:
        check_groups(out, "GetPipelineBreakdown",
                     responses(paths, target, "GetPipelineBreakdown")[0], expected)


def check_groups(out, name, r, expected):
    """Every (phase, country) count and the total equal PostgreSQL's."""
    if "error" in r:
        check(out, name, False, r["error"])
        return
    groups = {"|".join(row["keys"]): int(row.get("count", 0)) for row in r.get("rows", [])}
    diff = sorted(k for k in set(groups) | set(expected["groups"])
                  if groups.get(k) != expected["groups"].get(k))
    check(out, name, not diff and int(r.get("total", 0)) == expected["trials"],
          "%d groups, total %s (PostgreSQL %d groups, %d trials)%s" % (
              len(groups), r.get("total"), len(expected["groups"]), expected["trials"],
              "; differ: " + ", ".join(diff[:6]) if diff else ""))


class Process:
    """A server we started (pinned to SERVER_CPU); stopped with SIGTERM."""

    def __init__(self, cmd, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU] + cmd,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.log.close()
        return self.proc.returncode


def start_regenatlas(paths, role, store, label, wait_s=900):
    """Starts `serve`; returns (process, address, seconds until SERVING)."""
    port = free_port()
    address = "127.0.0.1:%d" % port
    cmd = [paths.regenatlas, "serve", "--role=" + role, "--data_dir=" + store,
           "--listen=" + address, "--log_level=warning",
           "--dataset=" + os.path.join(ROOT, "data")]
    server = Process(cmd, os.path.join(paths.logs, "serve-%s-%s.log" % (role, label)))
    ready = subprocess.run(["taskset", "-c", CLIENT_CPU, paths.loadgen, "--target=" + address,
                            "--wait_ready=%ds" % wait_s], capture_output=True, text=True,
                           timeout=wait_s + 30)
    seconds = time.monotonic() - server.started
    if ready.returncode != 0:
        server.stop()
        raise RuntimeError("%s did not become ready: %s\n%s" % (
            role, ready.stderr, open(server.log_path).read()[-2000:]))
    return server, address, seconds


def run_hello(paths, args, results):
    server = Process([paths.hello, "--listen=127.0.0.1:0"], os.path.join(paths.logs, "hello.log"))
    try:
        port = json.loads(server.proc.stdout.readline())["port"]
        for c in (1, 64):
            results["c%d" % c] = hello_request(paths, "127.0.0.1:%d" % port, c, args)
    finally:
        server.stop()


def run_regenatlas(paths, args, store, studies, out):
    label = size_label(studies)
    # Catalog role: first start on the freshly imported store, then a restart.
    server, _, first = start_regenatlas(paths, "catalog", store, label)
    server.stop()
    server, address, restart = start_regenatlas(paths, "catalog", store, label)
    out["startup"] = {"catalog_first_s": first, "catalog_restart_s": restart}
    log("  catalog role: first start %.2f s, restart %.2f s" % (first, restart))
    expected = add_baseline(out["postgres_load"]["expected"], out["baseline"])
    try:
        crosscheck(paths, address, "catalog", expected, out["crosscheck"])
        for q in CATALOG_ROLE_QUERIES:
            for c in QUERIES[q][3]:
                out["catalog"]["%s c%d" % (q, c)] = loadgen(paths, address, q, c, args, "catalog")
        out["rss"]["catalog"] = proc_memory(server.proc.pid)
    finally:
        server.stop()
    # All-in-one on a checkpoint of the same store (it adds the timeline and
    # analytics datasets on its first start).
    copy = store + "-all"
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run([paths.regenatlas, "backup", "--data_dir=" + store, "--to=" + copy],
                   check=True, capture_output=True)
    server, address, first_all = start_regenatlas(paths, "all", copy, label)
    out["startup"]["all_first_s"] = first_all
    log("  all-in-one: first start %.2f s" % first_all)
    try:
        crosscheck(paths, address, "all", expected, out["crosscheck"])
        for q in ALL_IN_ONE_QUERIES:
            for c in QUERIES[q][3]:
                out["all"]["%s c%d" % (q, c)] = loadgen(paths, address, q, c, args, "all-in-one")
        out["rss"]["all"] = proc_memory(server.proc.pid)
    finally:
        server.stop()
    shutil.rmtree(copy, ignore_errors=True)


# ---- PostgreSQL ------------------------------------------------------------


class Postgres:
    """A private PostgreSQL 15 cluster in a temporary directory, reached over
    a unix socket only. As root, the cluster belongs to an unprivileged user
    (initdb refuses root): `postgres` when it exists, else `nobody`."""

    def __init__(self, paths):
        self.paths = paths
        self.dir = tempfile.mkdtemp(prefix="regenatlas-bench-pg-")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.makedirs(self.sock)
        self.as_user = []
        if os.geteuid() == 0:
            user = "postgres"
            try:
                import pwd
                pwd.getpwnam(user)
            except KeyError:
                user = "nobody"
            shutil.chown(self.dir, user)
            shutil.chown(self.sock, user)
            os.chmod(self.dir, 0o755)
            self.as_user = ["runuser", "-u", user, "--"]
        self.log_path = os.path.join(self.dir, "postgres.log")
        subprocess.run(self.as_user + [PG_BIN + "/initdb", "-D", self.data, "-U", "bench",
                                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\n# regenatlas bench (bench/run_matrix.py)\n"
                    "listen_addresses = ''\n"
                    "unix_socket_directories = '%s'\n"
                    "max_connections = 100\n"
                    "shared_buffers = 1GB\n"
                    "effective_cache_size = 4GB\n"
                    "work_mem = 32MB\n"
                    "maintenance_work_mem = 512MB\n"
                    "random_page_cost = 1.1\n"
                    "jit = off\n"
                    "max_parallel_workers_per_gather = 0\n"
                    "fsync = off\n"
                    "synchronous_commit = off\n"
                    "full_page_writes = off\n" % self.sock)
        self.running = False

    def start(self):
        subprocess.run(["taskset", "-c", SERVER_CPU] + self.as_user + [
            PG_BIN + "/pg_ctl", "-D", self.data, "-l", self.log_path, "-w", "-t", "120",
            "start"], check=True, capture_output=True)
        self.running = True

    def stop(self):
        if self.running:
            subprocess.run(self.as_user + [PG_BIN + "/pg_ctl", "-D", self.data, "-m", "fast",
                                           "-w", "stop"], check=False, capture_output=True)
            self.running = False

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, db, *extra, stdin=None):
        return subprocess.run([PG_BIN + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                               self.sock, "-U", "bench", "-d", db] + list(extra), stdin=stdin,
                              check=True, capture_output=True, text=True)

    def load(self, db, csv_path, studies):
        started = time.monotonic()
        self.psql("postgres", "-c", "DROP DATABASE IF EXISTS %s" % db)
        self.psql("postgres", "-c", "CREATE DATABASE %s" % db)
        self.psql(db, "-f", os.path.join(PG_DIR, "schema.sql"))
        # The first `studies` rows of the CSV (one line per trial).
        copy = subprocess.Popen([PG_BIN + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                                 self.sock, "-U", "bench", "-d", db, "-c",
                                 "\\copy trials FROM STDIN WITH (FORMAT csv)"],
                                stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        with open(csv_path, "rb") as f:
            for n, line in enumerate(f):
                if n >= studies:
                    break
                copy.stdin.write(line)
        copy.stdin.close()
        if copy.wait() != 0:
            raise RuntimeError("COPY failed: %s" % copy.stderr.read().decode())
        loaded = time.monotonic()
        self.psql(db, "-f", os.path.join(PG_DIR, "indexes.sql"))
        done = time.monotonic()
        size = self.psql(db, "-At", "-c", "SELECT pg_database_size(current_database())").stdout
        self.explain(db)
        return {"copy_s": loaded - started, "index_s": done - loaded,
                "db_mb": int(size.strip()) / 1e6, "expected": self.expected(db)}

    def explain(self, db):
        """EXPLAIN ANALYZE of every statement of the pgbench scripts (a fixed ID
        for GetTrial), into logs/explain-<db>.txt: which indexes are used."""
        with open(os.path.join(self.paths.logs, "explain-%s.txt" % db), "w") as out:
            for q in PG_QUERIES:
                script = open(os.path.join(PG_DIR, QUERIES[q][2])).read()
                body = "\n".join(line for line in script.splitlines()
                                 if not line.startswith("\\") and not line.startswith("--"))
                body = body.replace(":n", "10012345")
                for statement in [x.strip() for x in body.split(";") if x.strip()]:
                    plan = self.psql(db, "-c", "EXPLAIN (ANALYZE, BUFFERS) " + statement).stdout
                    out.write("-- %s\n%s;\n%s\n" % (q, statement, plan))

    def expected(self, db):
        """PostgreSQL's answers to the benchmark's questions, for the cross-check."""
        def rows(sql):
            return [r.split("|") for r in self.psql(db, "-At", "-c", sql).stdout.splitlines()]
        where = "WHERE phase = 'PHASE_2' AND countries @> ARRAY['PL']"
        count_sql = open(os.path.join(PG_DIR, "count_trials.sql")).read().split(";")[0]
        ids = [json.loads(line)["name"] for line in open(os.path.join(REQUESTS, "get_trial.jsonl"))
               if line.startswith("{")]
        return {
            "list_total": int(rows("SELECT count(*) FROM trials " + where)[0][0]),
            "list_ids": [r[0] for r in rows("SELECT nct_id FROM trials %s ORDER BY nct_id "
                                            "LIMIT 20" % where)],
            "ordered_ids": [r[0] for r in rows(
                "SELECT nct_id FROM trials %s ORDER BY start_date DESC, nct_id "
                "LIMIT 20" % where)],
            "trials": int(rows("SELECT count(*) FROM trials")[0][0]),
            "groups": {"%s|%s" % (r[0], r[1]): int(r[2]) for r in rows(count_sql)},
            "get_trial_found": int(rows("SELECT count(*) FROM trials WHERE nct_id IN (%s)" % ",".join(
                "'%s'" % i for i in ids))[0][0]),
            "get_trial_ids": len(ids)}

    def pgbench(self, db, script, concurrency, seconds, log_prefix=None):
        cmd = ["taskset", "-c", CLIENT_CPU, PG_BIN + "/pgbench", "-n", "-M", "prepared", "-h",
               self.sock, "-U", "bench", "-c", str(concurrency), "-j", "1", "-T", str(seconds),
               "-f", os.path.join(PG_DIR, script)]
        if log_prefix:
            cmd += ["-l", "--log-prefix=" + log_prefix]
        p = subprocess.run(cmd + [db], capture_output=True, text=True, timeout=seconds + 600)
        if p.returncode != 0:
            raise RuntimeError("pgbench failed: %s %s" % (p.stdout, p.stderr))
        return p.stdout


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[k]


def run_pgbench(pg, db, query, concurrency, args, paths, label):
    script = QUERIES[query][2]
    if args.warmup > 0:
        pg.pgbench(db, script, concurrency, max(1, int(round(args.warmup))))
    prefix = os.path.join(paths.logs, "pgbench-%s-%s-c%d" % (
        label, script.replace(".sql", ""), concurrency))
    for old in [f for f in os.listdir(paths.logs)
                if os.path.join(paths.logs, f).startswith(prefix + ".")]:
        os.unlink(os.path.join(paths.logs, old))
    out = pg.pgbench(db, script, concurrency, int(round(args.duration)), prefix)
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    latencies = []
    for f in os.listdir(paths.logs):
        path = os.path.join(paths.logs, f)
        if path.startswith(prefix + "."):
            with open(path) as log_file:
                for line in log_file:
                    parts = line.split()
                    if len(parts) >= 3 and parts[2].isdigit():
                        latencies.append(int(parts[2]) / 1000.0)
            os.unlink(path)
    latencies.sort()
    r = {"qps": tps, "calls": len(latencies), "errors": int(failed.group(1)) if failed else 0,
         "latency_ms": {"p50": percentile(latencies, 0.5), "p90": percentile(latencies, 0.9),
                        "p99": percentile(latencies, 0.99),
                        "p999": percentile(latencies, 0.999),
                        "mean": sum(latencies) / len(latencies) if latencies else None,
                        "max": latencies[-1] if latencies else None}}
    log("  %-28s %-10s c=%-3d qps %9.1f p50 %8.3f p99 %8.3f" % (
        query, "postgres", concurrency, tps, r["latency_ms"]["p50"] or 0,
        r["latency_ms"]["p99"] or 0))
    return r


# ---- report ----------------------------------------------------------------


def fmt(v, digits=2):
    if v is None:
        return "–"
    if v >= 100:
        return "%.0f" % v
    return ("%%.%df" % digits) % v


def unsupported(r):
    """Why a gRPC run measured nothing, or None."""
    if r is None:
        return "not run"
    if r.get("ok", r.get("calls", 0)) == 0 and r.get("errors"):
        return "unsupported/failed: %s" % (r.get("first_error") or r["errors"])
    if r.get("calls", 0) == 0:
        return "no call completed in the window"
    return None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return "%.2f×" % (a / b)


def lat(r, key):
    return (r or {}).get("latency_ms") and r["latency_ms"].get(key)


def report(results, args):
    lines = []
    env = results["environment"]
    lines += ["# Registry-scale benchmark results", "",
              "Written by `bench/run_matrix.sh` (%s); method and reading: "
              "[performance.md](performance.md)." % results["started"], "",
              "| | |", "|---|---|"]
    for k, v in env["machine"].items():
        lines.append("| %s | %s |" % (k, v))
    lines += ["| load average (1/5/15 min) before | %s |" % env["load_before"],
              "| load average after | %s |" % env["load_after"],
              "| versions | %s |" % env["versions"],
              "| pinning | servers (RegenAtlas, hello anchor, PostgreSQL) `taskset -c %s`; "
              "regenatlas_loadgen and pgbench `taskset -c %s` |" % (SERVER_CPU, CLIENT_CPU),
              "| runs | %g s warm-up + %g s measured each (a query slower than 1/20 of that: "
              "up to %g s); one channel (HTTP/2 connection) per loadgen; pgbench `-M prepared "
              "-j 1` |" % (args.warmup, args.duration, args.max_duration), ""]
    for size in results["sizes"]:
        s = results["by_size"][str(size)]
        hello = s["hello"]
        lines += ["## %s trials" % size_label(size), ""]
        lines += ["### Point reads vs the hello anchor", "",
                  "| call | server | in flight | QPS | p50 ms | p99 ms | p99.9 ms | QPS / hello |",
                  "|---|---|---|---|---|---|---|---|"]
        for c in (1, 64):
            h = hello.get("c%d" % c)
            lines.append("| SayHello | hello anchor | %d | %s | %s | %s | %s | 1.00× |" % (
                c, fmt(h["qps"]), fmt(lat(h, "p50"), 3), fmt(lat(h, "p99"), 3),
                fmt(lat(h, "p999"), 3)))
        for q in ("GetTrial", "GetProduct"):
            for role, name in (("catalog", "catalog role"), ("all", "all-in-one")):
                for c in (1, 64):
                    r = s[role].get("%s c%d" % (q, c))
                    why = unsupported(r)
                    if why:
                        lines.append("| %s | %s | %d | %s | | | | |" % (q, name, c, why))
                        continue
                    lines.append("| %s | %s | %d | %s | %s | %s | %s | %s |" % (
                        q, name, c, fmt(r["qps"]), fmt(lat(r, "p50"), 3), fmt(lat(r, "p99"), 3),
                        fmt(lat(r, "p999"), 3), ratio(r["qps"], hello["c%d" % c]["qps"])))
        lines += ["", "### Queries vs PostgreSQL 15", "",
                  "Latency at 1 in flight (lower is better) and QPS at 64 in flight (higher is "
                  "better); ratio = RegenAtlas / PostgreSQL. On a loaded machine the p99 of "
                  "sub-millisecond calls is mostly scheduling noise: read p50 there.", "",
                  "| query | server | calls c=1 | p50 ms c=1 | p99 ms c=1 | PG calls | PG p50 | "
                  "PG p99 | p50 ratio | p99 ratio | QPS c=64 | PG QPS c=64 | QPS ratio |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for q in PG_QUERIES:
            role = "all" if q == "GetPipelineBreakdown" else "catalog"
            r1 = s[role].get("%s c1" % q)
            r64 = s[role].get("%s c64" % q)
            p1 = s["postgres"].get("%s c1" % q)
            p64 = s["postgres"].get("%s c64" % q)
            why = unsupported(r1)
            server = "all-in-one" if role == "all" else "catalog role"
            if why:
                lines.append("| %s | %s | %s | | | %s | %s | %s | | | | %s | |" % (
                    q, server, why, p1["calls"], fmt(lat(p1, "p50"), 3), fmt(lat(p1, "p99"), 3),
                    fmt(p64["qps"]) if p64 else "–"))
                continue
            lines.append("| %s | %s | %d | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                q, server, r1["calls"], fmt(lat(r1, "p50"), 3), fmt(lat(r1, "p99"), 3),
                p1["calls"], fmt(lat(p1, "p50"), 3), fmt(lat(p1, "p99"), 3),
                ratio(lat(r1, "p50"), lat(p1, "p50")),
                ratio(lat(r1, "p99"), lat(p1, "p99")),
                fmt(r64["qps"]) if r64 else "–", fmt(p64["qps"]) if p64 else "–",
                ratio(r64["qps"], p64["qps"]) if r64 and p64 else "–"))
        lines += ["", "### Cross-check: the same answers from both", "",
                  "The store also holds the %d trials of the reference dataset (data/); they are "
                  "added to PostgreSQL's answers here." % s["baseline"]["trials"], "",
                  "| question | same answer | detail |", "|---|---|---|"]
        for c in s["crosscheck"]:
            lines.append("| %s | %s | %s |" % (c["check"], "yes" if c["ok"] else "**no**",
                                               c["detail"]))
        imp = s["import"]
        st = s["startup"]
        pgl = s["postgres_load"]
        lines += ["", "### Import, startup, memory", "",
                  "| what | figure |", "|---|---|",
                  "| import (`regenatlas import ctgov`, %d pages, %.0f MB of JSON) | %.1f s, "
                  "**%.0f records/s**, peak RSS %.0f MB, store %.0f MB |" % (
                      size // args.page_size, imp["json_mb"], imp["seconds"],
                      imp["records_per_s"], imp["peak_rss_mb"], imp["store_mb"]),
                  "| PostgreSQL load (COPY; indexes + VACUUM ANALYZE) | %.1f s; %.1f s; "
                  "database %.0f MB |" % (pgl["copy_s"], pgl["index_s"], pgl["db_mb"]),
                  "| catalog role startup on the imported store (spawn → health SERVING) | "
                  "first start %.2f s, restart **%.2f s** |" % (
                      st["catalog_first_s"], st["catalog_restart_s"]),
                  "| all-in-one first start on a checkpoint (loads timeline + analytics "
                  "datasets) | %.2f s |" % st["all_first_s"],
                  "| server RSS after its runs (VmRSS / peak VmHWM) | catalog role %.0f / %.0f "
                  "MB; all-in-one %.0f / %.0f MB |" % (
                      s["rss"]["catalog"]["VmRSS"], s["rss"]["catalog"]["VmHWM"],
                      s["rss"]["all"]["VmRSS"], s["rss"]["all"]["VmHWM"]), ""]
    if len(results["sizes"]) > 1:
        first, last = results["sizes"][0], results["sizes"][-1]
        lines += ["## Scaling %s → %s" % (size_label(first), size_label(last)), "",
                  "Latency at 1 in flight per size, p50 (p99) in ms; growth = p50 at %s / p50 "
                  "at %s." % (size_label(last), size_label(first)), "",
                  "| query | server | " + " | ".join(size_label(z) for z in results["sizes"]) +
                  " | growth |", "|---|---|" + "---|" * (len(results["sizes"]) + 1)]
        rows = [(q, "catalog") for q in CATALOG_ROLE_QUERIES] + [
            ("GetPipelineBreakdown", "all")] + [(q, "postgres") for q in PG_QUERIES]
        for q, role in rows:
            runs = [results["by_size"][str(z)][role].get("%s c1" % q) for z in results["sizes"]]
            name = {"catalog": "catalog role", "all": "all-in-one",
                    "postgres": "PostgreSQL"}[role]
            lines.append("| %s | %s | %s | %s |" % (
                q, name, " | ".join("%s (%s)" % (fmt(lat(r, "p50"), 3), fmt(lat(r, "p99"), 3))
                                    for r in runs),
                ratio(lat(runs[-1], "p50"), lat(runs[0], "p50"))))
        lines.append("")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,600k")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--max_duration", type=float, default=60,
                        help="longest measured window of a slow query (see run_seconds)")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "performance-results.md"))
    parser.add_argument("--work_dir", default=os.path.join(ROOT, "build", "bench-work"))
    parser.add_argument("--build_dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--page_size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report_only", metavar="JSON",
                        help="re-render the markdown of an earlier run's .json and exit")
    args = parser.parse_args()
    if args.report_only:
        with open(args.report_only) as f:
            results = json.load(f)
        for key in ("duration", "warmup", "page_size", "max_duration"):
            setattr(args, key, results["args"].get(key, getattr(args, key)))
        text = report(results, args)
        with open(args.out, "w") as f:
            f.write(text)
        print(text)
        return
    sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or any(s % args.page_size for s in sizes):
        parser.error("--sizes must be multiples of --page_size (%d)" % args.page_size)
    paths = Paths(args)
    for b in (paths.regenatlas, paths.loadgen, paths.hello):
        if not os.access(b, os.X_OK):
            parser.error("%s is missing: build first (bench/run_matrix.sh does)" % b)

    pg_version = subprocess.run([PG_BIN + "/postgres", "--version"], capture_output=True,
                                text=True).stdout.strip()
    lg_version = subprocess.run([paths.loadgen, "--version"], capture_output=True,
                                text=True).stdout.strip()
    results = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
               "sizes": sizes, "args": vars(args),
               "environment": {"machine": machine_info(), "load_before": load_average(),
                               "versions": "%s; %s" % (lg_version, pg_version)},
               "by_size": {}}
    log("machine: %s; load %s" % (results["environment"]["machine"], load_average()))
    data, manifest = ensure_data(paths, sizes[-1], args.page_size, args.seed)
    csv_path = os.path.join(data, "trials.csv")
    results["data"] = manifest

    pg = Postgres(paths)
    try:
        stores = {}
        for size in sizes:
            stores[size], imp = run_import(paths, data, manifest, size)
            results["by_size"][str(size)] = {"import": imp, "hello": {}, "catalog": {},
                                             "all": {}, "postgres": {}, "rss": {},
                                             "crosscheck": []}
        pg.start()
        for size in sizes:
            log("postgres: loading %s" % size_label(size))
            results["by_size"][str(size)]["postgres_load"] = pg.load(
                "trials_%s" % size_label(size).lower(), csv_path, size)
        pg.stop()
        base = baseline(paths)
        results["reference_dataset_trials"] = base
        for size in sizes:
            results["by_size"][str(size)]["baseline"] = base
        for size in sizes:
            label = size_label(size)
            s = results["by_size"][str(size)]
            log("== %s trials (load %s)" % (label, load_average()))
            run_hello(paths, args, s["hello"])
            run_regenatlas(paths, args, stores[size], size, s)
            pg.start()
            try:
                for q in PG_QUERIES:
                    for c in QUERIES[q][3]:
                        s["postgres"]["%s c%d" % (q, c)] = run_pgbench(
                            pg, "trials_%s" % label.lower(), q, c, args, paths, label)
            finally:
                pg.stop()
    finally:
        pg.cleanup()
    results["environment"]["load_after"] = load_average()
    results["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    text = report(results, args)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump(results, f, indent=1)
    log("wrote %s (and .json)" % args.out)
    print(text)


if __name__ == "__main__":
    main()
