"""End-to-end: every example command of README.md, run against a server.

The commands are extracted from README.md, so a new example is tested
without touching this file: every indented code block (four spaces, after a
blank line, outside fenced blocks) and every fenced block marked sh, bash or
shell is shell; a line ending in a backslash continues on the next; each
logical line is one command. Each command is recognised:

* scripts/run.sh, scripts/test.sh and the other workflow scripts: not run
  (they install, build, serve or run this very suite); listed in the output.
* `node_modules/.bin/buf curl ...`: run; exit 0; the reply parses as JSON
  and is checked per method (CHECKS; other methods: any JSON object).
* `grpcurl ...`: the same, when grpcurl is installed; otherwise skipped, and
  the output says so.
* scripts/gen-python-client.sh and `/usr/bin/python3 examples/...`: run;
  exit 0; the generated client exists, the example's answers are printed.
* WatchEvents (server streaming) runs in the background with a bounded
  wait: the plain call must print each event this test writes after it
  opened; a call with `$token` gets the resume token of the first message
  of the previous WatchEvents and must replay the changes after it, in
  order, without any new write. Then it is stopped with SIGTERM.
* Anything else fails the test, naming the command: teach this file how to
  run and check it.

The commands run with bash in a temporary directory that mirrors the
repository (a symlink per top-level entry; build/ is a fresh directory, so
the generated Python client lands there) and holds regenatlas-local.keys as
scripts/run.sh writes it. The all-in-one server runs as scripts/run.sh runs
it (--auth_keys on that file, the bundled dataset), on 127.0.0.1:0;
127.0.0.1:50051 in the commands becomes its address.

Last, what the README says about shutdown and resuming: a WatchEvents stream
open when the server gets SIGTERM ends with UNAVAILABLE naming resume_token,
and after a restart the README's resume command, given the last token
received, delivers the event written while it was away."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from regenatlas_e2e import Server, buf_curl, scaled  # noqa: E402

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
README = os.path.join(REPO, "README.md")
DATASET = os.environ.get("REGENATLAS_DATASET", os.path.join(REPO, "data"))
README_ADDRESS = "127.0.0.1:50051"
# Commands that install, build, serve or test: described, never run here.
NOT_RUN = ("scripts/run.sh", "scripts/test.sh", "scripts/setup.sh", "scripts/build.sh",
           "scripts/test-sanitizers.sh", "scripts/fuzz.sh")
STREAMING_METHODS = ("WatchEvents",)
# A source of the bundled dataset, cited by the events this test writes.
KNOWN_SOURCE = "sources/review-2025-hpsc-products"

TIMELINE = "regenatlas.timeline.v1.RegulatoryTimelineService/"
SERVICES = ["grpc.health.v1.Health", "regenatlas.catalog.v1.CatalogService",
            "regenatlas.timeline.v1.RegulatoryTimelineService",
            "regenatlas.analytics.v1.MarketAnalyticsService",
            "regenatlas.gateway.v1.GatewayService"]


def readme_commands(path=README):
    """The shell commands of the README's code blocks, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, block, fence, previous_blank = [], None, None, True
    for line in lines:
        if fence is not None:
            if line.startswith("```"):
                if block is not None:
                    blocks.append(block)
                fence, block = None, None
            elif block is not None:
                block.append(line)
            continue
        if line.startswith("```"):
            fence = line[3:].strip()
            block = [] if fence in ("sh", "bash", "shell") else None
            continue
        if line.startswith("    ") and (block is not None or previous_blank):
            if block is None:
                block = []
            block.append(line[4:])
        elif block is not None and line.strip():
            blocks.append(block)
            block = None
        previous_blank = not line.strip()
    if block is not None:
        blocks.append(block)

    commands = []
    for b in blocks:
        current = ""
        for line in b:
            if not line.strip() and not current:
                continue
            if line.rstrip().endswith("\\"):
                current += line.strip()[:-1].rstrip() + " "
                continue
            current += line.strip()
            if current and not current.startswith("#"):
                commands.append(current)
            current = ""
    return commands


def kind_of(command):
    first = command.split()[0]
    if first in NOT_RUN:
        return "not-run"
    if command.startswith("node_modules/.bin/buf curl "):
        return "buf"
    if first == "grpcurl":
        return "grpcurl"
    if first == "scripts/gen-python-client.sh":
        return "generator"
    if first in ("python3", "/usr/bin/python3") and command.split()[1].startswith("examples/"):
        return "python-example"
    return "unknown"


def method_of(command):
    """'Service/Method' of a buf curl or grpcurl command, or None (listing)."""
    m = re.search(r"(?:http://\S+?/|\s)([A-Za-z0-9_.]+\.[A-Za-z0-9_]+/[A-Za-z0-9_]+)\s*$",
                  command)
    return m.group(1) if m else None


def json_values(text):
    """The JSON values concatenated in `text` (buf curl prints one per
    message of a stream); a trailing incomplete one is left out."""
    decoder, values, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return values
        try:
            value, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            return values
        values.append(value)


# Checks of the replies of the README's calls, by method; the request (JSON
# of -d, {} without) tells calls of one method apart.
def check_health(t, request, reply):
    t.assertEqual(reply, {"status": "SERVING"})


def check_create_source(t, request, reply):
    t.assertEqual(reply["name"], "sources/" + request["source_id"])
    t.assertTrue(reply["etag"])


def check_list_sources(t, request, reply):
    # The README shows paging: a full page and a token for the next one.
    t.assertEqual(len(reply["sources"]), request["page_size"])
    t.assertTrue(reply["nextPageToken"])


def check_search_products(t, request, reply):
    names = [r["product"]["displayName"] for r in reply["results"]]
    if request.get("query") == "多巴胺":
        t.assertIn("Bemdaneprocel", names)
        t.assertIn("hiPSC-mDAP", names)
    t.assertEqual({f["field"] for f in reply["facets"]},
                  {"stage", "country", "cell_source", "cell_type", "therapeutic_area", "sponsor"})


def check_list_products(t, request, reply):
    names = [p["name"] for p in reply["products"]]
    if request.get("filter") == "cell_source = HIPSC AND indication = heart-failure":
        t.assertEqual(names, ["products/heartsheet", "products/hicm-188"])


def check_count_products(t, request, reply):
    t.assertGreater(reply["total"], 0)
    dims = request.get("dimensions") or request.get("group_by")
    for row in reply["rows"]:
        t.assertEqual(len(row["keys"]), len(dims))
    if dims in (["country", "stage"], ["PRODUCT_DIMENSION_COUNTRY", "PRODUCT_DIMENSION_STAGE"]):
        t.assertIn({"keys": ["JP", "MARKETING_APPLICATION"], "count": 1}, reply["rows"])


def check_get_trial(t, request, reply):
    t.assertEqual(reply["primaryId"]["id"], request["name"])
    t.assertEqual(reply["name"], "trials/" + request["name"].lower())


def check_list_data_issues(t, request, reply):
    t.assertTrue(reply["issues"])
    if request.get("filter") == "kind = CONFLICTING_STATEMENTS":
        t.assertEqual({i["kind"] for i in reply["issues"]},
                      {"DATA_ISSUE_KIND_CONFLICTING_STATEMENTS"})


def check_product_timeline(t, request, reply):
    t.assertEqual(reply["product"], request["product"])
    types = [i["type"] for i in reply["items"]]
    if request["product"] == "products/amimestrocel":
        t.assertLess(types.index("EVENT_TYPE_CONDITIONAL_APPROVAL"),
                     types.index("EVENT_TYPE_FIRST_PRESCRIPTION"))


def check_list_policies(t, request, reply):
    t.assertTrue(reply["policies"])
    if "issuer: NMPA OR issuer: CDE" in request.get("filter", ""):
        t.assertEqual(len(reply["policies"]), 10)


def check_milestone_intervals(t, request, reply):
    t.assertTrue(reply["intervals"])
    if request.get("to_type") == "EVENT_TYPE_FIRST_PRESCRIPTION":
        first = reply["intervals"][0]
        t.assertEqual((first["product"], first["minDays"]), ("products/amimestrocel", 154))


def check_compare_prices(t, request, reply):
    t.assertEqual(reply["products"], request["products"])
    if request["products"] == ["products/remestemcel-l", "products/amimestrocel"]:
        t.assertAlmostEqual(reply["ratios"][0]["perDose"], 1400000 / 19800)


def check_list_backends(t, request, reply):
    t.assertEqual([b["health"] for b in reply["backends"]], ["BACKEND_HEALTH_SERVING"] * 3)


def check_create_event(t, request, reply):
    t.assertEqual(reply["name"], "events/" + request["event_id"])


CHECKS = {
    "grpc.health.v1.Health/Check": check_health,
    "regenatlas.catalog.v1.CatalogService/CreateSource": check_create_source,
    "regenatlas.catalog.v1.CatalogService/ListSources": check_list_sources,
    "regenatlas.catalog.v1.CatalogService/SearchProducts": check_search_products,
    "regenatlas.catalog.v1.CatalogService/ListProducts": check_list_products,
    "regenatlas.catalog.v1.CatalogService/CountProducts": check_count_products,
    "regenatlas.catalog.v1.CatalogService/GetTrial": check_get_trial,
    "regenatlas.catalog.v1.CatalogService/ListDataIssues": check_list_data_issues,
    TIMELINE + "GetProductTimeline": check_product_timeline,
    TIMELINE + "ComputeProductTimeline": check_product_timeline,
    TIMELINE + "ListPolicies": check_list_policies,
    TIMELINE + "ComputeMilestoneIntervals": check_milestone_intervals,
    TIMELINE + "CreateEvent": check_create_event,
    "regenatlas.analytics.v1.MarketAnalyticsService/ComparePrices": check_compare_prices,
    "regenatlas.gateway.v1.GatewayService/ListBackends": check_list_backends,
}


def request_of(command):
    """The JSON request of a command's -d ($token left as it is), or {}."""
    args = shlex.split(command)
    for i, a in enumerate(args[:-1]):
        if a == "-d":
            return json.loads(args[i + 1])
    return {}


class Stream:
    """A streaming command run with bash in the background; its stdout is
    collected by a thread."""

    def __init__(self, command, cwd, env):
        self.command = command
        self.proc = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.lock = threading.Lock()
        self.out, self.err = b"", b""
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, "out")),
                        threading.Thread(target=self._read, args=(self.proc.stderr, "err"))]
        for r in self.readers:
            r.daemon = True
            r.start()

    def _read(self, pipe, name):
        for chunk in iter(lambda: pipe.read1(4096), b""):
            with self.lock:
                setattr(self, name, getattr(self, name) + chunk)

    def messages(self):
        with self.lock:
            return json_values(self.out.decode("utf-8", "replace"))

    def stderr(self):
        with self.lock:
            return self.err.decode("utf-8", "replace")

    def wait_for(self, count, timeout, poke=None, interval=0.5):
        """Waits until `count` messages arrived (calling `poke` every
        `interval` s while not), the process ended or `timeout` passed."""
        deadline = time.monotonic() + scaled(timeout)
        next_poke = 0.0
        while time.monotonic() < deadline:
            if len(self.messages()) >= count or self.proc.poll() is not None:
                break
            if poke is not None and time.monotonic() >= next_poke:
                poke()
                next_poke = time.monotonic() + scaled(interval)
            time.sleep(0.05)
        return self.messages()

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout=scaled(timeout))
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=scaled(10))
        for r in self.readers:
            r.join(scaled(10))
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def stop(self):
        """SIGTERM to bash and buf (their own process group); bounded."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        return self.wait_exit(15)


class ReadmeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-readme-")
        # A mirror of the repository, with its own build/ and local keys.
        self.work = os.path.join(self.tmp, "repo")
        os.makedirs(os.path.join(self.work, "build"))
        for entry in os.listdir(REPO):
            if entry in ("build", ".git", "regenatlas-local.keys", "regenatlas-data", ".data") \
                    or entry.startswith("build-"):
                continue
            os.symlink(os.path.join(REPO, entry), os.path.join(self.work, entry))
        # As scripts/run.sh writes it on first run.
        self.curator_key = "local-" + os.urandom(16).hex()
        self.keys = os.path.join(self.work, "regenatlas-local.keys")
        with open(self.keys, "w") as f:
            f.write("# Local API keys: KEY ROLE (reader|curator|admin)\n%s curator\n"
                    % self.curator_key)
        os.chmod(self.keys, 0o600)
        self.data_dir = os.path.join(self.tmp, "regenatlas-data")
        self.servers = []
        self.streams = []
        self.written = 0

    def tearDown(self):
        for s in self.streams:
            s.stop()
        for s in self.servers:
            s.stop_quietly()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_server(self):
        server = Server(self.data_dir, ["--dataset=" + DATASET, "--auth_keys=" + self.keys])
        self.servers.append(server)
        server.start(timeout=120)
        # The timeline loads its part of the dataset after the port opens.
        deadline = time.monotonic() + scaled(60)
        while buf_curl(server.address, "grpc.health.v1.Health/Check", {}) != {"status": "SERVING"}:
            self.assertLess(time.monotonic(), deadline, "server not SERVING")
            time.sleep(0.1)
        self.server = server

    def command_for_server(self, command):
        return command.replace(README_ADDRESS, self.server.address)

    def run_command(self, command, env=None, timeout=120):
        return subprocess.run(["bash", "-c", self.command_for_server(command)], cwd=self.work,
                              env=env or os.environ, capture_output=True, text=True,
                              timeout=scaled(timeout))

    def write_event(self):
        """Creates an IND clearance event (matched by the README's watch
        filter); returns its name."""
        self.written += 1
        event_id = "readme-test-event-%d" % self.written
        reply = buf_curl(self.server.address, TIMELINE + "CreateEvent", key=self.curator_key, data={
            "event_id": event_id,
            "event": {"type": "EVENT_TYPE_IND_CLEARANCE", "date": {"year": 2026, "month": 2},
                      "jurisdiction": "JP", "description": "readme_test event",
                      "sources": [{"source": KNOWN_SOURCE}]}})
        return reply["name"]

    def stream(self, command, token=None):
        env = dict(os.environ)
        if token is not None:
            env["token"] = token
        s = Stream(self.command_for_server(command), self.work, env)
        self.streams.append(s)
        return s

    def watch_until_messages(self, command, count):
        """Runs a plain WatchEvents command and writes events until it has
        printed `count` of them. Returns the stream and the names written."""
        stream = self.stream(command)
        names = []
        got = stream.wait_for(count, 60, poke=lambda: names.append(self.write_event()))
        self.assertGreaterEqual(len(got), count, "WatchEvents printed %d messages; stderr: %s"
                                % (len(got), stream.stderr()))
        return stream, names

    def check_messages(self, messages):
        for m in messages:
            self.assertEqual(set(m) - {"event", "policy"}, {"kind", "commitTime", "resumeToken"}, m)
            self.assertIn(m["kind"], ("CHANGE_KIND_CREATED", "CHANGE_KIND_UPDATED",
                                      "CHANGE_KIND_DELETED"))

    def test_extraction_finds_the_examples(self):
        commands = readme_commands()
        kinds = [kind_of(c) for c in commands]
        self.assertIn("scripts/run.sh", commands)
        self.assertIn("scripts/test.sh", commands)
        self.assertGreaterEqual(kinds.count("buf"), 15)
        for kind in ("grpcurl", "generator", "python-example"):
            self.assertIn(kind, kinds)
        methods = [method_of(c) for c in commands]
        self.assertIn(None, methods)  # --list-services
        self.assertIn("regenatlas.catalog.v1.CatalogService/GetTrial", methods)
        self.assertEqual(sum(1 for c in commands if "WatchEvents" in c and "$token" in c), 1)
        self.assertTrue(all(method_of(c) in CHECKS or "WatchEvents" in c
                            for c in commands if kind_of(c) == "buf" and method_of(c)))
        # A backslash continuation is joined.
        self.assertIn('node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge '
                      '-d \'{"name":"NCT04982081"}\' http://127.0.0.1:50051/'
                      'regenatlas.catalog.v1.CatalogService/GetTrial', commands)

    def test_every_readme_command(self):
        commands = readme_commands()
        unknown = [c for c in commands if kind_of(c) == "unknown"]
        self.assertEqual(unknown, [], "README commands readme_test.py cannot run or check; "
                                      "teach it (kind_of) how")
        self.start_server()
        grpcurl = shutil.which("grpcurl")
        watch_plain = watch_resume = None
        first_watch = None  # [(resume token, event name)] of the first plain watch
        report = []
        for command in commands:
            kind = kind_of(command)
            short = command if len(command) < 110 else command[:107] + "..."
            if kind == "not-run":
                report.append("not run (workflow script): " + short)
                continue
            if kind == "grpcurl" and grpcurl is None:
                report.append("SKIPPED (grpcurl is not installed): " + short)
                continue
            method = method_of(command) if kind in ("buf", "grpcurl") else None
            with self.subTest(command=short):
                if method and method.split("/")[1] in STREAMING_METHODS:
                    if "$token" in command:
                        watch_resume = command
                        self.assertIsNotNone(first_watch, "resume before any plain WatchEvents")
                        stream = self.stream(command, token=first_watch[0][0])
                        # Replayed at once, without a write: the changes after
                        # the first message, in order, none twice.
                        expected = [name for _, name in first_watch[1:]]
                        got = stream.wait_for(len(expected), 60)
                        self.check_messages(got)
                        names = [m["event"]["name"] for m in got]
                        self.assertEqual(names[:len(expected)], expected, stream.stderr())
                        self.assertEqual(len(names), len(set(names)))
                    else:
                        watch_plain = watch_plain or command
                        stream, _ = self.watch_until_messages(command, 2)
                        got = stream.messages()
                        self.check_messages(got)
                        if first_watch is None:
                            first_watch = [(m["resumeToken"], m["event"]["name"]) for m in got]
                    stream.stop()
                    report.append("ran (stream, %d messages): %s" % (len(got), short))
                    continue

                run = self.run_command(command)
                self.assertEqual(run.returncode, 0, "stdout: %s\nstderr: %s"
                                 % (run.stdout[-2000:], run.stderr[-2000:]))
                if kind in ("buf", "grpcurl"):
                    if method is None:
                        names = run.stdout.split()
                        for service in SERVICES:
                            self.assertIn(service, names)
                    else:
                        reply = json.loads(run.stdout)
                        self.assertIsInstance(reply, dict)
                        if method in CHECKS:
                            CHECKS[method](self, request_of(command), reply)
                elif kind == "generator":
                    stub = os.path.join(self.work, "build", "python", "regenatlas", "catalog",
                                        "v1", "catalog_service_pb2_grpc.py")
                    self.assertTrue(os.path.exists(stub), run.stderr)
                elif kind == "python-example":
                    self.assertIn("1. iPSC-derived products in the clinic or approved: ",
                                  run.stdout)
                    self.assertIn("2. Regulatory timeline of 艾米迈托赛注射液", run.stdout)
                    self.assertIn("Ryoncil costs 70.7 times as much as 艾米迈托赛注射液 per dose",
                                  run.stdout)
                report.append("ran: " + short)
        print("\nREADME commands:\n  " + "\n  ".join(report), flush=True)
        self.assertIsNotNone(watch_plain, "README shows no plain WatchEvents")
        self.assertIsNotNone(watch_resume, "README shows no WatchEvents with $token")

        # Shutdown: an open stream ends with UNAVAILABLE, saying to resume.
        stream, _ = self.watch_until_messages(watch_plain, 1)
        last_token = stream.messages()[-1]["resumeToken"]
        self.assertEqual(self.server.terminate(), 0)
        code = stream.wait_exit(15)
        self.assertNotEqual(code, 0)
        error = json_values(stream.stderr())
        self.assertTrue(error, stream.stderr())
        self.assertEqual(error[0]["code"], "unavailable", error)
        # The timeline's own ending passes through the front: the message
        # names the last token sent.
        self.assertIn('resume with resume_token "%s"' % last_token, error[0]["message"])

        # Restarted, an event is written while nobody watches; the README's
        # resume command with the last token received delivers it first.
        self.start_server()
        missed = self.write_event()
        resumed = self.stream(watch_resume, token=last_token)
        got = resumed.wait_for(1, 60)
        self.assertTrue(got, resumed.stderr())
        self.assertEqual(got[0]["event"]["name"], missed)
        resumed.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
