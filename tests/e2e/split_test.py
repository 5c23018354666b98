"""End-to-end: the split topology (catalog, timeline, analytics, gateway as
four processes on loopback) and the all-in-one server, driven through their
public port by the same client checks, with `buf curl` and Python grpcio."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import grpc  # noqa: E402
from regenatlas_e2e import (CURATOR_KEY, READER_KEY, BufError, Server, buf_curl,  # noqa: E402
                            SERVICE_KEY, write_keys, write_role_keys)
from regenatlas_e2e import BIN  # noqa: E402

DATASET = os.environ.get(
    "REGENATLAS_DATASET", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
SERVICES = [
    "regenatlas.catalog.v1.CatalogService",
    "regenatlas.timeline.v1.RegulatoryTimelineService",
    "regenatlas.analytics.v1.MarketAnalyticsService",
    "regenatlas.gateway.v1.GatewayService",
]
GATEWAY = "regenatlas.gateway.v1.GatewayService/"
CATALOG = "regenatlas.catalog.v1.CatalogService/"
ANALYTICS = "regenatlas.analytics.v1.MarketAnalyticsService/"


def health(address, service):
    try:
        return buf_curl(address, "grpc.health.v1.Health/Check", {"service": service}).get("status")
    except BufError as e:
        return e.code


def wait_for(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


def metrics_matching(port, pattern):
    """/metrics once it matches `pattern`: a call is counted when both of
    its halves are over, just after its caller has the answer."""
    def fetch():
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
        return body if re.search(pattern, body) else None
    return wait_for(fetch, timeout=10, what="metrics matching " + pattern)


class ClientChecks:
    """Checks a client written against RegenAtlas runs against either topology."""

    def check_public_api(self, addr):
        services = buf_curl(addr, list_services=True)
        for name in SERVICES + ["grpc.health.v1.Health"]:
            self.assertIn(name, services)
        self.assertEqual(health(addr, ""), "SERVING")
        for name in SERVICES[:3]:
            wait_for(lambda: health(addr, name) == "SERVING", what=name + " SERVING")
        # Every service through the public port.
        found = buf_curl(addr, CATALOG + "SearchProducts", {"query": "hicm188"})
        self.assertEqual(found["results"][0]["product"]["name"], "products/hicm-188")
        items = buf_curl(addr, "regenatlas.timeline.v1.RegulatoryTimelineService/GetProductTimeline",
                         {"product": "products/amimestrocel"})["items"]
        self.assertGreater(len(items), 5)
        prices = buf_curl(addr, ANALYTICS + "ListPricePoints",
                          {"filter": "product = products/amimestrocel"})
        self.assertTrue(prices["pricePoints"])
        # A dossier for a real product, all sections complete.
        dossier = buf_curl(addr, GATEWAY + "GetProductDossier", {"product": "products/amimestrocel"})
        self.assertTrue(dossier.get("complete"), dossier.get("sections"))
        self.assertEqual(dossier["product"]["name"], "products/amimestrocel")
        self.assertTrue(dossier["timeline"]["items"])
        self.assertTrue(dossier["prices"])
        self.assertTrue(dossier["landscapes"])
        with self.assertRaises(BufError) as err:
            buf_curl(addr, GATEWAY + "GetProductDossier", {"product": "products/no-such-product"})
        self.assertEqual(err.exception.code, "not_found")
        # A request id given by the caller reaches the backend's logs.
        with self.assertRaises(BufError):
            buf_curl(addr, CATALOG + "GetProduct", {"name": "products/no-such-product"},
                     headers=["x-request-id: e2e-trace-0042"])
        wait_for(lambda: '"request_id":"e2e-trace-0042"' in self.backend_log(), timeout=10,
                 what="request id in the backend log")

    def check_auth(self, addr):
        source = {"source_id": "e2e-note", "source": {"title": "note", "kind": "SOURCE_KIND_OTHER"}}
        with self.assertRaises(BufError) as err:
            buf_curl(addr, CATALOG + "CreateSource", source)
        self.assertEqual(err.exception.code, "unauthenticated")
        with self.assertRaises(BufError) as err:
            buf_curl(addr, CATALOG + "CreateSource", source, key="not-a-key-0123456789")
        self.assertEqual(err.exception.code, "unauthenticated")
        with self.assertRaises(BufError) as err:
            buf_curl(addr, CATALOG + "CreateSource", source, key=READER_KEY)
        self.assertEqual(err.exception.code, "permission_denied")
        created = buf_curl(addr, CATALOG + "CreateSource", source, key=CURATOR_KEY)
        self.assertEqual(created["name"], "sources/e2e-note")
        # Reads are open to anonymous callers (the local default) and to keys.
        buf_curl(addr, CATALOG + "GetSource", {"name": "sources/e2e-note"}, key=READER_KEY)


class SplitTopologyTest(unittest.TestCase, ClientChecks):
    def backend_log(self):
        return self.catalog.read_log()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-split-")
        # One key file for every process: the gateway and the backends call
        # each other with its `service` key.
        keys = write_role_keys(cls.tmp)
        cls.procs = []

        def start(name, args):
            server = Server(os.path.join(cls.tmp, name), args).start()
            cls.procs.append(server)
            return server

        cls.catalog = start("catalog", ["--role=catalog", "--dataset=" + DATASET,
                                        "--metrics_listen=127.0.0.1:0", "--auth_keys=" + keys])
        cls.timeline = start("timeline", ["--role=timeline", "--dataset=" + DATASET,
                                          "--auth_keys=" + keys,
                                          "--catalog_addr=" + cls.catalog.address])
        cls.analytics_args = ["--role=analytics", "--dataset=" + DATASET, "--auth_keys=" + keys,
                              "--catalog_addr=" + cls.catalog.address,
                              "--timeline_addr=" + cls.timeline.address]
        cls.analytics = start("analytics", cls.analytics_args)
        cls.gateway = start("gateway", [
            "--role=gateway", "--dataset=none", "--auth_keys=" + keys,
            "--catalog_addr=" + cls.catalog.address, "--timeline_addr=" + cls.timeline.address,
            "--analytics_addr=" + cls.analytics.address, "--rate_limit_qps=20",
            "--rate_limit_burst=40"])
        cls.addr = cls.gateway.address

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.stop_quietly()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_1_public_api_auth_and_rate_limit(self):
        self.check_public_api(self.addr)
        self.check_auth(self.addr)
        # Rate limit: a burst of calls from one key runs out of tokens.
        request = b"\x0a" + bytes([len(b"sources/e2e-note")]) + b"sources/e2e-note"
        codes = []
        with grpc.insecure_channel(self.addr) as channel:
            get = channel.unary_unary("/regenatlas.catalog.v1.CatalogService/GetSource")
            for _ in range(120):
                try:
                    get(request, timeout=10, metadata=[("x-api-key", READER_KEY)])
                    codes.append("OK")
                except grpc.RpcError as e:
                    codes.append(e.code().name)
                    if e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                        trailers = dict(e.trailing_metadata() or ())
                        self.assertIn("retry-after-ms", trailers)
                        self.assertIn("retry after", e.details())
                        break
        self.assertIn("RESOURCE_EXHAUSTED", codes)
        self.assertGreaterEqual(codes.count("OK"), 30)

    def test_3_backend_metrics(self):
        port = int(re.search(r'"metrics_port":"(\d+)"', self.catalog.read_log()).group(1))
        search = ('grpc_method="SearchProducts",grpc_service="regenatlas.catalog.v1.CatalogService",'
                  'grpc_type="unary"')
        # The gateway's forwarded calls, counted by the catalog itself under
        # the conventional names, codes by name.
        body = metrics_matching(port, r'grpc_server_handled_total\{grpc_code="OK",' + search + r'\} [1-9]')
        self.assertRegex(body, r'grpc_server_started_total\{' + search + r'\} [1-9]')
        self.assertRegex(body, r'grpc_client_handled_total\{grpc_code="OK",' + search + r'\} [1-9]')
        self.assertIn('grpc_server_handling_seconds_bucket{' + search, body)
        for name in ("process_resident_memory_bytes", "process_cpu_seconds_total",
                     "regenatlas_rocksdb_live_sst_bytes", "regenatlas_rocksdb_block_cache_usage_bytes",
                     "regenatlas_rocksdb_write_stall_stops_total", "regenatlas_calls_in_flight"):
            self.assertRegex(body, r'(?m)^' + name + r' \d', name)
        self.assertRegex(body, r'regenatlas_build_info\{version="\d+\.\d+\.\d+"\} 1')
        self.assertNotIn("regenatlas_calls_total", body)
        # The access log: one line per call, with the caller's role (the
        # gateway calls with the service key).
        self.assertRegex(self.catalog.read_log(),
                         r'"msg":"access","method":"/regenatlas.catalog.v1.CatalogService/SearchProducts",'
                         r'"code":"OK","latency_ms":"[0-9.]+","request_id":"[^"]+","role":"service"')

    def test_4_backends_authenticate_their_callers(self):
        catalog = "regenatlas.catalog.v1.CatalogService/"
        internal = "regenatlas.catalog.v1.CatalogInternalService/"
        source = {"source_id": "direct-write", "source": {"title": "x", "kind": "SOURCE_KIND_OTHER"}}
        # No key: neither writes nor reads reach a backend that has keys.
        for method, data in ((catalog + "CreateSource", source),
                             (catalog + "GetSource", {"name": "sources/direct-write"})):
            with self.assertRaises(BufError) as e:
                buf_curl(self.catalog.address, method, data)
            self.assertEqual(e.exception.code, "unauthenticated", e.exception.raw)
        # The internal service is for peers (the `service` role) only.
        with self.assertRaises(BufError) as e:
            buf_curl(self.catalog.address, internal + "SetRegulatoryStages",
                     {"product": "products/amimestrocel"}, key=CURATOR_KEY)
        self.assertEqual(e.exception.code, "permission_denied", e.exception.raw)
        # ... and never routed by the public gateway.
        with self.assertRaises(BufError) as e:
            buf_curl(self.addr, internal + "SetRegulatoryStages",
                     {"product": "products/amimestrocel"}, key=SERVICE_KEY)
        self.assertIn(e.exception.code, ("unimplemented", "not_found"), e.exception.raw)
        # A backend on a routable address without keys refuses to start.
        proc = subprocess.run(
            [BIN, "serve", "--role=catalog", "--listen=0.0.0.0:0", "--dataset=none",
             "--data_dir=" + os.path.join(self.tmp, "open-catalog")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("--auth_keys", proc.stderr)
        self.assertIn("--allow_unauthenticated", proc.stderr)

    def test_2_backend_down_then_back(self):
        wait_for(lambda: health(self.addr, SERVICES[2]) == "SERVING", what="analytics SERVING")
        port = self.analytics.port
        self.analytics.kill9()
        started = time.monotonic()
        dossier = buf_curl(self.addr, GATEWAY + "GetProductDossier",
                           {"product": "products/amimestrocel"})
        self.assertFalse(dossier.get("complete", False))
        sections = {s["name"]: s for s in dossier["sections"]}
        self.assertTrue(sections["product"]["ok"])
        self.assertTrue(sections["timeline"]["ok"])
        self.assertFalse(sections["prices"].get("ok", False))
        self.assertEqual(sections["prices"]["code"], "UNAVAILABLE")
        self.assertEqual(dossier["product"]["name"], "products/amimestrocel")
        with self.assertRaises(BufError) as err:
            buf_curl(self.addr, ANALYTICS + "ListPricePoints", {})
        self.assertEqual(err.exception.code, "unavailable")
        self.assertLess(time.monotonic() - started, 20)
        wait_for(lambda: health(self.addr, SERVICES[2]) == "NOT_SERVING", what="analytics NOT_SERVING")

        # Same port, same store: the gateway recovers without a restart.
        restarted = Server(os.path.join(self.tmp, "analytics"),
                           self.analytics_args + ["--listen=127.0.0.1:%d" % port])
        restarted.extra_args = self.analytics_args + ["--listen=127.0.0.1:%d" % port]
        self.procs.append(restarted)
        restarted.start_fixed()
        wait_for(lambda: health(self.addr, SERVICES[2]) == "SERVING", what="analytics back")
        dossier = buf_curl(self.addr, GATEWAY + "GetProductDossier",
                           {"product": "products/amimestrocel"})
        self.assertTrue(dossier.get("complete"), dossier.get("sections"))


class AllInOneTest(unittest.TestCase, ClientChecks):
    def backend_log(self):
        return self.server.read_log()

    def test_same_client_checks(self):
        tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-all-")
        try:
            server = Server(os.path.join(tmp, "db"),
                            ["--dataset=" + DATASET, "--auth_keys=" + write_keys(tmp)]).start()
            self.server = server
            try:
                self.check_public_api(server.address)
                self.check_auth(server.address)
                self.assertEqual(server.terminate(), 0)
            finally:
                server.stop_quietly()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def make_certs(directory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=directory)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=regenatlas-test-ca")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("server", "client"):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", "/CN=" + name)
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", "san.ext")
    return {n: os.path.join(directory, n) for n in
            ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}


class TlsHealthPortAndMetricsTest(unittest.TestCase):
    def test_tls_mutual_tls_health_port_and_metrics(self):
        tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-tls-")
        try:
            certs = make_certs(tmp)
            server = Server(os.path.join(tmp, "db"), [
                "--dataset=none", "--tls_cert=" + certs["server.pem"],
                "--tls_key=" + certs["server.key"], "--tls_client_ca=" + certs["ca.pem"],
                "--health_listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0"]).start()
            try:
                log = server.read_log()
                health_port = int(re.search(r'"health_port":"(\d+)"', log).group(1))
                metrics_port = int(re.search(r'"metrics_port":"(\d+)"', log).group(1))
                self.assertIn('"tls":"mutual"', log)
                # Mutual TLS: a client certificate signed by the CA is required.
                client = (certs["client.pem"], certs["client.key"])
                listed = buf_curl(server.address, CATALOG + "ListSources", {},
                                  tls_ca=certs["ca.pem"], client_cert=client)
                self.assertEqual(listed.get("sources", []), [])
                with self.assertRaises(BufError):
                    buf_curl(server.address, CATALOG + "ListSources", {}, tls_ca=certs["ca.pem"])
                with self.assertRaises(BufError):
                    buf_curl(server.address, CATALOG + "ListSources", {})  # plaintext
                # Kubernetes probes: plaintext health on its own port, nothing else.
                health_addr = "127.0.0.1:%d" % health_port
                wait_for(lambda: health(health_addr, "") == "SERVING", what="health port")
                wait_for(lambda: health(health_addr, SERVICES[0]) == "SERVING", what="catalog health")
                services = buf_curl(health_addr, list_services=True)
                for name in SERVICES:
                    self.assertNotIn(name, services)
                with self.assertRaises(BufError):
                    buf_curl(health_addr, CATALOG + "ListSources", {})
                # Prometheus metrics count the calls made above.
                list_sources = ('grpc_method="ListSources",grpc_service='
                                '"regenatlas.catalog.v1.CatalogService",grpc_type="unary"')
                body = metrics_matching(metrics_port, r'grpc_server_handled_total\{grpc_code="OK",'
                                        + list_sources + r'\} [1-9]')
                self.assertIn("grpc_server_handling_seconds_bucket", body)
                self.assertRegex(body, r'grpc_client_handled_total\{grpc_code="OK",' + list_sources)
                self.assertEqual(server.terminate(), 0)
            finally:
                server.stop_quietly()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
