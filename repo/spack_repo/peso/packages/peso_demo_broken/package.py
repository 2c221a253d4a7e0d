# Copyright spack-peso developers. See LICENSE file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
import os
import pathlib

from spack_repo.builtin.build_systems.makefile import MakefilePackage

from spack.package import *

#: See peso-demo-lib: tarballs live in ``<checkout>/demo/tarballs``.
_TARBALLS = os.environ.get("PESO_DEMO_TARBALLS") or str(
    pathlib.Path(__file__).resolve().parents[5] / "demo" / "tarballs"
)


class PesoDemoBroken(MakefilePackage):
    """Demo library whose build fails on purpose (spack-peso demo stack)."""

    homepage = "https://example.org/peso-demo"
    url = f"file://{_TARBALLS}/peso-demo-broken-1.0.tar.gz"

    maintainers("peso-broken-maintainer")

    license("MIT", checked_by="peso-broken-maintainer")

    version("1.0", sha256="f2ababeed4e0996ef34d2e9d68b0d4d4f6d78b7253e02b8eb6aa9bf15f4a95b0")

    depends_on("c", type="build")

    def edit(self, spec, prefix):
        pass

    @property
    def build_targets(self):
        return [f"CC={spack_cc}"]

    @property
    def install_targets(self):
        return [f"PREFIX={self.prefix}", "install"]

    def test_compiles(self):
        """never reached: the build fails"""
        assert os.path.exists(self.prefix.lib)
