# Copyright spack-peso developers. See LICENSE file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
import os
import pathlib

from spack_repo.builtin.build_systems.makefile import MakefilePackage

from spack.package import *

#: Demo tarballs are built from ``demo/sources`` by ``demo/make_tarballs.py`` into
#: ``<checkout>/demo/tarballs``; this file sits at ``<checkout>/repo/spack_repo/peso/
#: packages/<pkg>/package.py``, so the folder is found relative to it.
_TARBALLS = os.environ.get("PESO_DEMO_TARBALLS") or str(
    pathlib.Path(__file__).resolve().parents[5] / "demo" / "tarballs"
)


class PesoDemoLib(MakefilePackage):
    """Demo C library built with a plain Makefile (spack-peso demo stack)."""

    homepage = "https://example.org/peso-demo"
    url = f"file://{_TARBALLS}/peso-demo-lib-1.0.tar.gz"

    maintainers("peso-lib-maintainer")

    license("MIT", checked_by="peso-lib-maintainer")

    version("1.0", sha256="b7311475428aa117d9bdc1a30569d9a043faef52301bc331b8b2a4b11c17a4a4")

    depends_on("c", type="build")

    def edit(self, spec, prefix):
        pass

    @property
    def build_targets(self):
        return [f"CC={spack_cc}", f"PREFIX={self.prefix}"]

    @property
    def install_targets(self):
        return [f"PREFIX={self.prefix}", "install"]

    @run_after("install")
    def cache_test_sources(self):
        cache_extra_test_sources(self, ["examples", "pesodemo.h"])

    def test_pesocalc(self):
        """pesocalc adds two numbers"""
        pesocalc = which(self.prefix.bin.pesocalc)
        out = pesocalc("2", "3", output=str.split, error=str.split)
        assert "5" in out

    def test_example(self):
        """compile and run the cached example against the installed library"""
        cc = which(self.spec["c"].package.cc)
        src = join_path(install_test_root(self), "examples", "example.c")
        with test_part(self, "test_example_build", purpose="compile examples/example.c"):
            cc(
                "-o",
                "example",
                src,
                f"-I{self.prefix.include}",
                f"-L{self.prefix.lib}",
                f"-Wl,-rpath,{self.prefix.lib}",
                "-lpesodemo",
            )
        with test_part(self, "test_example_run", purpose="run the example"):
            out = which("./example")(output=str.split, error=str.split)
            assert "example: 5" in out

    def test_gpu(self):
        """GPU checks (skipped: the demo library has no GPU code)"""
        raise SkipTest("no GPU support in this build")
