"""Where is Spack, and are we running inside it?

Code that needs Spack either runs inside it (``spack peso ...``: the ``spack`` package is
importable) or drives a real Spack executable found through ``SPACK_ROOT`` or ``PATH``.
"""

import os
import shutil
from typing import Optional

from .errors import PesoError


def in_spack() -> bool:
    """True when this code was loaded by Spack (``spack peso ...`` or ``spack python``)."""
    try:
        import spack.paths  # noqa: F401
    except ImportError:
        return False
    return True


def find_spack() -> Optional[str]:
    """Path of a ``spack`` executable: ``$SPACK_ROOT/bin/spack`` first, then ``PATH``."""
    root = os.environ.get("SPACK_ROOT")
    if root:
        candidate = os.path.join(root, "bin", "spack")
        if os.access(candidate, os.X_OK):
            return candidate
    if in_spack():
        import spack.paths

        candidate = os.path.join(spack.paths.prefix, "bin", "spack")
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("spack")


def require_spack() -> str:
    """Like :func:`find_spack`, but a clear error when there is none."""
    spack = find_spack()
    if not spack:
        raise PesoError("no Spack found: set SPACK_ROOT or put 'spack' on PATH")
    return spack
