"""Generates the Python stubs of hpl.proto and health.proto: run by setup.py at build time, and by
hpl_client._stubs in a repository checkout that was never built.

Kept free of hpl_client imports so setup.py can load it from the source tree before anything is installed.
The stubs land in <out_root>/hpl_client/_generated/..., and the .proto files are compiled under that same
path (-I<scratch> with the copies at <scratch>/hpl_client/_generated/...), so the generated modules import
each other as hpl_client._generated.hpl.v1.hpl_pb2: no top-level `hpl` package, no sys.path changes.
"""
import os
import re
import shutil
import tempfile

PACKAGE = "hpl_client"
GENERATED = "_generated"
# (relative name, where it lives in the repository relative to clients/python)
PROTOS = [("hpl/v1/hpl.proto", os.path.join("..", "..", "proto")), ("health.proto", os.path.join("..", "proto"))]


def proto_sources(client_dir):
    """{name: path} of each .proto: a `proto/` folder next to setup.py (an sdist carries one), else the repository's."""
    sources = {}
    for name, repo_dir in PROTOS:
        for root in (os.path.join(client_dir, "proto"), os.path.join(client_dir, repo_dir)):
            path = os.path.join(root, name)
            if os.path.isfile(path):
                sources[name] = path
                break
        else:
            raise FileNotFoundError("%s: not in %s/proto nor in the repository (%s); build from a checkout of "
                                    "hpl-server or from its sdist" % (name, client_dir, repo_dir))
    return sources


def _without_optional(text):
    """The proto without proto3 "optional" labels, which Debian's protoc (3.5) predates.

    The wire format is the same; only presence tracking is lost (TrainRequest.seed: unset and 0 both
    mean seed 0 on the server; PredictRequest.interval_level: 0 is refused as out of (0, 1) anyway).
    """
    return re.sub(r"(?m)^(\s*)optional\s+", r"\1", text)


def generate(sources, out_root):
    """Compiles every .proto into out_root/hpl_client/_generated (replaced whole); raises on a protoc error."""
    from grpc_tools import protoc
    import grpc_tools

    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    target = os.path.join(out_root, PACKAGE, GENERATED)
    shutil.rmtree(target, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        copies = []
        for name, path in sources.items():
            copy = os.path.join(scratch, PACKAGE, GENERATED, name)
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            with open(path) as f, open(copy, "w") as out:
                out.write(_without_optional(f.read()))
            copies.append(copy)
        os.makedirs(out_root, exist_ok=True)
        for copy in copies:
            code = protoc.main(["protoc", "-I" + scratch, "-I" + well_known, "--python_out=" + out_root,
                                "--grpc_python_out=" + out_root, copy])
            if code != 0:
                raise RuntimeError("protoc failed on %s (exit %d)" % (copy, code))
    # Regular packages (not namespace ones), so wheels and importers treat them like the rest of hpl_client.
    for folder, _, _ in os.walk(target):
        open(os.path.join(folder, "__init__.py"), "a").close()
    return target
