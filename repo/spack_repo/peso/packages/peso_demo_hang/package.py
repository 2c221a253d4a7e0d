# Copyright spack-peso developers. See LICENSE file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
import os
import pathlib

from spack_repo.builtin.build_systems.generic import Package

from spack.package import *

#: See peso-demo-lib: tarballs live in ``<checkout>/demo/tarballs``.
_TARBALLS = os.environ.get("PESO_DEMO_TARBALLS") or str(
    pathlib.Path(__file__).resolve().parents[5] / "demo" / "tarballs"
)


class PesoDemoHang(Package):
    """Demo tool whose stand-alone test can hang (spack-peso demo stack).

    ``test_seconds`` sets how long ``test_wait`` sleeps: the demo stack keeps the default
    (one hour, i.e. hung: the stack test runner must stop it), the benchmark uses short
    values to model slow tests.
    """

    homepage = "https://example.org/peso-demo"
    url = f"file://{_TARBALLS}/peso-demo-hang-1.0.tar.gz"

    maintainers("peso-hang-maintainer")

    license("MIT", checked_by="peso-hang-maintainer")

    version("1.0", sha256="ae843ab38e5e2792902036adeaf659fe8bf1e84f20bd6105342d0cb6027f1b46")

    variant("test_seconds", default="3600", values=lambda v: v.isdigit(), description="test_wait sleep time")

    def install(self, spec, prefix):
        mkdirp(prefix.bin)
        install("pesohang", prefix.bin)

    def test_hello(self):
        """pesohang greets"""
        out = which(self.prefix.bin.pesohang)(output=str.split, error=str.split)
        assert "hello from pesohang" in out

    def test_wait(self):
        """pesohang waits test_seconds seconds"""
        which(self.prefix.bin.pesohang)(self.spec.variants["test_seconds"].value)
