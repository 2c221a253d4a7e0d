# Copyright spack-peso developers. See LICENSE file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.bundle import BundlePackage

from spack.package import *


class PesoDemoDocs(BundlePackage):
    """Demo bundle grouping the demo library's documentation set (spack-peso demo stack)."""

    homepage = "https://example.org/peso-demo"

    maintainers("peso-docs-maintainer")

    license("MIT", checked_by="peso-docs-maintainer")

    version("1.0")

    depends_on("peso-demo-data@1.0:")
