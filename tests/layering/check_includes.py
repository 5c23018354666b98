#!/usr/bin/env python3
"""Fails when a domain source reaches gRPC through its includes.

Usage: check_includes.py SOURCE_ROOT FILE...  (the domain libraries' sources,
given by CMake). Follows the project's own includes transitively; a domain
file may include protobuf messages (*.pb.h) but not gRPC (grpcpp/, grpc/,
*.grpc.pb.h) nor the RPC layer of common/ (rpc.h, grpc_status.h,
server_runner.h, health.h). Prints each violation with its include chain.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
FORBIDDEN = re.compile(r'^(grpcpp/|grpc/|.*\.grpc\.pb\.h$|common/(rpc|grpc_status|server_runner|health|client_call|standard_methods)\.h$)')


def main():
    root = sys.argv[1]
    sources = sys.argv[2:]
    violations = []
    for source in sources:
        seen = set()
        stack = [(os.path.relpath(source, root), [])]
        while stack:
            path, chain = stack.pop()
            if path in seen:
                continue
            seen.add(path)
            full = os.path.join(root, path)
            if not os.path.exists(full):
                continue  # generated or system header
            with open(full, encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                if FORBIDDEN.match(inc):
                    violations.append(" -> ".join(chain + [path, inc]))
                elif os.path.exists(os.path.join(root, inc)):
                    stack.append((inc, chain + [path]))
    for v in sorted(set(violations)):
        print("layering: domain code reaches gRPC: " + v)
    print("layering: %d domain sources checked, %d violations" % (len(sources), len(set(violations))))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
