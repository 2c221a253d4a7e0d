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


class PesoDemoFail(Package):
    """Demo tool whose stand-alone test fails on purpose (spack-peso demo stack)."""

    homepage = "https://example.org/peso-demo"
    url = f"file://{_TARBALLS}/peso-demo-fail-1.0.tar.gz"

    maintainers("peso-fail-maintainer")

    license("MIT", checked_by="peso-fail-maintainer")

    version("1.0", sha256="1127d72958029c3b99960e671a64f463a30a553d75a4090e1149df4616172093")

    def install(self, spec, prefix):
        mkdirp(prefix.bin)
        install("pesofail", prefix.bin)

    def test_answer(self):
        """pesofail prints the answer from test/expected.txt (it does not)"""
        expected = get_escaped_text_output(join_path(self.test_suite.current_test_data_dir, "expected.txt"))
        out = which(self.prefix.bin.pesofail)(output=str.split, error=str.split)
        check_outputs(expected, out)

    def test_runs(self):
        """pesofail runs at all"""
        which(self.prefix.bin.pesofail)()
