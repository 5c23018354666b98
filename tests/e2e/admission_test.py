"""End-to-end: the public port's admission covers every method of every
service it serves in process (front.h Route::local, common/call_gate.h).
The services are registered on the public server itself, so each handler
must finish a call the front's interceptor refused before doing any work; a
handler that forgot would serve an unauthenticated caller. Every method is
called with an empty request through grpcio, without a key, with a reader
key and with the right key, on the all-in-one server and on the catalog
role's port."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import grpc  # noqa: E402
from regenatlas_e2e import (ADMIN_KEY, CURATOR_KEY, READER_KEY, SERVICE_KEY, Server,  # noqa: E402
                            python_stubs, scaled, write_role_keys)

PUBLIC = [
    "regenatlas.catalog.v1.CatalogService",
    "regenatlas.timeline.v1.RegulatoryTimelineService",
    "regenatlas.analytics.v1.MarketAnalyticsService",
    "regenatlas.gateway.v1.GatewayService",
]
INTERNAL = "regenatlas.catalog.v1.CatalogInternalService"
# Methods a reader may not call (services/gateway/access.cc RequiredRole).
WRITES = ("Create", "Update", "Delete", "Import", "Set")


def methods(service):
    """(path, server_streaming) of every method of `service`."""
    from google.protobuf import descriptor_pb2, descriptor_pool
    proto = descriptor_pb2.ServiceDescriptorProto()
    descriptor_pool.Default().FindServiceByName(service).CopyToProto(proto)
    return [("/%s/%s" % (service, m.name), m.server_streaming) for m in proto.method]


def call(address, path, streaming, key=None, request_id=None):
    """Calls `path` with an empty request; returns (code, initial metadata)."""
    metadata = []
    if key:
        metadata.append(("authorization", "Bearer " + key))
    if request_id:
        metadata.append(("x-request-id", request_id))
    with grpc.insecure_channel(address) as channel:
        try:
            if streaming:
                stream = channel.unary_stream(path)(b"", metadata=metadata, timeout=scaled(10))
                for _ in stream:
                    break
                stream.cancel()
                return grpc.StatusCode.OK, dict(stream.initial_metadata())
            _, c = channel.unary_unary(path).with_call(b"", metadata=metadata,
                                                       timeout=scaled(30))
            return grpc.StatusCode.OK, dict(c.initial_metadata())
        except grpc.RpcError as e:
            return e.code(), dict(e.initial_metadata() or ())


class AdmissionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-admission-")
        os.makedirs(os.path.join(cls.tmp, "py"))
        python_stubs(os.path.join(cls.tmp, "py"))
        # Loads the descriptors of every service into the default pool.
        from regenatlas.analytics.v1 import analytics_service_pb2  # noqa: F401
        from regenatlas.catalog.v1 import catalog_internal_service_pb2  # noqa: F401
        from regenatlas.catalog.v1 import catalog_service_pb2  # noqa: F401
        from regenatlas.gateway.v1 import gateway_service_pb2  # noqa: F401
        from regenatlas.timeline.v1 import timeline_service_pb2  # noqa: F401
        cls.keys = write_role_keys(cls.tmp)
        cls.servers = []

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.stop_quietly()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self, name, args):
        server = Server(os.path.join(self.tmp, name),
                        ["--dataset=none", "--auth_keys=" + self.keys] + args).start()
        self.servers.append(server)
        return server

    def assert_every_method(self, address, services, key, expect):
        """Calls every method of `services` with `key`; `expect(method name)`
        gives the code wanted, or None for "not refused by admission"."""
        checked = 0
        for service in services:
            for path, streaming in methods(service):
                code, _ = call(address, path, streaming, key=key)
                want = expect(path.rsplit("/", 1)[1])
                if want is None:
                    self.assertNotIn(code, (grpc.StatusCode.UNAUTHENTICATED,
                                            grpc.StatusCode.PERMISSION_DENIED,
                                            grpc.StatusCode.UNIMPLEMENTED), path)
                else:
                    self.assertEqual(code, want, path)
                checked += 1
        return checked

    def test_all_in_one_refuses_every_method_before_its_handler_works(self):
        server = self.start("all", ["--allow_anonymous_reads=false"])
        addr = server.address
        n = self.assert_every_method(addr, PUBLIC, None,
                                     lambda m: grpc.StatusCode.UNAUTHENTICATED)
        self.assertGreater(n, 60)
        self.assert_every_method(addr, PUBLIC, "not-a-key",
                                 lambda m: grpc.StatusCode.UNAUTHENTICATED)
        self.assert_every_method(
            addr, PUBLIC, READER_KEY,
            lambda m: grpc.StatusCode.PERMISSION_DENIED if m.startswith(WRITES) else None)
        # Everything is admitted with the curator key (an empty request is
        # then invalid or not found, never refused).
        self.assert_every_method(addr, PUBLIC, CURATOR_KEY, lambda m: None)
        # The internal service is not served on the all-in-one public port.
        for path, streaming in methods(INTERNAL):
            self.assertEqual(call(addr, path, streaming, key=ADMIN_KEY)[0],
                             grpc.StatusCode.UNIMPLEMENTED, path)
        # Nothing a refused call sent was written.
        code, _ = call(addr, "/regenatlas.catalog.v1.CatalogService/ListSources", False,
                       key=READER_KEY)
        self.assertEqual(code, grpc.StatusCode.OK)

    def test_request_id_of_a_local_call(self):
        server = self.start("rid", [])
        addr = server.address
        path = "/regenatlas.catalog.v1.CatalogService/ListSources"
        code, md = call(addr, path, False, request_id="e2e-admission-7")
        self.assertEqual((code, md.get("x-request-id")), (grpc.StatusCode.OK, "e2e-admission-7"))
        code, md = call(addr, path, False)
        self.assertEqual(code, grpc.StatusCode.OK)
        self.assertRegex(md.get("x-request-id", ""), r"^[0-9a-f]{8}-\d+$")
        # Refused calls get one too (to quote in a support request).
        code, md = call(addr, "/regenatlas.catalog.v1.CatalogService/CreateSource", False)
        self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED)
        self.assertRegex(md.get("x-request-id", ""), r"^[0-9a-f]{8}-\d+$")

    def test_catalog_role_admits_only_keys_and_the_internal_service_only_for_peers(self):
        server = self.start("catalog", ["--role=catalog"])
        addr = server.address
        self.assert_every_method(addr, [PUBLIC[0], INTERNAL], None,
                                 lambda m: grpc.StatusCode.UNAUTHENTICATED)
        self.assert_every_method(
            addr, [PUBLIC[0]], READER_KEY,
            lambda m: grpc.StatusCode.PERMISSION_DENIED if m.startswith(WRITES) else None)
        self.assert_every_method(addr, [INTERNAL], CURATOR_KEY,
                                 lambda m: grpc.StatusCode.PERMISSION_DENIED)
        self.assert_every_method(addr, [INTERNAL], SERVICE_KEY, lambda m: None)
        # The services of other roles are not served here.
        for path, streaming in methods(PUBLIC[1]):
            self.assertEqual(call(addr, path, streaming, key=SERVICE_KEY)[0],
                             grpc.StatusCode.UNIMPLEMENTED, path)


if __name__ == "__main__":
    unittest.main()
