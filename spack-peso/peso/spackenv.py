"""Where is Spack, and are we running inside it?

Code that needs Spack either runs inside it (``spack peso ...``: the ``spack`` package is
importable) or drives a real Spack executable found through ``SPACK_ROOT`` or ``PATH``.
"""

import os
import shutil
import subprocess
from typing import List, Optional

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


def configured_repos() -> List[str]:
    """Repository folders Spack is configured with (inside Spack, or via ``spack repo list``)."""
    if in_spack():
        import spack.repo

        return [r.root for r in spack.repo.PATH.repos]
    exe = find_spack()
    if not exe:
        return []
    try:
        out = subprocess.run([exe, "repo", "list"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    repos = []
    for line in out.splitlines():
        parts = line.split()
        if parts and os.path.isdir(parts[-1]):
            repos.append(parts[-1])
    return repos
