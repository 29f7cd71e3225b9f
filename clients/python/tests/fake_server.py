"""An in-process gRPC server for client tests that need no hpl-server: start(servicer) -> (server, port)."""
import os
import subprocess
import sys
import tempfile
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from hpl_client._stubs import pb, pb_grpc  # noqa: E402


def start(servicer, credentials=None):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb_grpc.add_RegressionServiceServicer_to_server(servicer, server)
    if credentials is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    return server, port


def self_signed(name="localhost"):
    """(key PEM, certificate PEM) of a fresh self-signed certificate for `name`, made by the openssl CLI."""
    with tempfile.TemporaryDirectory() as scratch:
        key, cert = os.path.join(scratch, "key.pem"), os.path.join(scratch, "cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=" + name, "-addext", "subjectAltName=DNS:" + name, "-keyout", key, "-out", cert],
                       check=True, capture_output=True, timeout=60)
        with open(key, "rb") as k, open(cert, "rb") as c:
            return k.read(), c.read()


def house_schema():
    """A model schema with a numeric, a categorical and a numeric-with-missing column; target y."""
    return pb.Schema(target_column="y", ignored_columns=["note"], features=[
        pb.Column(name="area", kind=pb.COLUMN_KIND_NUMERIC),
        pb.Column(name="zone", kind=pb.COLUMN_KIND_CATEGORICAL, categories=["3", "north"]),
        pb.Column(name="age", kind=pb.COLUMN_KIND_NUMERIC, has_missing=True)])
