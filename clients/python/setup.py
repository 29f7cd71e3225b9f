"""Build hooks (the metadata is in pyproject.toml): the stubs are compiled from the .proto files at build
time into the package, and the sdist carries the .proto files in proto/ so it builds outside the repository."""
import os
import shutil
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "hpl_client"))
import _protogen  # noqa: E402  (the generator, loaded from the tree: nothing is installed yet)


class BuildPyWithStubs(build_py):
    def run(self):
        super().run()
        if not self.dry_run:
            _protogen.generate(_protogen.proto_sources(HERE), self.build_lib)


class SdistWithProtos(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        for name, path in _protogen.proto_sources(HERE).items():
            copy = os.path.join(base_dir, "proto", name)
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(path, copy)


setup(cmdclass={"build_py": BuildPyWithStubs, "sdist": SdistWithProtos})
