"""Generates the gRPC stubs from the repository's proto/ (and clients/proto/health.proto) on first import, into a gitignored folder.

Generated code is never committed, so it cannot drift from proto/. Needs grpcio-tools
(Debian: python3-grpc-tools); regeneration happens whenever a .proto is newer than its stubs.
"""
import os
import re
import sys
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
_CLIENT_DIR = os.path.dirname(_HERE)
PROTO_DIR = os.environ.get("HPL_PROTO_DIR", os.path.join(_CLIENT_DIR, "..", "..", "proto"))
OUT_DIR = os.path.join(_HERE, "_generated")
_SOURCES = [(PROTO_DIR, "hpl/v1/hpl.proto"), (os.path.join(_CLIENT_DIR, "..", "proto"), "health.proto")]


def _stale():
    for root, name in _SOURCES:
        stub = os.path.join(OUT_DIR, name.replace(".proto", "_pb2_grpc.py"))
        if not os.path.exists(stub) or os.path.getmtime(stub) < os.path.getmtime(os.path.join(root, name)):
            return True
    return False


def _without_optional(root, name, scratch):
    """A copy of the proto without proto3 "optional" labels, which Debian's protoc (3.5) predates.

    The wire format is the same; only presence tracking is lost (TrainRequest.seed: unset and 0 both
    mean seed 0 on the server), so the generated messages stay compatible.
    """
    with open(os.path.join(root, name)) as f:
        text = re.sub(r"(?m)^(\s*)optional\s+", r"\1", f.read())
    path = os.path.join(scratch, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def generate():
    from grpc_tools import protoc
    import grpc_tools

    os.makedirs(OUT_DIR, exist_ok=True)
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    with tempfile.TemporaryDirectory() as scratch:
        for root, name in _SOURCES:
            _without_optional(root, name, scratch)
            code = protoc.main(["protoc", "-I" + scratch, "-I" + well_known, "--python_out=" + OUT_DIR,
                                "--grpc_python_out=" + OUT_DIR, os.path.join(scratch, name)])
            if code != 0:
                raise RuntimeError("protoc failed on %s (exit %d)" % (name, code))


if _stale():
    generate()
# The generated modules import each other as top-level packages (hpl.v1.hpl_pb2).
if OUT_DIR not in sys.path:
    sys.path.insert(0, OUT_DIR)

from hpl.v1 import hpl_pb2 as pb  # noqa: E402
from hpl.v1 import hpl_pb2_grpc as pb_grpc  # noqa: E402
import health_pb2 as health_pb  # noqa: E402
import health_pb2_grpc as health_grpc  # noqa: E402

__all__ = ["pb", "pb_grpc", "health_pb", "health_grpc"]
