"""End-to-end: the generated Python client and the example that uses it.

scripts/gen-python-client.sh generates stubs for every .proto under proto/
into a temporary directory (again: nothing to do); examples/python/
regenatlas_questions.py runs against the all-in-one server over the bundled
dataset and its output is checked line by line, including the sample output
printed in examples/README.md. Run by ctest (see tests/CMakeLists.txt)."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from regenatlas_e2e import (READER_KEY, Server, buf_curl, scaled,  # noqa: E402
                            write_keys)

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GENERATOR = os.path.join(REPO, "scripts", "gen-python-client.sh")
EXAMPLE = os.path.join(REPO, "examples", "python", "regenatlas_questions.py")
DATASET = os.environ.get("REGENATLAS_DATASET", os.path.join(REPO, "data"))
PYTHON = "/usr/bin/python3"  # Debian's, with python3-grpcio and python3-protobuf


def project_protos():
    """Every .proto the generator must cover, named as imports name it:
    relative to proto/, or to its vendored root proto/third_party/<name>/."""
    proto = os.path.join(REPO, "proto")
    third_party = os.path.join(proto, "third_party")
    roots = [os.path.join(third_party, d) for d in sorted(os.listdir(third_party))
             if os.path.isdir(os.path.join(third_party, d))] if os.path.isdir(third_party) else []
    found = []
    for root in roots + [proto]:
        for directory, _, files in os.walk(root):
            rel_dir = os.path.relpath(directory, proto)
            if root == proto and (rel_dir == "third_party" or rel_dir.startswith("third_party" + os.sep)):
                continue
            for f in files:
                rel = os.path.relpath(os.path.join(directory, f), root)
                if f.endswith(".proto") and not rel.startswith("google/protobuf/"):
                    found.append(rel)
    return sorted(found)


def readme_sample():
    """The lines of the ```text block of examples/README.md."""
    with open(os.path.join(REPO, "examples", "README.md"), encoding="utf-8") as f:
        m = re.search(r"```text\n(.*?)```", f.read(), re.S)
    return [line for line in m.group(1).split("\n") if line.strip()]


class ExampleClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-example-")
        cls.stubs = os.path.join(cls.tmp, "python")
        cls.server = None
        cls.generated = cls.generate(cls.stubs)
        keys = write_keys(cls.tmp)
        cls.server = Server(os.path.join(cls.tmp, "db"),
                            ["--dataset=" + DATASET, "--auth_keys=" + keys]).start()

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop_quietly()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @staticmethod
    def generate(out_dir):
        return subprocess.run([GENERATOR, out_dir], capture_output=True, text=True,
                              timeout=scaled(120))

    def run_example(self, *args):
        return subprocess.run([PYTHON, EXAMPLE, "--stubs", self.stubs] + list(args),
                              capture_output=True, text=True, timeout=scaled(120))

    def test_generator_covers_every_proto_and_is_idempotent(self):
        self.assertEqual(self.generated.returncode, 0, self.generated.stderr)
        protos = project_protos()
        self.assertIn("regenatlas/catalog/v1/catalog_service.proto", protos)
        self.assertIn("generated %d protos" % len(protos), self.generated.stderr)
        expected = set()
        for proto in protos:
            base = proto[:-len(".proto")]
            expected |= {base + "_pb2.py", base + "_pb2_grpc.py"}
        produced = set()
        for directory, _, files in os.walk(self.stubs):
            produced |= {os.path.relpath(os.path.join(directory, f), self.stubs)
                         for f in files if f.endswith(".py")}
        self.assertEqual(produced, expected)
        # Services get stubs, with one method per RPC.
        with open(os.path.join(self.stubs, "regenatlas/catalog/v1/catalog_service_pb2_grpc.py"),
                  encoding="utf-8") as f:
            text = f.read()
        self.assertIn("class CatalogServiceStub", text)
        self.assertIn("self.ListProducts = channel.unary_unary(", text)

        # Again: nothing to do, nothing touched.
        mtimes = {p: os.stat(os.path.join(self.stubs, p)).st_mtime_ns for p in expected}
        again = self.generate(self.stubs)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("is up to date", again.stderr)
        self.assertEqual({p: os.stat(os.path.join(self.stubs, p)).st_mtime_ns for p in expected},
                         mtimes)

        # It never replaces a directory it did not make.
        foreign = os.path.join(self.tmp, "foreign")
        os.makedirs(foreign)
        with open(os.path.join(foreign, "mine.txt"), "w") as f:
            f.write("keep me\n")
        refused = self.generate(foreign)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("was not made by this script", refused.stderr)
        self.assertEqual(os.listdir(foreign), ["mine.txt"])

    def test_example_answers_three_questions(self):
        run = self.run_example("--api-key", READER_KEY, self.server.address)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stderr, "")
        out = run.stdout
        lines = out.split("\n")

        # 1: every page was read: the count is the catalog's total.
        total = buf_curl(self.server.address, "regenatlas.catalog.v1.CatalogService/ListProducts",
                         {"filter": "cell_source = HIPSC AND stage >= IIT", "page_size": 1,
                          "show_total_size": True})["totalSize"]
        self.assertGreater(total, 20)
        self.assertEqual(lines[0], "1. iPSC-derived products in the clinic or approved: %d" % total)
        section1 = out.split("\n\n")[0]
        self.assertRegex(section1, r"\n   JP \(\d+\)\n     marketing application  HeartSheet\n")
        self.assertIn("\n     phase 3                Fertilo\n", section1)
        self.assertIn("\n     phase 2                HiCM-188\n", section1)  # in CN
        # Countries in order, each with its products (no empty country).
        countries = re.findall(r"^   ([A-Z]{2}) \((\d+)\)$", section1, re.M)
        self.assertEqual([c for c, _ in countries], sorted(c for c, _ in countries))
        self.assertTrue({"CN", "JP", "US"} <= {c for c, _ in countries})

        # 2: the timeline in date order, a line per item.
        section2 = out.split("\n\n")[1].split("\n")
        self.assertEqual(section2[0],
                         "2. Regulatory timeline of 艾米迈托赛注射液 (products/amimestrocel)")
        # "   DATE        JUR   TYPE                      DESCRIPTION"
        items = [(line[3:14].strip().lstrip("~"), line[21:46].strip()) for line in section2[1:]]
        self.assertIn(("2025-01-02", "conditional approval"), items)
        self.assertIn(("2025-06-05", "first prescription"), items)
        self.assertLess(items.index(("2025-01-02", "conditional approval")),
                        items.index(("2025-06-05", "first prescription")))
        self.assertEqual([d for d, _ in items], sorted(d for d, _ in items))

        # 3: the documents' "about 1/70".
        section3 = out.split("\n\n")[2]
        self.assertEqual(section3.rstrip("\n").split("\n"), [
            "3. Prices in CNY",
            "   Ryoncil              per dose 1,400,000 CNY      per course unknown",
            "   艾米迈托赛注射液     per dose 19,800 CNY         per course 158,400 CNY",
            "   Ryoncil costs 70.7 times as much as 艾米迈托赛注射液 per dose",
        ])

        # The sample output in examples/README.md appears, in order.
        position = 0
        for line in readme_sample():
            self.assertIn(line, lines[position:], "examples/README.md sample line not in output")
            position = lines.index(line, position) + 1

        # Pages of two products: the same answer.
        paged = self.run_example("--page-size", "2", self.server.address)
        self.assertEqual(paged.returncode, 0, paged.stderr)
        self.assertEqual(paged.stdout, out)

    def test_errors_print_the_status_and_exit_1(self):
        bad_key = self.run_example("--api-key", "not-a-known-key-0123456789", self.server.address)
        self.assertEqual(bad_key.returncode, 1)
        self.assertEqual(bad_key.stdout, "")
        self.assertEqual(bad_key.stderr, "error: UNAUTHENTICATED: unknown API key\n")

        # A port nobody listens on (bound, never listened to, so it stays ours).
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            down = self.run_example("--timeout", "%d" % scaled(10),
                                    "127.0.0.1:%d" % s.getsockname()[1])
        self.assertEqual(down.returncode, 1)
        self.assertRegex(down.stderr, r"^error: UNAVAILABLE: ")

        missing = subprocess.run(
            [PYTHON, EXAMPLE, "--stubs", os.path.join(self.tmp, "nothing-here"),
             self.server.address], capture_output=True, text=True, timeout=scaled(60))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("run scripts/gen-python-client.sh first", missing.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
