"""End-to-end stress: the real binary under a BOUNDED concurrent load.

test_1 / test_2: the all-in-one server (`--role=all`) and the split topology
  (catalog, timeline and analytics backends, each with its own store, behind a
  gateway; every process gets the same --auth_keys file, with a `service`
  key): worker threads, each on its own connection, mix reads, writes, invalid
  and oversized requests, 1-5 ms deadlines, client cancellations, WatchEvents
  streams cancelled mid-stream and bursts of 12 concurrent CreateEvent; three
  WatchEvents streams stay open. Every status is checked against what the call
  may get. After a fixed number of calls, SIGTERM (gateway first, then the
  backends) while the load goes on: exit 0 within --shutdown_grace + 1.5 s,
  no crash signature, open streams end UNAVAILABLE, "store closed". Then a
  restart on the same stores: every write acknowledged OK is there.
test_3: thousands of concurrent ListProducts against the all-in-one server:
  bounded RSS, still answering afterwards.
test_4: repeated short cycles of start, load, SIGTERM under load.

Every call count is fixed (no open-ended loops) and every wait is bounded.
Knobs (environment):
  REGENATLAS_STRESS_SCALE            multiplies the call counts (default 1; 0.3 for a
                                     TSan build)
  REGENATLAS_STRESS_WORKERS          client threads, one channel each (8)
  REGENATLAS_STRESS_CONCURRENT       concurrent ListProducts of the memory check (2000)
  REGENATLAS_STRESS_MAX_RSS_MB       RSS bound of the memory check (400; ASan 1200, TSan 2400)
  REGENATLAS_STRESS_CALL_TIMEOUT     deadline of ordinary calls, seconds (20 x
                                     REGENATLAS_TEST_TIMEOUT_SCALE)
  REGENATLAS_STRESS_EXIT_SLACK       allowed exit time beyond --shutdown_grace (1.5)
  REGENATLAS_STRESS_LOAD_BUDGET      wall-clock bound of one load phase, seconds (180 x
                                     REGENATLAS_TEST_TIMEOUT_SCALE)
  REGENATLAS_STRESS_START_TIMEOUT    bound for a topology to come up, seconds (120)
  REGENATLAS_STRESS_MAX_ERROR_MESSAGE  longest error message accepted, bytes (512): a
                                     guard against echoing inputs (a 1 MB title)
  REGENATLAS_STRESS_KEEP=1           keep the temporary stores and logs (path printed)

Run by ctest as e2e_stress (tests/CMakeLists.txt); by hand:
  REGENATLAS_BIN=build/cmd/regenatlas/regenatlas /usr/bin/python3 tests/e2e/stress_test.py -v
"""

import collections
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import grpc  # noqa: E402  (Debian's python3-grpcio)
import regenatlas_e2e  # noqa: E402
from regenatlas_e2e import (CURATOR_KEY, READER_KEY, SERVICE_KEY, Server,  # noqa: E402
                            python_stubs, write_role_keys)

# Sanitizer builds set REGENATLAS_TEST_TIMEOUT_SCALE (cmake/Sanitizers.cmake).
TIMEOUT_SCALE = getattr(regenatlas_e2e, "TIMEOUT_SCALE", 1.0)


def env_float(name, default):
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


DATASET = os.environ.get(
    "REGENATLAS_DATASET", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
BIN = os.environ.get("REGENATLAS_BIN", "build/cmd/regenatlas/regenatlas")


def sanitizer_of(path):
    """The sanitizer the binary is built with ("tsan", "asan" or ""), from the
    runtime symbols linked into it."""
    try:
        import mmap
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            if m.find(b"__tsan_init") >= 0:
                return "tsan"
            if m.find(b"__asan_init") >= 0:
                return "asan"
    except (OSError, ValueError):
        pass
    return ""


SANITIZER = sanitizer_of(BIN)
# A TSan build is 5-15x slower: unless a scale is given, a third of the calls.
SCALE = env_float("REGENATLAS_STRESS_SCALE", 0.3 if SANITIZER == "tsan" else 1.0)
WORKERS = max(2, int(env_float("REGENATLAS_STRESS_WORKERS", 8)))
CALLS_PER_WORKER = max(60, int(1600 * SCALE))
SIGTERM_AT = 0.85           # fraction of the planned worker calls completed before SIGTERM
CREATE_EVENT_BURST = 12     # concurrent CreateEvent calls per burst
BURSTS = max(1, int(round(3 * SCALE)))
SHUTDOWN_CYCLES = max(2, int(round(10 * SCALE)))  # extra SIGTERM-under-load cycles
CYCLE_WORKERS = 4
CYCLE_CALLS = 80            # per worker and cycle; SIGTERM after half of them
OPEN_WATCHERS = 3           # WatchEvents streams kept open through SIGTERM (public port)
GRACE_S = 3.0               # --shutdown_grace
EXIT_SLACK_S = env_float("REGENATLAS_STRESS_EXIT_SLACK", 1.5)
CALL_TIMEOUT_S = env_float("REGENATLAS_STRESS_CALL_TIMEOUT", 20.0 * TIMEOUT_SCALE)
LOAD_BUDGET_S = env_float("REGENATLAS_STRESS_LOAD_BUDGET", 180.0 * TIMEOUT_SCALE)
START_TIMEOUT_S = env_float("REGENATLAS_STRESS_START_TIMEOUT", 120.0)  # Server.start scales it
MAX_ERROR_MESSAGE = int(env_float("REGENATLAS_STRESS_MAX_ERROR_MESSAGE", 512))
KEEP = os.environ.get("REGENATLAS_STRESS_KEEP", "") not in ("", "0")
CONCURRENT = int(env_float("REGENATLAS_STRESS_CONCURRENT", 2000))
# Sanitizers keep shadow memory and quarantines: a larger default bound.
MAX_RSS_MB = env_float("REGENATLAS_STRESS_MAX_RSS_MB",
                       {"asan": 1200.0, "tsan": 2400.0}.get(SANITIZER, 400.0))
SAMPLE = 12                 # offending calls quoted per failure

CAT = "/regenatlas.catalog.v1.CatalogService/"
TL = "/regenatlas.timeline.v1.RegulatoryTimelineService/"
AN = "/regenatlas.analytics.v1.MarketAnalyticsService/"
GW = "/regenatlas.gateway.v1.GatewayService/"
HEALTH = "/grpc.health.v1.Health/Check"
SERVICES = ["regenatlas.catalog.v1.CatalogService",
            "regenatlas.timeline.v1.RegulatoryTimelineService",
            "regenatlas.analytics.v1.MarketAnalyticsService"]

# Always acceptable answers. RESOURCE_EXHAUSTED is load shedding (counted).
ALWAYS_ALLOWED = {"OK", "INVALID_ARGUMENT", "NOT_FOUND", "ALREADY_EXISTS", "ABORTED",
                  "FAILED_PRECONDITION", "OUT_OF_RANGE", "RESOURCE_EXHAUSTED"}
# Outcomes after which a write may or may not have happened.
UNCERTAIN = {"DEADLINE_EXCEEDED", "CANCELLED", "UNAVAILABLE", "UNKNOWN", "INTERNAL",
             "CLIENT_RESOURCE_EXHAUSTED"}
CRASH_SIGNATURES = ["AddressSanitizer", "ThreadSanitizer", "LeakSanitizer", "MemorySanitizer",
                    "UndefinedBehaviorSanitizer", "runtime error", "Segmentation", "Aborted",
                    "assertion", "Assertion", "pure virtual", "terminate called", "Check failed"]
# Every channel its own connection (grpcio otherwise shares one between
# channels with equal arguments). Metadata up to 8 MB is accepted so that an
# echoed 1 MB input shows as a long error message, not as a client-side
# RESOURCE_EXHAUSTED "received ... metadata size exceeds limit".
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 64 << 20),
                   ("grpc.max_send_message_length", 64 << 20),
                   ("grpc.max_metadata_size", 8 << 20),
                   ("grpc.use_local_subchannel_pool", 1),
                   ("grpc.enable_retries", 0)]

# Dataset records the payloads refer to (data/).
KNOWN_SOURCE = "sources/news-2025-crsanjiu-help"
PRODUCTS = ["products/amimestrocel", "products/hicm-188", "products/ast-vac2", "products/vx-880",
            "products/brt-da01", "products/heartsheet"]
MEGABYTE = 1 << 20

M = None  # generated message modules (setUpModule)
STUBS_DIR = None


def setUpModule():
    global M, STUBS_DIR
    STUBS_DIR = tempfile.mkdtemp(prefix="regenatlas-stress-stubs-")
    python_stubs(STUBS_DIR)
    from google.protobuf import field_mask_pb2
    from regenatlas.analytics.v1 import analytics_service_pb2
    from regenatlas.catalog.v1 import catalog_service_pb2, resources_pb2 as catalog_resources
    from regenatlas.common.v1 import common_pb2
    from regenatlas.gateway.v1 import gateway_service_pb2
    from regenatlas.timeline.v1 import resources_pb2 as timeline_resources, timeline_service_pb2
    M = type("M", (), dict(cat=catalog_service_pb2, catres=catalog_resources, tl=timeline_service_pb2,
                           tlres=timeline_resources, an=analytics_service_pb2, gw=gateway_service_pb2,
                           common=common_pb2, fm=field_mask_pb2))
    print("stress: %s (sanitizer: %s), scale %g: %d workers x %d calls per topology, --shutdown_grace "
          "%gs, exit limit %.1f s, %d concurrent calls for the memory check (bound %.0f MB)" % (
              BIN, SANITIZER or "none", SCALE, WORKERS, CALLS_PER_WORKER, GRACE_S, GRACE_S + EXIT_SLACK_S,
              CONCURRENT, MAX_RSS_MB), flush=True)


def tearDownModule():
    if STUBS_DIR:
        shutil.rmtree(STUBS_DIR, ignore_errors=True)


def message_classes(path):
    from google.protobuf import descriptor_pool, symbol_database
    service, method = path.strip("/").split("/")
    desc = descriptor_pool.Default().FindServiceByName(service).methods_by_name[method]
    db = symbol_database.Default()
    return db.GetSymbol(desc.input_type.full_name), db.GetSymbol(desc.output_type.full_name)


def health_request(service):
    raw = service.encode()
    return (b"\x0a" + bytes([len(raw)]) + raw) if raw else b""


def health_status(reply):
    return reply[1] if len(reply) >= 2 and reply[0] == 0x08 else 0  # 1 = SERVING


class Client:
    """One channel; generic grpcio callables built from the descriptors."""

    def __init__(self, address):
        self.channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
        self._methods = {}

    def unary(self, path, raw_response=False):
        key = (path, "u", raw_response)
        if key not in self._methods:
            if path == HEALTH:
                self._methods[key] = self.channel.unary_unary(path)
            else:
                req, resp = message_classes(path)
                self._methods[key] = self.channel.unary_unary(
                    path, request_serializer=req.SerializeToString,
                    response_deserializer=len if raw_response else resp.FromString)
        return self._methods[key]

    def stream(self, path):
        key = (path, "s")
        if key not in self._methods:
            req, resp = message_classes(path)
            self._methods[key] = self.channel.unary_stream(
                path, request_serializer=req.SerializeToString, response_deserializer=resp.FromString)
        return self._methods[key]

    def close(self):
        self.channel.close()


def metadata_for(key):
    return [("authorization", "Bearer " + key)] if key else None


class Recorder:
    """Every call's outcome, checked against the allowed statuses."""

    def __init__(self, label):
        self.label = label
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.codes = collections.Counter()
        self.by_op = collections.defaultdict(collections.Counter)
        self.latencies = []
        self.offending = []     # (monotonic time, text, code)
        self.code_samples = {}  # code -> one "op: details"
        self.long_ops = set()
        self.shed = 0               # RESOURCE_EXHAUSTED from the server (load shedding)
        self.metadata_refused = 0   # RESOURCE_EXHAUSTED "metadata size exceeds limit"
        self.long_messages = []
        self.long_count = 0
        self.completed = 0
        self.after_sigterm = 0
        self.sigterm_at = None
        self.crashed_at = None      # when a process was seen dead before its SIGTERM
        self.abort = threading.Event()
        self.abort_reasons = []
        self.stuck = False
        self.notes = collections.Counter()
        self.note_samples = collections.defaultdict(list)

    def allowed(self, code, flags, after_sigterm, details="", started_after_sigterm=False):
        if code == "RESOURCE_EXHAUSTED" and "exceeds limit" in details:
            return False  # the client refused what the server sent (not load shedding)
        if "nokey" in flags:
            ok = code in ("UNAUTHENTICATED", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED")
        else:
            ok = code in ALWAYS_ALLOWED
        if code == "DEADLINE_EXCEEDED":
            ok = "deadline" in flags
        elif code == "CANCELLED":
            # A call that reaches the port in the instant it closes is
            # cancelled by gRPC core itself (1.51 cancels calls still queued
            # at Server::Shutdown); only calls sent after SIGTERM may see it,
            # never one that was in flight before.
            ok = "cancel" in flags or started_after_sigterm
        elif code == "UNAVAILABLE":
            ok = after_sigterm
        return ok

    def record(self, op, code, details="", flags=(), latency=None, started=None):
        now = time.monotonic()
        after = self.sigterm_at is not None and now >= self.sigterm_at
        started_after = (self.sigterm_at is not None and started is not None
                         and started >= self.sigterm_at)
        ok = self.allowed(code, flags, after, details, started_after)
        if code == "CANCELLED" and started_after and "cancel" not in flags:
            with self.lock:
                self.notes["CANCELLED by gRPC at port close (sent after SIGTERM)"] += 1
        size = len(details.encode("utf-8", "replace"))
        with self.lock:
            self.codes[code] += 1
            self.by_op[op][code] += 1
            self.completed += 1
            if after:
                self.after_sigterm += 1
            if latency is not None and code == "OK":
                self.latencies.append(latency)
            if code == "RESOURCE_EXHAUSTED":
                if "exceeds limit" in details:
                    self.metadata_refused += 1
                else:
                    self.shed += 1
            if code != "OK" and code not in self.code_samples:
                self.code_samples[code] = "%s: %r" % (op, details[:100])
            if not ok:
                self.offending.append((now, "%s -> %s %r flags=%s%s" % (
                    op, code, details[:200], sorted(flags) or "-",
                    " (%.2f s after SIGTERM)" % (now - self.sigterm_at) if after else ""), code))
            if size > MAX_ERROR_MESSAGE and not (code == "UNAVAILABLE" and after):
                self.long_count += 1
                if len(self.long_messages) < SAMPLE and op not in self.long_ops:
                    self.long_ops.add(op)
                    self.long_messages.append("%s -> %s, %d bytes: %r..." % (
                        op, code, size, details[:120]))
        if not ok and code == "DEADLINE_EXCEEDED" and not self.stuck:
            self.stuck = True
            self.stop("a call with no short deadline (%s) ran into its %.0f s deadline: the "
                      "server is stuck (deadlock?)" % (op, CALL_TIMEOUT_S))

    def offend(self, what, code, details):
        """A problem found inside an OK reply (e.g. a dossier section)."""
        with self.lock:
            self.offending.append((time.monotonic(), "%s -> %s %r" % (what, code, details[:200]), code))

    def split_offending(self):
        """(offending calls, calls that failed because a process had died):
        after a crash, UNAVAILABLE and other transport errors are its
        consequence, reported once as the crash."""
        with self.lock:
            items = list(self.offending)
        own, consequences = [], []
        for t, text, code in items:
            if self.crashed_at is not None and t >= self.crashed_at - 0.5 and \
                    code in ("UNAVAILABLE", "RESOURCE_EXHAUSTED", "INTERNAL", "UNKNOWN", "CANCELLED"):
                consequences.append((t, text))
            else:
                own.append((t, text))
        return own, consequences

    def note(self, what, sample=None):
        with self.lock:
            self.notes[what] += 1
            if sample is not None and len(self.note_samples[what]) < 5:
                self.note_samples[what].append(sample)

    def stop(self, reason):
        with self.lock:
            if reason not in self.abort_reasons:
                self.abort_reasons.append(reason)
        self.abort.set()

    def elapsed(self):
        return time.monotonic() - self.t0


def invoke(rec, client, op, path, request, flags=frozenset(), timeout=None, key=None):
    """One unary call, recorded. Returns (code name, response or None)."""
    started = time.monotonic()
    try:
        reply = client.unary(path)(request, timeout=timeout or CALL_TIMEOUT_S,
                                   metadata=metadata_for(key))
        rec.record(op, "OK", "", flags, time.monotonic() - started)
        return "OK", reply
    except grpc.RpcError as e:
        code = e.code().name if e.code() is not None else "UNKNOWN"
        details = e.details() or ""
        rec.record(op, code, details, flags, started=started)
        if code == "RESOURCE_EXHAUSTED" and "exceeds limit" in details:
            code = "CLIENT_RESOURCE_EXHAUSTED"  # refused by the client: the call may have run
        return code, None


class Ledger:
    """Writes acknowledged with OK (and the ones whose outcome is unknown)."""

    def __init__(self, t0):
        self.t0 = t0
        self.lock = threading.Lock()
        # id -> {"state": live|deleted|uncertain, "title": str or None, "at": seconds into the load}
        self.sources = {}
        self.events = {}    # id -> {"state": live|deleted|uncertain, "at": ...}
        self.history = collections.defaultdict(list)   # id -> ["t op -> code", ...]

    def source(self, sid, state, title=None):
        with self.lock:
            self.sources[sid] = {"state": state, "title": title, "at": time.monotonic() - self.t0}

    def saw(self, rid, op, code):
        """Every write call on a record, for the report of a lost write."""
        with self.lock:
            self.history[rid].append("%.2fs %s->%s" % (time.monotonic() - self.t0, op, code))

    def source_title_unknown(self, sid):
        with self.lock:
            if sid in self.sources:
                self.sources[sid]["title"] = None

    def event(self, eid, state):
        with self.lock:
            self.events[eid] = {"state": state, "at": time.monotonic() - self.t0}

    def counts(self):
        with self.lock:
            c = collections.Counter("source " + v["state"] for v in self.sources.values())
            c.update("event " + v["state"] for v in self.events.values())
            return dict(c)


# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------

VALID_PRODUCT_FILTERS = ["", "cell_category = PSC", "cell_source = HIPSC AND indication = heart-failure",
                         "country = CN", "cell_source = HIPSC OR cell_source = HESC"]
BAD_FILTERS = ["cell_source = PLASMA", "((((", ")", "cell_source =", "= =", "x = y AND",
               "(" * 10000, "NOT " * 5000 + "country = CN", "country = CN AND " * 3000 + "country = US",
               "country = \"unterminated", "\x01\x02 = \x03"]
MALFORMED_NAMES = ["", "sources/", "sources", "sources/Bad Name!", "sources/UPPER", "sources/a/b",
                   "products/amimestrocel", "sources/-x", "sources/" + "a" * 64,
                   "sources/" + "a" * 5000, "sources/%00", "sources/名前", "//", "sources/../etc"]


def read_request(rng, ctx):
    """A read: (op, path, request)."""
    kind = rng.choice(["list_products", "search", "count", "get_trial", "list_events",
                       "timeline", "compare_prices", "pipeline", "landscape", "dossier",
                       "list_sources", "get_source_missing"])
    if kind == "list_products":
        return kind, CAT + "ListProducts", M.cat.ListProductsRequest(
            filter=rng.choice(VALID_PRODUCT_FILTERS), page_size=rng.choice([0, 5, 100, 1000]),
            show_total_size=rng.random() < 0.5)
    if kind == "search":
        return kind, CAT + "SearchProducts", M.cat.SearchProductsRequest(
            query=rng.choice(["多巴胺", "dopaminergic", "BRT-DA01", "hicm188", "heart", "间充质", "zzzz"]),
            page_size=rng.choice([0, 5, 100]), facets=rng.choice([[], ["cell_type"]]))
    if kind == "count":
        return kind, CAT + "CountProducts", M.cat.CountProductsRequest(
            filter=rng.choice(["", "cell_category = PSC"]),
            group_by=rng.choice([["country", "stage"], ["cell_source"], ["stage"]]))
    if kind == "get_trial":
        return kind, CAT + "GetTrial", M.cat.GetTrialRequest(
            name=rng.choice(["NCT04982081", "nct04982081", "trials/nct04982081", "NCT99999999",
                             "jRCT209022038", "not a registry id"]))
    if kind == "list_events":
        return kind, TL + "ListEvents", M.tl.ListEventsRequest(
            filter=rng.choice(["", "type = APPROVAL", "jurisdiction = CN AND date >= 2015",
                               "product = products/amimestrocel", "date >= 2025 AND date <= 2015"]),
            order_by=rng.choice(["", "date desc"]), page_size=rng.choice([0, 10, 1000]))
    if kind == "timeline":
        return kind, TL + "GetProductTimeline", M.tl.GetProductTimelineRequest(
            product=rng.choice(PRODUCTS + ["products/no-such-product"]))
    if kind == "compare_prices":
        return kind, AN + "ComparePrices", M.an.ComparePricesRequest(
            products=rng.choice([["products/amimestrocel", "products/ast-vac2"],
                                 ["products/amimestrocel", "products/hicm-188", "products/vx-880"],
                                 ["products/amimestrocel"]]),
            currency_code=rng.choice(["USD", "CNY", "JPY", "XXX"]))
    if kind == "pipeline":
        return kind, AN + "GetPipelineBreakdown", M.an.GetPipelineBreakdownRequest(
            subject=rng.choice([M.an.BREAKDOWN_SUBJECT_PRODUCTS, M.an.BREAKDOWN_SUBJECT_TRIALS]),
            filter=rng.choice(["", "country = CN"]),
            group_by=rng.choice([["stage"], ["country", "stage"], ["cell_source"]]))
    if kind == "landscape":
        return kind, AN + "GetIndicationLandscape", M.an.GetIndicationLandscapeRequest(
            indication=rng.choice(["indications/heart-failure", "indications/agvhd",
                                   "indications/no-such-indication"]))
    if kind == "dossier":
        return kind, GW + "GetProductDossier", M.gw.GetProductDossierRequest(
            product=rng.choice(PRODUCTS + ["products/no-such-product"]))
    if kind == "list_sources":
        return kind, CAT + "ListSources", M.cat.ListSourcesRequest(page_size=rng.choice([0, 10, 1000]))
    return kind, CAT + "GetSource", M.cat.GetSourceRequest(
        name="sources/missing-%s-%d" % (ctx.tag, rng.randrange(10 ** 9)))


def new_event(eid_hint, rng, description=None):
    return M.tlres.Event(
        type=M.tlres.EVENT_TYPE_OTHER,
        date=M.common.PartialDate(year=rng.choice([2024, 2025]), month=rng.randint(1, 12)),
        jurisdiction=rng.choice(["CN", "JP", "US"]),
        products=[rng.choice(["products/amimestrocel", "products/hicm-188"])],
        description=description or ("stress event " + eid_hint),
        sources=[M.common.SourceCitation(source=KNOWN_SOURCE, locator="stress test")])


# ---------------------------------------------------------------------------
# Worker operations (each makes one call, a few make two)
# ---------------------------------------------------------------------------

class WorkerCtx:
    def __init__(self, rec, ledger, address, tag, index, seed):
        self.rec = rec
        self.ledger = ledger
        self.client = Client(address)
        self.tag = tag
        self.index = index
        self.rng = random.Random(seed)
        self.mine = []      # [source id, etag, title] of live sources this worker created
        self.seq = 0

    def next_id(self, kind):
        self.seq += 1
        return "stress-%s-%s-w%d-%d" % (self.tag, kind, self.index, self.seq)


def op_list_sources(c):
    code, reply = invoke(c.rec, c.client, "ListSources", CAT + "ListSources", M.cat.ListSourcesRequest(
        page_size=c.rng.choice([0, 1, 10, 50, 1000]), show_total_size=c.rng.random() < 0.3))
    if code == "OK" and reply.next_page_token and c.rng.random() < 0.5:
        invoke(c.rec, c.client, "ListSources(next page)", CAT + "ListSources",
               M.cat.ListSourcesRequest(page_size=10, page_token=reply.next_page_token))


def op_list_sources_negative(c):
    invoke(c.rec, c.client, "ListSources(page_size<0)", CAT + "ListSources",
           M.cat.ListSourcesRequest(page_size=c.rng.choice([-1, -1, -5, -2 ** 31])))


def op_list_sources_huge(c):
    invoke(c.rec, c.client, "ListSources(huge page_size)", CAT + "ListSources",
           M.cat.ListSourcesRequest(page_size=c.rng.choice([2 ** 31 - 1, 100000, 1001])))


def op_get_source_missing(c):
    invoke(c.rec, c.client, "GetSource(missing)", CAT + "GetSource",
           M.cat.GetSourceRequest(name="sources/missing-%s-w%d-%d" % (c.tag, c.index, c.rng.randrange(10 ** 9))))


def op_get_source_malformed(c):
    invoke(c.rec, c.client, "GetSource(malformed name)", CAT + "GetSource",
           M.cat.GetSourceRequest(name=c.rng.choice(MALFORMED_NAMES)))


def op_get_source_known(c):
    if c.mine and c.rng.random() < 0.5:
        name = "sources/" + c.rng.choice(c.mine)[0]
    else:
        name = KNOWN_SOURCE
    invoke(c.rec, c.client, "GetSource", CAT + "GetSource", M.cat.GetSourceRequest(name=name))


def op_bad_filter(c):
    f = c.rng.choice(BAD_FILTERS)
    which = c.rng.choice(["ListProducts", "CountProducts", "ListEvents", "ListTrials"])
    if which == "ListProducts":
        path, req = CAT + which, M.cat.ListProductsRequest(filter=f)
    elif which == "CountProducts":
        path, req = CAT + which, M.cat.CountProductsRequest(filter=f, group_by=["stage"])
    elif which == "ListTrials":
        path, req = CAT + which, M.cat.ListTrialsRequest(filter=f)
    else:
        path, req = TL + which, M.tl.ListEventsRequest(filter=f)
    invoke(c.rec, c.client, which + "(bad filter)", path, req)


def check_dossier(c, reply):
    for s in reply.sections:
        if not s.ok and s.code and s.code not in ALWAYS_ALLOWED:
            c.rec.note("dossier section not ok", "%s: %s %s" % (s.name, s.code, s.error[:120]))
            if c.rec.sigterm_at is None:
                c.rec.offend("GetProductDossier section " + s.name, s.code, s.error)


def op_read(c):
    op, path, req = read_request(c.rng, c)
    code, reply = invoke(c.rec, c.client, op, path, req)
    if code == "OK" and op == "dossier":
        check_dossier(c, reply)
    if code == "OK" and op == "timeline" and reply.catalog_error:
        c.rec.note("timeline catalog_error", reply.catalog_error[:160])


def op_misc_read(c):
    which = c.rng.choice(["backends", "health", "intervals", "approval", "firsts", "issues",
                          "bad_token", "batch"])
    if which == "backends":
        invoke(c.rec, c.client, "ListBackends", GW + "ListBackends", M.gw.ListBackendsRequest())
    elif which == "health":
        service = c.rng.choice([""] + SERVICES)
        code, reply = invoke(c.rec, c.client, "Health/Check", HEALTH, health_request(service))
        if code == "OK" and health_status(reply) != 1 and c.rec.sigterm_at is None:
            c.rec.note("health not SERVING before SIGTERM", service or "(server)")
    elif which == "intervals":
        invoke(c.rec, c.client, "ComputeMilestoneIntervals", TL + "ComputeMilestoneIntervals",
               M.tl.ComputeMilestoneIntervalsRequest(
                   from_type=M.tlres.EVENT_TYPE_CONDITIONAL_APPROVAL,
                   to_type=M.tlres.EVENT_TYPE_FIRST_PRESCRIPTION))
    elif which == "approval":
        invoke(c.rec, c.client, "GetApprovalStatistics", AN + "GetApprovalStatistics",
               M.an.GetApprovalStatisticsRequest(filter=c.rng.choice(["", "jurisdiction = CN"])))
    elif which == "firsts":
        invoke(c.rec, c.client, "ListFirsts", TL + "ListFirsts",
               M.tl.ListFirstsRequest(type=M.tlres.EVENT_TYPE_APPROVAL, group_by="cell_source"))
    elif which == "issues":
        invoke(c.rec, c.client, "ListDataIssues", CAT + "ListDataIssues",
               M.cat.ListDataIssuesRequest(filter="kind = MALFORMED_REGISTRY_ID"))
    elif which == "bad_token":
        invoke(c.rec, c.client, "ListSources(bad page_token)", CAT + "ListSources",
               M.cat.ListSourcesRequest(page_size=1, page_token=c.rng.choice(
                   ["AAAA-not-a-token", "%%%", "x" * 4000, "djE"])))
    else:
        names = [KNOWN_SOURCE, "sources/missing-batch-%d" % c.rng.randrange(1000), "sources/BAD"]
        invoke(c.rec, c.client, "BatchGetSources", CAT + "BatchGetSources",
               M.cat.BatchGetSourcesRequest(names=c.rng.sample(names, c.rng.randint(1, 3))))


def op_create_source(c, flags=frozenset(), timeout=None, title=None, op="CreateSource"):
    sid = c.next_id("src")
    title = title or ("stress source %s 压力测试" % sid)
    req = M.cat.CreateSourceRequest(source_id=sid, source=M.catres.Source(
        title=title, kind=M.catres.SOURCE_KIND_OTHER, language="en",
        publication_date=M.common.PartialDate(year=2025, month=c.rng.randint(1, 12))))
    code, reply = invoke(c.rec, c.client, op, CAT + "CreateSource", req, flags, timeout, CURATOR_KEY)
    c.ledger.saw(sid, op, code)
    if code == "OK":
        c.ledger.source(sid, "live", title)
        c.mine.append([sid, reply.etag, title])
    elif code in UNCERTAIN or code == "ALREADY_EXISTS":
        c.ledger.source(sid, "uncertain")
    return code, sid, reply


def op_update_source(c):
    if not c.mine:
        return op_create_source(c)
    entry = c.rng.choice(c.mine)
    sid, etag, _ = entry
    title = "updated %s #%d" % (sid, c.rng.randrange(10 ** 6))
    use_etag = etag if c.rng.random() < 0.85 else "stale-etag"
    req = M.cat.UpdateSourceRequest(
        source=M.catres.Source(name="sources/" + sid, title=title, etag=use_etag),
        update_mask=M.fm.FieldMask(paths=["title"]))
    code, reply = invoke(c.rec, c.client, "UpdateSource", CAT + "UpdateSource", req, key=CURATOR_KEY)
    c.ledger.saw(sid, "UpdateSource" + ("(stale etag)" if use_etag != etag else ""), code)
    if code == "OK":
        entry[1], entry[2] = reply.etag, title
        c.ledger.source(sid, "live", title)
    elif code in UNCERTAIN:
        c.ledger.source_title_unknown(sid)
        c.mine.remove(entry)


def op_delete_source(c):
    if not c.mine:
        return op_create_source(c)
    entry = c.rng.choice(c.mine)
    code, _ = invoke(c.rec, c.client, "DeleteSource", CAT + "DeleteSource",
                     M.cat.DeleteSourceRequest(name="sources/" + entry[0], etag=entry[1]),
                     key=CURATOR_KEY)
    c.ledger.saw(entry[0], "DeleteSource", code)
    if code == "OK":
        c.ledger.source(entry[0], "deleted")
        c.mine.remove(entry)
    elif code in UNCERTAIN:
        c.ledger.source(entry[0], "uncertain")
        c.mine.remove(entry)


def create_event(rec, ledger, client, eid, rng, op="CreateEvent", flags=frozenset(), timeout=None,
                 description=None):
    code, reply = invoke(rec, client, op, TL + "CreateEvent",
                         M.tl.CreateEventRequest(event_id=eid, event=new_event(eid, rng, description)),
                         flags, timeout, CURATOR_KEY)
    ledger.saw(eid, op, code)
    if code == "OK":
        ledger.event(eid, "live")
    elif code in UNCERTAIN or code == "ALREADY_EXISTS":
        ledger.event(eid, "uncertain")
    return code, reply


def op_create_event(c):
    create_event(c.rec, c.ledger, c.client, c.next_id("ev"), c.rng)


def op_oversized_read(c):
    big = "x" * MEGABYTE
    which = c.rng.choice(["filter", "query", "name", "token"])
    if which == "filter":
        invoke(c.rec, c.client, "ListProducts(1 MB filter)", CAT + "ListProducts",
               M.cat.ListProductsRequest(filter="country = " + big))
    elif which == "query":
        invoke(c.rec, c.client, "SearchProducts(1 MB query)", CAT + "SearchProducts",
               M.cat.SearchProductsRequest(query=big))
    elif which == "name":
        invoke(c.rec, c.client, "GetSource(1 MB name)", CAT + "GetSource",
               M.cat.GetSourceRequest(name="sources/" + big))
    else:
        invoke(c.rec, c.client, "ListEvents(1 MB page_token)", TL + "ListEvents",
               M.tl.ListEventsRequest(page_token=big))


def op_oversized_writes(c):
    """Once per topology: a 1 MB title and a 1 MB event description (deleted
    again when accepted, so that lists stay small)."""
    code, sid, reply = op_create_source(c, title="t" * MEGABYTE, op="CreateSource(1 MB title)")
    if code == "OK":
        c.mine = [e for e in c.mine if e[0] != sid]
        code, _ = invoke(c.rec, c.client, "DeleteSource", CAT + "DeleteSource",
                         M.cat.DeleteSourceRequest(name="sources/" + sid, etag=reply.etag),
                         key=CURATOR_KEY)
        c.ledger.saw(sid, "DeleteSource", code)
        if code == "OK" or code in UNCERTAIN:
            c.ledger.source(sid, "deleted" if code == "OK" else "uncertain")
    eid = c.next_id("ev")
    code, reply = create_event(c.rec, c.ledger, c.client, eid, c.rng, op="CreateEvent(1 MB description)",
                               description="d" * MEGABYTE)
    if code == "OK":
        code, _ = invoke(c.rec, c.client, "DeleteEvent", TL + "DeleteEvent",
                         M.tl.DeleteEventRequest(name="events/" + eid, etag=reply.etag),
                         key=CURATOR_KEY)
        c.ledger.saw(eid, "DeleteEvent", code)
        if code == "OK" or code in UNCERTAIN:
            c.ledger.event(eid, "deleted" if code == "OK" else "uncertain")
    invoke(c.rec, c.client, "CreateSource(malformed id)", CAT + "CreateSource",
           M.cat.CreateSourceRequest(source_id="Bad Id!" + "z" * 2000, source=M.catres.Source(
               title="bad", kind=M.catres.SOURCE_KIND_OTHER)), key=CURATOR_KEY)


def op_short_deadline(c):
    timeout = c.rng.uniform(0.001, 0.005)
    if c.rng.random() < 0.2:
        op_create_source(c, flags={"deadline"}, timeout=timeout, op="CreateSource(short deadline)")
        return
    op, path, req = read_request(c.rng, c)
    invoke(c.rec, c.client, op + "(short deadline)", path, req, {"deadline"}, timeout)


def op_cancelled(c):
    """Started as a future and cancelled by the client after 0-5 ms."""
    if c.rng.random() < 0.2:
        sid = c.next_id("src")
        op, path, key = "CreateSource(cancelled)", CAT + "CreateSource", CURATOR_KEY
        req = M.cat.CreateSourceRequest(source_id=sid, source=M.catres.Source(
            title="cancelled " + sid, kind=M.catres.SOURCE_KIND_OTHER))
    else:
        sid = None
        op, path, req = read_request(c.rng, c)
        op, key = op + "(cancelled)", None
    started = time.monotonic()
    future = c.client.unary(path).future(req, timeout=CALL_TIMEOUT_S, metadata=metadata_for(key))
    time.sleep(c.rng.uniform(0, 0.005))
    future.cancel()
    try:
        reply = future.result(timeout=CALL_TIMEOUT_S + 5)
        code, details = "OK", ""
    except grpc.FutureCancelledError:
        code, details, reply = "CANCELLED", "", None
    except grpc.FutureTimeoutError:
        code, details, reply = "CLIENT_WAIT_TIMEOUT", "future did not complete", None
    except grpc.RpcError as e:
        code, details, reply = e.code().name, e.details() or "", None
    c.rec.record(op, code, details, {"cancel"}, started=started)
    if sid:
        c.ledger.saw(sid, op, code)
        if code == "OK":
            c.ledger.source(sid, "live", req.source.title)
            c.mine.append([sid, reply.etag, req.source.title])
        else:
            c.ledger.source(sid, "uncertain")


def op_watch_cancel(c):
    """A WatchEvents stream ended by the client: cancelled after a few
    messages or 10-200 ms, or given a 50-300 ms deadline."""
    req = M.tl.WatchEventsRequest(filter=c.rng.choice(["", "type = OTHER", "jurisdiction = CN"]),
                                  include_policies=c.rng.random() < 0.5)
    if c.rng.random() < 0.6:
        flags, timeout = {"cancel"}, CALL_TIMEOUT_S
    else:
        flags, timeout = {"deadline"}, c.rng.uniform(0.05, 0.3)
    started = time.monotonic()
    call = c.client.stream(TL + "WatchEvents")(req, timeout=timeout)
    timer = None
    if "cancel" in flags:
        timer = threading.Timer(c.rng.uniform(0.01, 0.2), call.cancel)
        timer.start()
    code, details, n = "OK", "", 0
    try:
        for _ in call:
            n += 1
            if n >= 3 and "cancel" in flags:
                call.cancel()
    except grpc.RpcError as e:
        code, details = e.code().name, e.details() or ""
    finally:
        if timer:
            timer.cancel()
    # `started` tells a stream opened after SIGTERM (which gRPC may cancel at
    # port close) from one that was open before.
    c.rec.record("WatchEvents(" + ("cancelled" if "cancel" in flags else "short deadline") + ")",
                 code, details, flags, started=started)


def op_nokey(c):
    which = c.rng.choice(["none", "reader", "bogus", "malformed", "delete_event"])
    req = M.cat.CreateSourceRequest(source_id=c.next_id("nokey"), source=M.catres.Source(
        title="must not be written", kind=M.catres.SOURCE_KIND_OTHER))
    if which == "none":
        invoke(c.rec, c.client, "CreateSource(no key)", CAT + "CreateSource", req, {"nokey"})
    elif which == "reader":
        invoke(c.rec, c.client, "CreateSource(reader key)", CAT + "CreateSource", req, {"nokey"},
               key=READER_KEY)
    elif which == "bogus":
        invoke(c.rec, c.client, "CreateSource(unknown key)", CAT + "CreateSource", req, {"nokey"},
               key="not-a-key-0123456789")
    elif which == "malformed":
        code = "OK"
        started = time.monotonic()
        try:
            c.client.unary(CAT + "CreateSource")(req, timeout=CALL_TIMEOUT_S,
                                                 metadata=[("authorization", "Basic xyz")])
        except grpc.RpcError as e:
            code, details = e.code().name, e.details() or ""
        c.rec.record("CreateSource(malformed authorization)", code,
                     "" if code == "OK" else details, {"nokey"}, started=started)
    else:
        invoke(c.rec, c.client, "DeleteEvent(no key)", TL + "DeleteEvent",
               M.tl.DeleteEventRequest(name="events/hicm-188-co-development-deal-cn-2025-06-12"),
               {"nokey"})


# Weighted mix of one worker's calls. ListSources and GetSource of missing
# names are the bulk (thousands per topology).
OPS = [
    (op_list_sources, 20), (op_list_sources_negative, 6), (op_list_sources_huge, 4),
    (op_get_source_missing, 36), (op_get_source_malformed, 3), (op_get_source_known, 3),
    (op_bad_filter, 4), (op_read, 16), (op_misc_read, 4),
    (op_create_source, 5), (op_update_source, 2), (op_delete_source, 2), (op_create_event, 3),
    (op_oversized_read, 1), (op_short_deadline, 4), (op_cancelled, 4), (op_watch_cancel, 2),
    (op_nokey, 2),
]


def worker(ctx, calls):
    rng = ctx.rng
    funcs = [f for f, _ in OPS]
    weights = [w for _, w in OPS]
    try:
        for i in range(calls):
            if ctx.rec.abort.is_set():
                return
            if i == 3 and ctx.index == 0:
                op_oversized_writes(ctx)
                continue
            rng.choices(funcs, weights)[0](ctx)
    except Exception as e:  # a harness bug must not look like a hang
        ctx.rec.stop("worker %d raised %r" % (ctx.index, e))
        raise
    finally:
        ctx.client.close()


def event_burst(rec, ledger, clients, tag, number):
    """CREATE_EVENT_BURST CreateEvent calls released at once by a barrier."""
    barrier = threading.Barrier(len(clients), timeout=30)

    def one(i, client):
        rng = random.Random(number * 100 + i)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        create_event(rec, ledger, client, "stress-%s-burst%d-%d" % (tag, number, i), rng,
                     op="CreateEvent(burst of %d)" % len(clients))

    threads = [threading.Thread(target=one, args=(i, cl), daemon=True) for i, cl in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(CALL_TIMEOUT_S + 35)


class Watcher(threading.Thread):
    """A WatchEvents stream opened before the load and left open."""

    def __init__(self, address, label, request, key=None):
        super().__init__(daemon=True)
        self.key = key
        self.address = address
        self.label = label
        self.request = request
        self.messages = 0
        self.early = False
        self.code = None
        self.details = ""
        self.ended_at = None
        self.call = None
        self.client = Client(address)

    def run(self):
        try:
            self.call = self.client.stream(TL + "WatchEvents")(
                self.request, timeout=LOAD_BUDGET_S + 300, metadata=metadata_for(self.key))
            for _ in self.call:
                self.messages += 1
            self.code = "OK"
        except grpc.RpcError as e:
            self.code = e.code().name
            self.details = e.details() or ""
        except Exception as e:  # noqa: BLE001
            self.code, self.details = "HARNESS_ERROR", repr(e)
        finally:
            self.ended_at = time.monotonic()
            self.client.close()

    def open(self):
        return self.is_alive() and self.code is None

    def cancel(self):
        if self.call is not None:
            self.call.cancel()


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

def signal_name(code):
    if code is None:
        return "still running"
    if code < 0:
        try:
            return "killed by %s" % signal.Signals(-code).name
        except ValueError:
            return "killed by signal %d" % -code
    return "exit %d" % code


def log_tail(server, lines=12):
    try:
        text = server.read_log().splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("      " + line[:300] for line in text[-lines:])


def sanitizer_reports(pid):
    """Report files a sanitizer wrote for `pid` (sanitizer builds send reports
    to log_path=... files, not to stderr): [(path, first lines)]."""
    found = []
    for var in ("ASAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        for option in os.environ.get(var, "").split(":"):
            if not option.startswith("log_path="):
                continue
            path = "%s.%d" % (option[len("log_path="):], pid)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    found.append((path, "".join(f.readlines()[:15])))
    return found


def crash_evidence(server):
    """Crash signatures in the server's stderr and sanitizer report files
    for its pid; "" when there are none."""
    try:
        log = server.read_log()
    except OSError:
        log = ""
    found = sorted({sig for sig in CRASH_SIGNATURES if sig in log})
    text = ""
    if found:
        text = "crash signatures %s in the log; tail:\n%s" % (found, log_tail(server, 25))
    for path, head in sanitizer_reports(server.proc.pid):
        text += "\n      sanitizer report %s:\n%s" % (
            path, "\n".join("      " + line[:300] for line in head.splitlines()))
    return text.strip()


def vm_status(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0  # MB
    except OSError:
        return None
    return None


def health_check(address, service, timeout=5):
    client = Client(address)
    try:
        return health_status(client.unary(HEALTH)(health_request(service), timeout=timeout))
    except grpc.RpcError:
        return 0
    finally:
        client.close()


def wait_serving(address, services, timeout):
    timeout *= TIMEOUT_SCALE
    deadline = time.monotonic() + timeout
    pending = list(services)
    while time.monotonic() < deadline:
        pending = [s for s in pending if health_check(address, s) != 1]
        if not pending:
            return
        time.sleep(0.25)
    raise AssertionError("not SERVING within %.0f s: %s" % (timeout, pending))


def start_server(data_dir, args, what):
    """Starts a server; a clear failure when it does not come up (the current
    binary rejecting the `service` role of the keys file among them)."""
    server = Server(data_dir, args)
    try:
        return server.start(timeout=START_TIMEOUT_S)
    except RuntimeError as e:
        text = str(e)
        server.stop_quietly()
        if 'unknown role \\"service\\"' in text or 'unknown role "service"' in text:
            raise AssertionError(
                "%s refused the keys file: the `service` role (service-to-service calls in the "
                "split topology; every process gets the same --auth_keys file) is not supported "
                "by this binary yet.\n%s" % (what, text[-1500:]))
        raise AssertionError("%s did not start: %s" % (what, text[-3000:]))


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------

class StressTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-stress-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if KEEP:
                if s.proc and s.proc.poll() is None:
                    s.proc.kill()
                    s.proc.wait(timeout=30)
                print("  kept log %s" % s.log_path)
            else:
                s.stop_quietly()
        if KEEP:
            print("  kept stores in %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, name, args, what=None):
        server = start_server(os.path.join(self.tmp, name), args, what or name)
        self.servers.append(server)
        return server

    # -- topologies --------------------------------------------------------

    def all_in_one(self, keys):
        args = ["--role=all", "--dataset=" + DATASET, "--auth_keys=" + keys,
                "--shutdown_grace=%gs" % GRACE_S]
        server = self.start("all", args, "all-in-one server")
        return {"all": server}, server.address, ["all"], lambda: {"all": self.start("all", args)}

    def split(self, keys):
        common = ["--auth_keys=" + keys, "--shutdown_grace=%gs" % GRACE_S]

        def start_all(suffix=""):
            p = {}
            p["catalog"] = self.start("catalog", ["--role=catalog", "--dataset=" + DATASET] + common,
                                      "catalog backend" + suffix)
            p["timeline"] = self.start("timeline", [
                "--role=timeline", "--dataset=" + DATASET,
                "--catalog_addr=" + p["catalog"].address] + common, "timeline backend" + suffix)
            p["analytics"] = self.start("analytics", [
                "--role=analytics", "--dataset=" + DATASET, "--catalog_addr=" + p["catalog"].address,
                "--timeline_addr=" + p["timeline"].address] + common, "analytics backend" + suffix)
            p["gateway"] = self.start("gateway", [
                "--role=gateway", "--dataset=none", "--catalog_addr=" + p["catalog"].address,
                "--timeline_addr=" + p["timeline"].address,
                "--analytics_addr=" + p["analytics"].address] + common, "gateway" + suffix)
            return p

        procs = start_all()
        return procs, procs["gateway"].address, ["catalog", "timeline", "analytics"], \
            lambda: start_all(" (restart)")

    # -- the load, SIGTERM under load, restart ----------------------------

    def run_topology(self, label, procs, address, store_roles, restart):
        failures = []
        t_start = time.monotonic()
        wait_serving(address, [""] + SERVICES, START_TIMEOUT_S)
        rec = Recorder(label)
        ledger = Ledger(rec.t0)
        tag = "a" if label == "all-in-one" else "s"
        print("\n[%s] processes up in %.1f s; %d workers x %d calls, SIGTERM after %d, %d bursts of "
              "%d concurrent CreateEvent" % (label, time.monotonic() - t_start, WORKERS,
                                             CALLS_PER_WORKER, int(SIGTERM_AT * WORKERS * CALLS_PER_WORKER),
                                             BURSTS, CREATE_EVENT_BURST), flush=True)

        # WatchEvents streams left open through SIGTERM.
        watchers = []
        filters = ["", "type = OTHER", "jurisdiction = CN OR jurisdiction = JP"]
        for i in range(OPEN_WATCHERS):
            watchers.append(Watcher(address, "public #%d" % i, M.tl.WatchEventsRequest(
                filter=filters[i % len(filters)], include_policies=i % 2 == 0)))
        if "timeline" in procs:
            # Straight to the backend, as the gateway would call it.
            watchers.append(Watcher(procs["timeline"].address, "timeline backend direct",
                                    M.tl.WatchEventsRequest(), key=SERVICE_KEY))
        for w in watchers:
            w.start()
        time.sleep(0.5)
        for w in watchers:
            if not w.open():
                w.early = True
                failures.append("WatchEvents stream %s ended right after opening: %s %r"
                                % (w.label, w.code, w.details[:200]))

        # Death monitor: a process exiting before its SIGTERM is a crash.
        signalled = set()
        died = {}

        def monitor():
            while not monitor_stop.is_set():
                for role, p in procs.items():
                    if role in signalled or role in died:
                        continue
                    code = p.proc.poll()
                    if code is not None:
                        rec.crashed_at = rec.crashed_at or (time.monotonic() - 0.05)
                        died[role] = (code, rec.completed, rec.elapsed())
                        rec.stop("%s died before SIGTERM (%s) after %d completed calls, %.1f s into "
                                 "the load; log tail:\n%s" % (role, signal_name(code), rec.completed,
                                                            rec.elapsed(), log_tail(p)))
                monitor_stop.wait(0.05)

        monitor_stop = threading.Event()
        mon = threading.Thread(target=monitor, daemon=True)
        mon.start()

        workers = []
        for i in range(WORKERS):
            ctx = WorkerCtx(rec, ledger, address, tag, i, seed=(7919 if tag == "s" else 0) + i)
            t = threading.Thread(target=worker, args=(ctx, CALLS_PER_WORKER), daemon=True)
            workers.append(t)
        burst_clients = [Client(address) for _ in range(CREATE_EVENT_BURST)]
        for t in workers:
            t.start()

        # Controller: bursts at fixed progress points, then SIGTERM at a
        # fixed number of completed calls while the workers keep going.
        planned = WORKERS * CALLS_PER_WORKER
        sigterm_after = int(SIGTERM_AT * planned)
        burst_points = [int(sigterm_after * (k + 1) / (BURSTS + 1)) for k in range(BURSTS)]
        bursts = []
        load_deadline = time.monotonic() + LOAD_BUDGET_S
        while True:
            done = rec.completed
            if burst_points and done >= burst_points[0]:
                burst_points.pop(0)
                b = threading.Thread(target=event_burst, args=(rec, ledger, burst_clients, tag,
                                                               len(bursts)), daemon=True)
                b.start()
                bursts.append(b)
            if done >= sigterm_after or rec.abort.is_set() or not any(t.is_alive() for t in workers):
                break
            if time.monotonic() > load_deadline:
                failures.append("load phase exceeded its %.0f s budget with %d of %d calls done "
                                "(server too slow or stuck)" % (LOAD_BUDGET_S, done, planned))
                rec.stop("load budget exceeded")
                break
            time.sleep(0.02)
        calls_at_sigterm = rec.completed
        load_seconds = rec.elapsed()
        workers_running = sum(t.is_alive() for t in workers)
        open_watchers = [w for w in watchers if w.open()]
        for w in watchers:
            if w.ended_at is not None and rec.crashed_at is not None and w.ended_at >= rec.crashed_at - 0.5:
                continue  # a consequence of the crash
            if not w.open() and w.ended_at is not None and not w.early:
                failures.append("WatchEvents stream %s ended before SIGTERM: %s %r"
                                % (w.label, w.code, w.details[:200]))

        # SIGTERM: the public process first, then the backends, under load.
        order = ["gateway", "catalog", "timeline", "analytics"] if "gateway" in procs else ["all"]
        exits = {}
        waiters = []

        def wait_exit(role, p, sent):
            try:
                code = p.proc.wait(timeout=GRACE_S + EXIT_SLACK_S + 15)
            except Exception:  # noqa: BLE001 (subprocess.TimeoutExpired)
                p.proc.kill()
                p.proc.wait(timeout=30)
                exits[role] = (None, time.monotonic() - sent)
                return
            exits[role] = (code, time.monotonic() - sent)

        rec.sigterm_at = time.monotonic()
        for n, role in enumerate(order):
            if n == 1:
                time.sleep(0.3)  # backends while the gateway is still draining
            p = procs[role]
            signalled.add(role)
            if p.proc.poll() is not None:
                exits[role] = ("already dead", p.proc.returncode)
                continue
            sent = time.monotonic()
            p.proc.send_signal(signal.SIGTERM)
            w = threading.Thread(target=wait_exit, args=(role, p, sent), daemon=True)
            w.start()
            waiters.append(w)
        for w in waiters:
            w.join(GRACE_S + EXIT_SLACK_S + 60)
        monitor_stop.set()
        mon.join(5)

        # Everything the load started ends (each call is bounded).
        for t in workers + bursts:
            t.join(CALL_TIMEOUT_S * 2 + 30)
        stuck = sum(t.is_alive() for t in workers + bursts)
        if stuck:
            failures.append("%d client threads still running %.0f s after SIGTERM" % (
                stuck, CALL_TIMEOUT_S * 2 + 30))
            rec.stop("stuck threads")
        for w in watchers:
            w.join(10)
            if w.is_alive():
                w.cancel()
                w.join(5)
                failures.append("WatchEvents stream %s still open after its server exited" % w.label)
        for cl in burst_clients:
            cl.close()

        # Checks.
        for role, (code, completed, at) in died.items():
            failures.append("%s CRASHED before SIGTERM: %s after %d completed calls (%.1f s); log "
                            "tail:\n%s" % (role, signal_name(code), completed, at, log_tail(procs[role], 6)))
        public_open = [w for w in open_watchers if w.label.startswith("public")]
        if not died and len(public_open) < 2:
            failures.append("fewer than 2 WatchEvents streams on the public port open at SIGTERM (%d)"
                            % len(public_open))
        if not died and workers_running == 0:
            failures.append("no worker was still issuing calls at SIGTERM")
        exit_limit = GRACE_S + EXIT_SLACK_S
        for role in order:
            code, seconds = exits.get(role, (None, None))
            if code == "already dead":
                if role not in died:
                    failures.append("%s CRASHED before SIGTERM: %s; log tail:\n%s" % (
                        role, signal_name(seconds), log_tail(procs[role])))
                continue
            if code is None:
                failures.append("%s did not exit within %.1f s of SIGTERM (killed)" % (
                    role, GRACE_S + EXIT_SLACK_S + 15))
            elif code != 0:
                failures.append("%s exited with %s after SIGTERM (%.2f s); log tail:\n%s"
                                % (role, signal_name(code), seconds, log_tail(procs[role])))
            elif seconds > exit_limit:
                failures.append("%s took %.2f s to exit after SIGTERM (limit: --shutdown_grace %.1f s + "
                                "%.1f s)" % (role, seconds, GRACE_S, EXIT_SLACK_S))
        for role, p in procs.items():
            log = p.read_log()
            evidence = crash_evidence(p)
            if evidence:
                failures.append("%s: %s" % (role, evidence))
            if role in store_roles and role not in died and '"store closed"' not in log:
                failures.append("%s log lacks \"store closed\"" % role)
        for w in open_watchers:
            if w.code != "UNAVAILABLE":
                failures.append("WatchEvents stream %s open at SIGTERM ended with %s %r, not UNAVAILABLE"
                                % (w.label, w.code, w.details[:200]))
        own, consequences = rec.split_offending()
        if consequences:
            failures.append("%d calls failed (UNAVAILABLE ...) as a consequence of the crash" % len(consequences))
        if own:
            hint = ""
            if any("metadata size exceeds limit" in text for _, text in own):
                hint = ("\n      (\"metadata size exceeds limit\": a reply's metadata, usually an error message "
                        "echoing a large input, exceeded a gRPC client's 8 KB default; this test accepts 8 MB, so "
                        "the refusing client is the server's own forwarding channel (in-process in all-in-one, "
                        "gateway to backend in split), which then fails the other calls on that connection)")
            failures.append("%d calls got a status they must not get; sample:\n      %s%s" % (
                len(own), "\n      ".join("t=%.2fs %s" % (t - rec.t0, text) for t, text in own[:SAMPLE]),
                hint))
        if rec.long_count:
            failures.append("%d error messages longer than %d bytes; one per method:\n      %s" % (
                rec.long_count, MAX_ERROR_MESSAGE, "\n      ".join(rec.long_messages)))
        for reason in rec.abort_reasons:
            if "died before SIGTERM" not in reason:
                failures.append("load stopped early: " + reason)

        # Restart on the same stores: every acknowledged write is there.
        for p in procs.values():
            if KEEP:
                os.rename(p.log_path, p.log_path + ".first-run")
                print("  kept log of the loaded run %s.first-run" % p.log_path)
            p.stop_quietly()
        self.servers = [s for s in self.servers if s not in procs.values()]
        durability = self.verify_durability(label, restart, ledger, failures)

        # Summary.
        lat = sorted(rec.latencies)

        def pct(q):
            return "%.1f" % (1000 * lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else "-"
        exit_text = ", ".join(
            "%s %s in %.2f s" % (r, signal_name(exits[r][0]), exits[r][1])
            if exits.get(r) and exits[r][0] != "already dead" and exits[r][1] is not None
            else "%s %s" % (r, "crashed before SIGTERM" if r in died else "?")
            for r in order)
        print("[%s] SUMMARY" % label)
        print("  calls: %d (%d before SIGTERM in %.1f s, %d after); planned %d" % (
            rec.completed, calls_at_sigterm, load_seconds, rec.after_sigterm, planned))
        print("  status counts: " + ", ".join("%s=%d" % kv for kv in rec.codes.most_common()))
        print("  RESOURCE_EXHAUSTED: %d load shedding, %d \"metadata size exceeds limit\" (echoed inputs)" % (
            rec.shed, rec.metadata_refused))
        print("  one message per status: %s" % rec.code_samples)
        print("  OK latency ms: p50 %s, p95 %s, p99 %s, max %s" % (
            pct(0.5), pct(0.95), pct(0.99), "%.1f" % (1000 * lat[-1]) if lat else "-"))
        print("  exit after SIGTERM (grace %.1f s, limit %.1f s): %s" % (GRACE_S, exit_limit, exit_text))
        print("  workers still calling at SIGTERM: %d; WatchEvents open at SIGTERM: %d" % (
            workers_running, len(open_watchers)))
        for w in watchers:
            print("  WatchEvents %s: %d messages, ended %s %r" % (
                w.label, w.messages, w.code, (w.details or "")[:120]))
        print("  writes: %s; %s" % (ledger.counts(), durability))
        if rec.notes:
            print("  notes: %s %s" % (dict(rec.notes), dict(rec.note_samples)))
        print("  per method (top 25 by calls):")
        for op, counter in sorted(rec.by_op.items(), key=lambda kv: -sum(kv[1].values()))[:25]:
            print("    %-42s %s" % (op, dict(counter.most_common())))
        print("  elapsed %.1f s" % (time.monotonic() - t_start), flush=True)
        if failures:
            self.fail("[%s] %d problem(s):\n  - %s" % (label, len(failures), "\n  - ".join(failures)))

    def verify_durability(self, label, restart, ledger, failures):
        with ledger.lock:
            sources = dict(ledger.sources)
            events = dict(ledger.events)
            history = dict(ledger.history)
        try:
            procs = restart()
        except AssertionError as e:
            failures.append("restart on the same stores failed: %s" % e)
            return "durability NOT checked (restart failed)"
        address = procs.get("gateway", procs.get("all")).address
        try:
            wait_serving(address, [""] + SERVICES, START_TIMEOUT_S)
        except AssertionError as e:
            failures.append("after restart: %s" % e)
        client = Client(address)
        checks = []
        for sid, v in sources.items():
            if v["state"] in ("live", "deleted"):
                checks.append(("source", sid, v))
        for eid, v in events.items():
            if v["state"] in ("live", "deleted"):
                checks.append(("event", eid, v))
        lost, resurrected, wrong, errors = [], [], [], []
        for i in range(0, len(checks), 64):
            futures = []
            for kind, rid, v in checks[i:i + 64]:
                if kind == "source":
                    f = client.unary(CAT + "GetSource").future(
                        M.cat.GetSourceRequest(name="sources/" + rid), timeout=30)
                else:
                    f = client.unary(TL + "GetEvent").future(
                        M.tl.GetEventRequest(name="events/" + rid), timeout=30)
                futures.append((kind, rid, v, f))
            for kind, rid, v, f in futures:
                want_live = v["state"] == "live"
                what = "%s %s [%s]" % (kind, rid, ", ".join(history.get(rid, [])))
                try:
                    reply = f.result(timeout=40)
                    if not want_live:
                        resurrected.append(what)
                    elif kind == "source" and v["title"] is not None and reply.title != v["title"]:
                        wrong.append("%s: title %r, acknowledged %r" % (
                            what, reply.title[:40], v["title"][:40]))
                except grpc.RpcError as e:
                    if e.code() == grpc.StatusCode.NOT_FOUND:
                        if want_live:
                            lost.append(what)
                    else:
                        errors.append("%s %s: %s %s" % (kind, rid, e.code().name, (e.details() or "")[:100]))
                except grpc.FutureTimeoutError:
                    errors.append("%s %s: no answer" % (kind, rid))
        client.close()
        for what, items in (("acknowledged writes LOST", lost),
                            ("acknowledged deletions undone", resurrected),
                            ("acknowledged updates lost (stale title)", wrong),
                            ("verification calls failed", errors)):
            if items:
                failures.append("after restart, %d %s: %s" % (len(items), what, items[:SAMPLE]))
        for role, p in procs.items():
            # A second, unloaded shutdown; only reported when it goes wrong.
            try:
                code = p.terminate(timeout=GRACE_S + EXIT_SLACK_S + 15) if p.proc.poll() is None \
                    else p.proc.returncode
            except Exception:  # noqa: BLE001
                code = None
            if code != 0:
                failures.append("restarted %s: %s on SIGTERM without load" % (role, signal_name(code)))
        return "after restart: %d records checked, %d lost, %d deletions undone, %d stale" % (
            len(checks), len(lost), len(resurrected), len(wrong))

    def test_1_all_in_one_under_load(self):
        keys = write_role_keys(self.tmp, service=False)
        procs, address, store_roles, restart = self.all_in_one(keys)
        self.run_topology("all-in-one", procs, address, store_roles, restart)

    def test_2_split_under_load(self):
        keys = write_role_keys(self.tmp)
        procs, address, store_roles, restart = self.split(keys)
        self.run_topology("split", procs, address, store_roles, restart)

    def test_4_repeated_sigterm_under_load(self):
        """SHUTDOWN_CYCLES restarts of the all-in-one server on one store,
        each stopped by SIGTERM in the middle of a short mixed load with two
        WatchEvents streams open: every exit is clean and in time."""
        keys = write_role_keys(self.tmp, service=False)
        args = ["--role=all", "--dataset=" + DATASET, "--auth_keys=" + keys,
                "--shutdown_grace=%gs" % GRACE_S]
        problems, exits, totals = [], [], collections.Counter()
        limit = GRACE_S + EXIT_SLACK_S
        for cycle in range(SHUTDOWN_CYCLES):
            server = self.start("cycles", args, "all-in-one server (cycle %d)" % cycle)
            wait_serving(server.address, [""] + SERVICES, START_TIMEOUT_S)
            rec = Recorder("cycle %d" % cycle)
            ledger = Ledger(rec.t0)
            watchers = [Watcher(server.address, "cycle %d #%d" % (cycle, i),
                                M.tl.WatchEventsRequest(include_policies=i == 0)) for i in range(2)]
            for w in watchers:
                w.start()
            workers = [threading.Thread(target=worker, args=(
                WorkerCtx(rec, ledger, server.address, "c%d" % cycle, i, seed=1000 * cycle + i),
                CYCLE_CALLS), daemon=True) for i in range(CYCLE_WORKERS)]
            for t in workers:
                t.start()
            deadline = time.monotonic() + LOAD_BUDGET_S
            while rec.completed < CYCLE_WORKERS * CYCLE_CALLS // 2 and not rec.abort.is_set() \
                    and server.proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            open_watchers = [w for w in watchers if w.open()]
            rec.sigterm_at = time.monotonic()
            if server.proc.poll() is not None:
                code, took = server.proc.returncode, None
                problems.append("cycle %d: server died before SIGTERM (%s) after %d calls; log tail:\n%s"
                                % (cycle, signal_name(code), rec.completed, log_tail(server)))
            else:
                server.proc.send_signal(signal.SIGTERM)
                try:
                    code = server.proc.wait(timeout=limit + 15)
                except Exception:  # noqa: BLE001 (subprocess.TimeoutExpired)
                    server.proc.kill()
                    server.proc.wait(timeout=30)
                    code = None
                took = time.monotonic() - rec.sigterm_at
                exits.append("%s/%.2fs" % ("0" if code == 0 else signal_name(code), took))
                if code != 0:
                    problems.append("cycle %d: %s after SIGTERM (%.2f s); log tail:\n%s" % (
                        cycle, signal_name(code), took, log_tail(server)))
                elif took > limit:
                    problems.append("cycle %d: exit took %.2f s (limit %.1f s)" % (cycle, took, limit))
            for t in workers:
                t.join(CALL_TIMEOUT_S * 2 + 30)
            for w in watchers:
                w.join(10)
                if w.is_alive():
                    w.cancel()
                    problems.append("cycle %d: WatchEvents stream still open after exit" % cycle)
            for w in open_watchers:
                if w.code != "UNAVAILABLE":
                    problems.append("cycle %d: WatchEvents stream open at SIGTERM ended %s %r" % (
                        cycle, w.code, w.details[:160]))
            if len(open_watchers) < 2 and took is not None:
                problems.append("cycle %d: %d WatchEvents streams open at SIGTERM, not 2" % (
                    cycle, len(open_watchers)))
            log = server.read_log()
            evidence = crash_evidence(server)
            if evidence:
                problems.append("cycle %d: %s" % (cycle, evidence))
            if code == 0 and '"store closed"' not in log:
                problems.append("cycle %d: log lacks \"store closed\"" % cycle)
            own, _ = rec.split_offending()
            if own:
                problems.append("cycle %d: %d calls got a status they must not get; sample:\n      %s" % (
                    cycle, len(own), "\n      ".join("t=%.2fs %s" % (t - rec.t0, text)
                                                      for t, text in own[:6])))
            totals.update(rec.codes)
            server.stop_quietly()
            self.servers.remove(server)
        print("\n[sigterm cycles] %d cycles of %d workers x %d calls, SIGTERM after %d: exits %s" % (
            SHUTDOWN_CYCLES, CYCLE_WORKERS, CYCLE_CALLS, CYCLE_WORKERS * CYCLE_CALLS // 2, " ".join(exits)))
        print("  status counts: " + ", ".join("%s=%d" % kv for kv in totals.most_common()), flush=True)
        if problems:
            self.fail("[sigterm cycles] %d problem(s):\n  - %s" % (len(problems), "\n  - ".join(problems)))

    def test_3_memory_with_many_concurrent_calls(self):
        """CONCURRENT ListProducts calls in flight at once against the
        all-in-one server; RSS stays bounded and the server answers after."""
        keys = write_role_keys(self.tmp, service=False)
        server = self.start("mem", ["--role=all", "--dataset=" + DATASET, "--auth_keys=" + keys,
                                    "--shutdown_grace=%gs" % GRACE_S], "all-in-one server")
        wait_serving(server.address, [""] + SERVICES, START_TIMEOUT_S)
        pid = server.proc.pid
        baseline = vm_status(pid, "VmRSS")
        samples = []
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                v = vm_status(pid, "VmRSS")
                if v is not None:
                    samples.append(v)
                sampling.wait(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        channels = [Client(server.address) for _ in range(8)]
        rng = random.Random(7)
        started = time.monotonic()
        futures = []
        for i in range(CONCURRENT):
            cl = channels[i % len(channels)]
            req = M.cat.ListProductsRequest(page_size=1000, filter=rng.choice(VALID_PRODUCT_FILTERS),
                                            show_total_size=True)
            futures.append(cl.unary(CAT + "ListProducts", raw_response=True).future(req, timeout=120))
        issued = time.monotonic() - started
        in_flight_rss = vm_status(pid, "VmRSS")
        codes = collections.Counter()
        details = {}
        total_bytes = 0
        overall = time.monotonic() + 180
        for f in futures:
            try:
                total_bytes += f.result(timeout=max(1, overall - time.monotonic()))
                codes["OK"] += 1
            except grpc.RpcError as e:
                codes[e.code().name] += 1
                details.setdefault(e.code().name, (e.details() or "")[:200])
            except grpc.FutureTimeoutError:
                codes["NO_ANSWER"] += 1
                f.cancel()
        seconds = time.monotonic() - started
        time.sleep(0.5)
        sampling.set()
        sampler.join(5)
        after_rss = vm_status(pid, "VmRSS")
        hwm = vm_status(pid, "VmHWM")
        peak = max(samples) if samples else None
        alive = server.proc.poll() is None
        problems = []
        # Responsive afterwards.
        if alive:
            if health_check(server.address, "", timeout=10) != 1:
                problems.append("Health/Check does not answer SERVING after the burst")
            try:
                channels[0].unary(CAT + "GetSource")(M.cat.GetSourceRequest(name=KNOWN_SOURCE), timeout=10)
            except grpc.RpcError as e:
                problems.append("GetSource after the burst: %s %s" % (e.code().name, e.details()))
        for cl in channels:
            cl.close()

        def mb(v):
            return "%.0f MB" % v if v is not None else "?"
        print("\n[memory] %d concurrent ListProducts(page_size=1000) on 8 channels: issued in %.2f s, "
              "all answered in %.1f s, %.1f MB of replies" % (CONCURRENT, issued, seconds, total_bytes / 1e6))
        print("  statuses: %s %s" % (dict(codes), details))
        print("  server VmRSS: before %s, with calls in flight %s, peak sampled %s, after %s; VmHWM %s "
              "(bound %.0f MB)" % (mb(baseline), mb(in_flight_rss), mb(peak), mb(after_rss), mb(hwm), MAX_RSS_MB),
              flush=True)
        if not alive:
            problems.append("server died: %s; log tail:\n%s" % (signal_name(server.proc.returncode),
                                                                 log_tail(server)))
        bad = {c: n for c, n in codes.items() if c not in ("OK", "RESOURCE_EXHAUSTED")}
        if bad:
            problems.append("statuses other than OK/RESOURCE_EXHAUSTED: %s %s" % (bad, details))
        if peak is not None and peak > MAX_RSS_MB:
            problems.append("peak RSS %.0f MB above the %.0f MB bound (REGENATLAS_STRESS_MAX_RSS_MB)"
                            % (peak, MAX_RSS_MB))
        if alive:
            sent = time.monotonic()
            try:
                server.proc.send_signal(signal.SIGTERM)
                code = server.proc.wait(timeout=GRACE_S + EXIT_SLACK_S + 15)
            except Exception:  # noqa: BLE001
                code = None
            took = time.monotonic() - sent
            print("  exit after SIGTERM: %s in %.2f s" % (signal_name(code), took), flush=True)
            if code != 0:
                problems.append("SIGTERM after the burst: %s" % signal_name(code))
        evidence = crash_evidence(server)
        if evidence:
            problems.append(evidence)
        if problems:
            self.fail("[memory] %d problem(s):\n  - %s" % (len(problems), "\n  - ".join(problems)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
