"""The generated gRPC stubs: built into the package by setup.py (see _protogen.py).

In a repository checkout that was never built (the tests run from clients/python), they are generated
on first import into hpl_client/_generated (gitignored) from the repository's proto/, and again whenever
a .proto is newer. An installed package never generates: it carries its stubs and needs no proto/.
"""
import os

from hpl_client import _protogen

_CLIENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _regenerate_in_checkout():
    try:
        sources = _protogen.proto_sources(_CLIENT_DIR)
    except FileNotFoundError:
        return  # installed: the stubs came with the package
    marker = os.path.join(_CLIENT_DIR, _protogen.PACKAGE, _protogen.GENERATED, "hpl", "v1", "hpl_pb2_grpc.py")
    newest = max(os.path.getmtime(p) for p in sources.values())
    if not os.path.exists(marker) or os.path.getmtime(marker) < newest:
        _protogen.generate(sources, _CLIENT_DIR)


_regenerate_in_checkout()

from hpl_client._generated.hpl.v1 import hpl_pb2 as pb  # noqa: E402
from hpl_client._generated.hpl.v1 import hpl_pb2_grpc as pb_grpc  # noqa: E402
from hpl_client._generated import health_pb2 as health_pb  # noqa: E402
from hpl_client._generated import health_pb2_grpc as health_grpc  # noqa: E402

__all__ = ["pb", "pb_grpc", "health_pb", "health_grpc"]
