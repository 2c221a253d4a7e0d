# Copyright spack-peso developers. See LICENSE file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
import os
import pathlib

from spack_repo.builtin.build_systems.cmake import CMakePackage

from spack.package import *

#: See peso-demo-lib: tarballs live in ``<checkout>/demo/tarballs``.
_TARBALLS = os.environ.get("PESO_DEMO_TARBALLS") or str(
    pathlib.Path(__file__).resolve().parents[5] / "demo" / "tarballs"
)


class PesoDemoApp(CMakePackage):
    """Demo CMake application linking the demo library (spack-peso demo stack)."""

    homepage = "https://example.org/peso-demo"
    url = f"file://{_TARBALLS}/peso-demo-app-1.0.tar.gz"

    maintainers("peso-app-maintainer")

    license("MIT", checked_by="peso-app-maintainer")

    version("1.0", sha256="86d2791eb83ba19d19483f549917a8a650d63351f3cfd329edd9ca9190d2d8fe")

    depends_on("c", type="build")
    depends_on("cmake@3.10:", type="build")
    depends_on("peso-demo-lib@1.0:")

    def test_run(self):
        """pesoapp prints the library's answer"""
        pesoapp = which(self.prefix.bin.pesoapp)
        out = pesoapp(output=str.split, error=str.split)
        assert "pesoapp says 42" in out
