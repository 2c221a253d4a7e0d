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


class PesoDemoData(Package):
    """Demo data-only package without stand-alone tests (spack-peso demo stack)."""

    homepage = "https://example.org/peso-demo"
    url = f"file://{_TARBALLS}/peso-demo-data-1.0.tar.gz"

    maintainers("peso-data-maintainer")

    license("MIT", checked_by="peso-data-maintainer")

    version("1.0", sha256="1b308813125946bce4c0ae04032569a7e7d4c3d6ad39c63d89c5b93cd8ad6848")

    def install(self, spec, prefix):
        mkdirp(prefix.share)
        install("table.txt", prefix.share)
