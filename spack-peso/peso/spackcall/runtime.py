"""Where is Spack, and are we running inside it?

Code that needs Spack either runs inside it (``spack peso ...``: the ``spack`` package is
importable) or drives a real Spack executable found through ``SPACK_ROOT`` or ``PATH``.
"""

import os
import subprocess
from typing import List, Optional

from . import provision


def in_spack() -> bool:
    """True when this code was loaded by Spack (``spack peso ...`` or ``spack python``)."""
    try:
        import spack.paths  # noqa: F401
    except ImportError:
        return False
    return True


def find_spack() -> Optional[str]:
    """Path of the ``spack`` executable at hand (``SPACK_ROOT``, the running Spack,
    ``PATH``, or the provisioned copy in the user cache), provisioning nothing."""
    install = provision.locate()
    return install.exe if install else None


def require_spack() -> str:
    """A ready ``spack`` executable, provisioned from the pinned archives when none is at
    hand (see :mod:`peso.spackcall.provision`). Cloning from the network is left to an
    explicit ``peso bootstrap``: a lint or build command should not download Spack."""
    return provision.ensure(log=_log, allow_git=False).exe


def _log(message: str) -> None:
    from .. import ui

    ui.msg(message)


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
