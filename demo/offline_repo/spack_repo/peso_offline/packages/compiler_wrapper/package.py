# Copyright spack-peso developers. See LICENSE file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
"""Offline overlay of builtin ``compiler-wrapper`` (demo and tests only, not production).

Builtin ``compiler-wrapper`` downloads ``cc.sh`` from GitHub, which an offline machine
cannot reach. This overlay takes the script from the Spack checkout's own test repository
at install time (it is not copied into spack-peso). That script is the 1.0 wrapper; it
ignores ``SPACK_*_HAS_FRANDOM_SEED``, which does not matter for the demo stack.
"""
import pathlib

import spack.paths
from spack_repo.builtin.packages.compiler_wrapper.package import (
    CompilerWrapper as BuiltinCompilerWrapper,
)

from spack.package import *

_CC_SH = (
    pathlib.Path(spack.paths.prefix)
    / "var/spack/test_repos/spack_repo/builtin_mock/packages/compiler_wrapper/cc.sh"
)


class CompilerWrapper(BuiltinCompilerWrapper):
    """Spack compiler wrapper script, fetched from the local Spack checkout."""

    url = f"file://{_CC_SH}"

    version(
        "1.1.0",
        sha256="c65a9d2b2d4eef67ab5cb0684d706bb9f005bb2be94f53d82683d7055bdb837c",
        expand=False,
        url=f"file://{_CC_SH}",
    )
