"""bench_smoke: a short, bounded run of the benchmark's load generator.

test_hello: regenatlas_hello on 127.0.0.1:0, ~1 s of SayHello at 4 in flight;
  the JSON line has qps > 0, no errors, ordered percentiles; --print_response
  shows the answer.
test_regenatlas: `regenatlas serve` (all-in-one, bundled dataset), --wait_ready,
  then ~1 s of GetProduct (bench/requests/get_product.jsonl) at 4 in flight.
test_bad_input: a request file that is not the method's request type, and an
  unknown method, are refused with the reason.

Benchmarks themselves are not tests (bench/run_matrix.sh, docs/performance.md).
Run by ctest (bench/CMakeLists.txt); by hand:
  REGENATLAS_LOADGEN=build/bench/regenatlas_loadgen REGENATLAS_HELLO=build/bench/regenatlas_hello \
  REGENATLAS_BIN=build/cmd/regenatlas/regenatlas /usr/bin/python3 bench/smoke_test.py -v
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from regenatlas_e2e import Server  # noqa: E402

LOADGEN = os.environ.get("REGENATLAS_LOADGEN", "build/bench/regenatlas_loadgen")
HELLO = os.environ.get("REGENATLAS_HELLO", "build/bench/regenatlas_hello")
REQUESTS = os.path.join(ROOT, "bench", "requests")


def loadgen(*args, timeout=60):
    return subprocess.run([LOADGEN] + list(args), capture_output=True, text=True,
                          timeout=timeout)


class SmokeTest(unittest.TestCase):
    def check_run(self, p, concurrency):
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stdout)
        r = json.loads(lines[0])
        self.assertEqual(r["concurrency"], concurrency)
        self.assertEqual(r["errors"], {}, r)
        self.assertIsNone(r["first_error"])
        self.assertGreater(r["qps"], 0)
        self.assertEqual(r["calls"], r["ok"])
        lat = r["latency_ms"]
        self.assertGreater(lat["p50"], 0)
        self.assertLessEqual(lat["p50"], lat["p90"])
        self.assertLessEqual(lat["p90"], lat["p99"])
        self.assertLessEqual(lat["p99"], lat["p999"])
        self.assertLessEqual(lat["p999"], lat["max"] * 1.01)
        self.assertGreater(r["response_bytes_mean"], 0)
        return r

    def test_hello(self):
        server = subprocess.Popen([HELLO, "--listen=127.0.0.1:0"], stdout=subprocess.PIPE,
                                  text=True)
        try:
            port = json.loads(server.stdout.readline())["port"]
            target = "--target=127.0.0.1:%d" % port
            method = "--method=/regenatlas.bench.v1.HelloService/SayHello"
            request = "--request=" + os.path.join(REQUESTS, "hello.json")
            self.check_run(loadgen(target, method, request, "--concurrency=4", "--duration=1s",
                                   "--warmup=0.2s"), 4)
            p = loadgen(target, method, request, "--print_response")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout), {"message": "hello, bench"})
        finally:
            server.terminate()
            self.assertEqual(server.wait(timeout=30), 0)

    def test_regenatlas(self):
        data = tempfile.mkdtemp(prefix="regenatlas-bench-smoke-")
        # The helper finds the port in the "serving" log line (info level).
        server = Server(os.path.join(data, "store"))
        try:
            server.start(timeout=120)
            target = "--target=" + server.address
            p = loadgen(target, "--wait_ready=30s")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(json.loads(p.stdout)["ready"])
            r = self.check_run(loadgen(
                target, "--method=/regenatlas.catalog.v1.CatalogService/GetProduct",
                "--request=" + os.path.join(REQUESTS, "get_product.jsonl"), "--concurrency=4",
                "--duration=1", "--warmup=0.2"), 4)
            self.assertGreater(r["requests"], 100)
        finally:
            server.stop_quietly()
            shutil.rmtree(data, ignore_errors=True)

    def test_bad_input(self):
        p = loadgen("--target=127.0.0.1:1", "--method=/regenatlas.catalog.v1.CatalogService/GetTrial",
                    "--request=" + os.path.join(REQUESTS, "count_trials.json"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a regenatlas.catalog.v1.GetTrialRequest", p.stderr)
        p = loadgen("--target=127.0.0.1:1", "--method=/nope.Service/Get",
                    "--request=" + os.path.join(REQUESTS, "hello.json"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown service nope.Service", p.stderr)
        p = loadgen("--concurrency=0")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--concurrency", p.stderr)


if __name__ == "__main__":
    unittest.main()
