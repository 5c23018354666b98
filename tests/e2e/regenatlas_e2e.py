"""Helpers for end-to-end tests: run `regenatlas serve` as a process and talk
to it with clients nobody here wrote (`buf curl`, Python grpcio)."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

BIN = os.environ.get("REGENATLAS_BIN", "build/cmd/regenatlas/regenatlas")
BUF = os.environ.get("BUF", "node_modules/.bin/buf")
# Sanitizer builds (cmake/Sanitizers.cmake) set REGENATLAS_TEST_TIMEOUT_SCALE:
# an instrumented server starts, answers and stops several times slower.
TIMEOUT_SCALE = max(1.0, float(os.environ.get("REGENATLAS_TEST_TIMEOUT_SCALE") or 1))


def scaled(seconds):
    """A timeout in seconds, stretched for sanitizer builds."""
    return seconds * TIMEOUT_SCALE


# Sanitizer builds also set REGENATLAS_SANITIZER_LOG_DIR, where
# scripts/test-sanitizers.sh looks for reports: a server log holding one
# (gcc's UBSan writes to stderr whatever log_path says) is kept there.
SANITIZER_LOG_DIR = os.environ.get("REGENATLAS_SANITIZER_LOG_DIR")


def keep_sanitizer_report(log_path):
    if not SANITIZER_LOG_DIR:
        return
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if "Sanitizer" in text or "runtime error:" in text:
        os.makedirs(SANITIZER_LOG_DIR, exist_ok=True)
        shutil.copy(log_path, os.path.join(SANITIZER_LOG_DIR, "server-" + os.path.basename(log_path)))


class Server:
    """A `regenatlas serve` process on 127.0.0.1 with a free port."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.log_path = None

    def start(self, timeout=60):
        return self._start(["--listen=127.0.0.1:0"], timeout)

    def start_fixed(self, timeout=60):
        """Starts with the --listen given in extra_args (a restart on the
        port a previous run got from port 0)."""
        return self._start([], timeout)

    def _start(self, listen, timeout):
        fd, self.log_path = tempfile.mkstemp(prefix="regenatlas-e2e-", suffix=".log")
        os.close(fd)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [BIN, "serve"] + listen + ["--data_dir=" + self.data_dir] + self.extra_args,
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited early:\n" + self.read_log())
            m = re.search(r'"msg":"serving".*"port":"(\d+)"', self.read_log())
            if m:
                self.port = int(m.group(1))
                return self
            time.sleep(0.05)
        raise RuntimeError("server did not start:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=scaled(30))

    def terminate(self, timeout=60):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=scaled(timeout))

    def stop_quietly(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=scaled(30))
        if self.log_path and os.path.exists(self.log_path):
            self.log.close()
            keep_sanitizer_report(self.log_path)
            os.unlink(self.log_path)


class BufError(Exception):
    def __init__(self, code, message, raw):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.raw = raw


# A curator key for tests that write (written to a keys file by write_keys).
CURATOR_KEY = "test-curator-key-0123456789"
READER_KEY = "test-reader-key-0123456789"


def write_keys(directory):
    """Writes a keys file with one curator and one reader key; returns its path."""
    path = os.path.join(directory, "keys.txt")
    with open(path, "w") as f:
        f.write("# test keys\n%s curator\n%s reader\n" % (CURATOR_KEY, READER_KEY))
    return path


def buf_curl(address, method=None, data=None, list_services=False, list_methods=False,
             key=None, headers=(), tls_ca=None, client_cert=None):
    """Calls `buf curl` over gRPC (plaintext HTTP/2) using server reflection.
    Returns the parsed JSON reply, the list of names for list_* calls, or
    raises BufError with the gRPC code name (e.g. "not_found")."""
    url = ("https://" if tls_ca else "http://") + address
    args = [BUF, "curl", "--protocol", "grpc", "--timeout", "%ds" % scaled(30)]
    if tls_ca:
        args += ["--cacert", tls_ca]
        if client_cert:
            args += ["--cert", client_cert[0], "--key", client_cert[1]]
    else:
        args.append("--http2-prior-knowledge")
    if key:
        args += ["-H", "authorization: Bearer " + key]
    for h in headers:
        args += ["-H", h]
    if list_services:
        args.append("--list-services")
    elif list_methods:
        args.append("--list-methods")
    else:
        url += "/" + method
        # On stdin: a request (an imported file) may exceed the argument limit.
        args += ["-d", "@-"]
    stdin = None if (list_services or list_methods) else json.dumps(data if data is not None else {})
    proc = subprocess.run(args + [url], input=stdin, capture_output=True, text=True,
                          timeout=scaled(120))
    if proc.returncode != 0:
        try:
            err = json.loads(proc.stderr)
            raise BufError(err.get("code"), err.get("message", ""), proc.stderr)
        except json.JSONDecodeError:
            raise BufError("client_error", proc.stderr.strip(), proc.stderr)
    if list_services or list_methods:
        return proc.stdout.split()
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


# Keys of every role, for tests that need more than write_keys gives. The
# `service` role is for service-to-service calls in the split topology (the
# gateway and the timeline/analytics backends call the other backends with it).
ADMIN_KEY = "test-admin-key-0123456789"
SERVICE_KEY = "test-service-key-0123456789"


def write_role_keys(directory, name="role-keys.txt", service=True):
    """Writes a keys file with a curator, a reader, an admin and (unless
    service=False) a service key; the same file is given to every process of
    a split topology. Returns its path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("# test keys, every role\n%s curator\n%s reader\n%s admin\n"
                % (CURATOR_KEY, READER_KEY, ADMIN_KEY))
        if service:
            f.write("%s service\n" % SERVICE_KEY)
    return path


PROTO_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto")
# The vendored googleapis annotations the API imports (google/api/*.proto).
GOOGLEAPIS_ROOT = os.path.join(PROTO_ROOT, "third_party", "googleapis")


def python_stubs(directory):
    """Generates Python message classes (*_pb2.py) for every .proto under
    proto/regenatlas and the googleapis annotations they import with
    Debian's protoc into `directory` (no grpc_tools needed) and puts
    `directory` on sys.path, so that e.g.
    `from regenatlas.catalog.v1 import catalog_service_pb2` works. Call them
    with grpcio's generic channel.unary_unary / unary_stream. Not generated:
    grpc.health.v1 (its package would shadow grpcio's `grpc`); encode its two
    tiny messages by hand."""
    import sys
    protos = []
    for base, top in ((PROTO_ROOT, "regenatlas"), (GOOGLEAPIS_ROOT, "google")):
        for root, _, files in os.walk(os.path.join(base, top)):
            protos += [os.path.relpath(os.path.join(root, f), base)
                       for f in files if f.endswith(".proto")]
    # The googleapis root first, so that protoc names those files
    # "google/api/…" as the API imports them.
    subprocess.run(["protoc", "-I", GOOGLEAPIS_ROOT, "-I", PROTO_ROOT, "-I", "/usr/include",
                    "--python_out=" + directory] + sorted(protos),
                   check=True, capture_output=True, timeout=120)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    return directory


def decode_wire(data):
    """Decodes protobuf wire format into {field number: [values]} (varints as
    ints, length-delimited fields as bytes): enough to read google.rpc error
    details without their .proto files."""
    fields, i = {}, 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value
    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            fields.setdefault(number, []).append(varint())
        elif wire == 2:
            n = varint()
            fields.setdefault(number, []).append(data[i:i + n])
            i += n
        else:
            raise ValueError("unsupported wire type %d" % wire)
    return fields


def error_details(buf_error):
    """The google.rpc details of a failed `buf curl` call, decoded:
    {"google.rpc.BadRequest": [(field, description), ...],
     "google.rpc.ErrorInfo": {"reason": ..., "domain": ..., "metadata": {...}},
     "google.rpc.RetryInfo": seconds as float}."""
    import base64
    out = {}
    for d in json.loads(buf_error.raw).get("details", []):
        value = d.get("value", "")
        raw = base64.b64decode(value + "=" * (-len(value) % 4))
        f = decode_wire(raw)
        if d["type"] == "google.rpc.BadRequest":
            out[d["type"]] = [(decode_wire(v)[1][0].decode(), decode_wire(v).get(2, [b""])[0].decode())
                              for v in f.get(1, [])]
        elif d["type"] == "google.rpc.ErrorInfo":
            meta = {}
            for entry in f.get(3, []):
                e = decode_wire(entry)
                meta[e[1][0].decode()] = e.get(2, [b""])[0].decode()
            out[d["type"]] = {"reason": f[1][0].decode(), "domain": f[2][0].decode(), "metadata": meta}
        elif d["type"] == "google.rpc.RetryInfo":
            dur = decode_wire(f[1][0]) if 1 in f else {}
            out[d["type"]] = dur.get(1, [0])[0] + dur.get(2, [0])[0] / 1e9
    return out
