"""End-to-end: the all-in-one server as a process, driven by `buf curl` and
Python grpcio. Run by ctest (see tests/CMakeLists.txt)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import grpc  # noqa: E402  (Debian's python3-grpcio)
DATASET = os.environ.get(
    "REGENATLAS_DATASET", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
from regenatlas_e2e import (BIN, CURATOR_KEY, BufError, Server, buf_curl, error_details,  # noqa: E402
                            write_keys)

SERVICES = [
    "regenatlas.catalog.v1.CatalogService",
    "regenatlas.timeline.v1.RegulatoryTimelineService",
    "regenatlas.analytics.v1.MarketAnalyticsService",
    "regenatlas.gateway.v1.GatewayService",
]


def grpcio_health(address, service):
    """grpc.health.v1.Health/Check with grpcio and hand-encoded messages:
    HealthCheckRequest{service=1}, HealthCheckResponse{status=1}."""
    raw = service.encode()
    request = (b"\x0a" + bytes([len(raw)]) + raw) if raw else b""
    with grpc.insecure_channel(address) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        reply = check(request, timeout=30)
    return reply[1] if len(reply) >= 2 and reply[0] == 0x08 else 0  # 1 = SERVING


class FoundationTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-")
        self.data_dir = os.path.join(self.tmp, "db")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop_quietly()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self):
        keys = write_keys(self.tmp)
        server = Server(self.data_dir, ["--dataset=none", "--auth_keys=" + keys]).start()
        self.servers.append(server)
        return server

    def test_reflection_health_durability_errors_and_graceful_stop(self):
        server = self.start()
        addr = server.address

        services = buf_curl(addr, list_services=True)
        for name in SERVICES + ["grpc.health.v1.Health"]:
            self.assertIn(name, services)

        self.assertEqual(buf_curl(addr, "grpc.health.v1.Health/Check", {}),
                         {"status": "SERVING"})
        for name in SERVICES:
            self.assertEqual(
                buf_curl(addr, "grpc.health.v1.Health/Check", {"service": name}),
                {"status": "SERVING"}, name)
            self.assertEqual(grpcio_health(addr, name), 1, name)
        self.assertEqual(grpcio_health(addr, ""), 1)

        backends = buf_curl(addr, "regenatlas.gateway.v1.GatewayService/ListBackends", {})
        self.assertEqual([b["health"] for b in backends["backends"]],
                         ["BACKEND_HEALTH_SERVING"] * 3)

        # Writes need a key; reads are open to anonymous callers by default.
        with self.assertRaises(BufError) as err:
            buf_curl(addr, "regenatlas.catalog.v1.CatalogService/CreateSource",
                     {"source_id": "x", "source": {"title": "t", "kind": "SOURCE_KIND_NEWS"}})
        self.assertEqual(err.exception.code, "unauthenticated")
        created = buf_curl(addr, "regenatlas.catalog.v1.CatalogService/CreateSource", key=CURATOR_KEY, data={
            "source_id": "news-2025-amimestrocel-year",
            "source": {"title": "一剂新药，一个起点", "kind": "SOURCE_KIND_NEWS",
                       "language": "zh", "publication_date": {"year": 2025, "month": 12}},
        })
        self.assertEqual(created["name"], "sources/news-2025-amimestrocel-year")

        # An acknowledged write survives kill -9.
        server.kill9()
        server = self.start()
        addr = server.address
        got = buf_curl(addr, "regenatlas.catalog.v1.CatalogService/GetSource",
                       {"name": "sources/news-2025-amimestrocel-year"})
        self.assertEqual(got["title"], "一剂新药，一个起点")
        self.assertEqual(got["etag"], created["etag"])
        self.assertEqual(got["publicationDate"], {"year": 2025, "month": 12})

        with self.assertRaises(BufError) as err:
            buf_curl(addr, "regenatlas.catalog.v1.CatalogService/GetSource",
                     {"name": "sources/no-such-source"})
        self.assertEqual(err.exception.code, "not_found")

        with self.assertRaises(BufError) as err:
            buf_curl(addr, "regenatlas.catalog.v1.CatalogService/ListSources",
                     {"page_size": -5})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertIn("page_size", err.exception.message)

        with self.assertRaises(BufError) as err:
            buf_curl(addr, "regenatlas.catalog.v1.CatalogService/ListSources",
                     {"page_size": 1, "page_token": "AAAA-not-a-token"})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertIn("page_token", err.exception.message)

        # Nothing was written by the failed calls.
        listed = buf_curl(addr, "regenatlas.catalog.v1.CatalogService/ListSources", {})
        self.assertEqual([s["name"] for s in listed["sources"]],
                         ["sources/news-2025-amimestrocel-year"])

        self.assertEqual(server.terminate(), 0)
        log = server.read_log()
        self.assertIn('"msg":"shutting down"', log)
        self.assertIn('"msg":"store closed"', log)

    def test_second_server_on_same_store_fails_fast(self):
        self.start()
        second = Server(self.data_dir, ["--dataset=none"])
        self.servers.append(second)
        with self.assertRaises(RuntimeError) as err:
            second.start(timeout=30)
        self.assertIn("cannot open store", str(err.exception))
        self.assertIn("in use by another process", str(err.exception))

    def test_errors_carry_machine_readable_details(self):
        """AIP-193: BadRequest naming the field, ErrorInfo with a stable
        reason, RetryInfo on a rate-limited call; an unparseable request is
        INVALID_ARGUMENT."""
        server = Server(self.data_dir, ["--dataset=none", "--rate_limit_qps=1",
                                        "--rate_limit_burst=2"]).start()
        self.servers.append(server)
        with self.assertRaises(BufError) as bad:
            buf_curl(server.address, "regenatlas.catalog.v1.CatalogService/ListProducts",
                     {"filter": "((("})
        self.assertEqual(bad.exception.code, "invalid_argument")
        details = error_details(bad.exception)
        self.assertEqual(details["google.rpc.BadRequest"][0][0], "filter")
        self.assertIn("unexpected end of filter", details["google.rpc.BadRequest"][0][1])
        self.assertEqual(details["google.rpc.ErrorInfo"]["reason"], "INVALID_FILTER")
        self.assertEqual(details["google.rpc.ErrorInfo"]["domain"], "regenatlas.io")
        limited = None
        for _ in range(10):
            try:
                buf_curl(server.address, "regenatlas.catalog.v1.CatalogService/ListSources", {})
            except BufError as e:
                limited = e
                break
        self.assertIsNotNone(limited, "no call was rate limited")
        self.assertEqual(limited.code, "resource_exhausted")
        details = error_details(limited)
        self.assertEqual(details["google.rpc.ErrorInfo"]["reason"], "RATE_LIMITED")
        self.assertGreater(details["google.rpc.RetryInfo"], 0)
        self.assertLessEqual(details["google.rpc.RetryInfo"], 1.5)
        # Bytes that are not a ListSourcesRequest.
        time.sleep(1.5)  # let the bucket refill (rate limit of 1 call/s)
        with grpc.insecure_channel(server.address) as channel:
            call = channel.unary_unary("/regenatlas.catalog.v1.CatalogService/ListSources")
            with self.assertRaises(grpc.RpcError) as garbage:
                call(b"\xff\xff\xff\xff", timeout=30)
        self.assertEqual(garbage.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("cannot be parsed as regenatlas.catalog.v1.ListSourcesRequest",
                      garbage.exception.details())

    def test_startup_errors_say_what_to_do(self):
        """Each startup error names the problem and the fix, before any
        dataset work; exit 2 for usage errors, 1 for runtime errors."""
        def run(*args):
            return subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=60)
        version = run("--version")
        self.assertEqual(version.returncode, 0)
        self.assertRegex(version.stdout, r"^regenatlas \d+\.\d+\.\d+")
        check = run("check", "/no/such/dataset")
        self.assertEqual(check.returncode, 1)
        self.assertIn("no such dataset directory", check.stdout + check.stderr)
        missing = run("serve", "--listen=127.0.0.1:0", "--data_dir=" + self.data_dir,
                      "--dataset=/no/such/dataset")
        self.assertEqual(missing.returncode, 2)
        self.assertIn("--dataset=/no/such/dataset: no such directory", missing.stderr)
        self.assertNotIn("catalog dataset", missing.stderr)
        role = run("serve", "--role=cataloq", "--data_dir=" + self.data_dir)
        self.assertEqual(role.returncode, 2)
        self.assertIn('unknown role', role.stderr)
        self.assertIn('cataloq', role.stderr)
        # A port in use: said so, before the dataset is loaded.
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        try:
            busy = run("serve", "--listen=127.0.0.1:%d" % taken.getsockname()[1],
                       "--data_dir=" + self.data_dir, "--dataset=" + DATASET)
        finally:
            taken.close()
        self.assertEqual(busy.returncode, 1)
        self.assertIn("address already in use", busy.stderr)
        self.assertNotIn("catalog dataset", busy.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
