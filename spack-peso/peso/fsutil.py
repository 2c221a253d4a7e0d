"""File output as users expect it: atomic, through links, with the usual modes; and file
names built from data that cannot leave their folder.

Every file spack-peso writes goes through ``atomic_write``, so a failed or interrupted
command never leaves a half-written ``spack.yaml``, report or cache behind. The temporary
file is created next to the real file (a symlink is followed, so the link stays a link),
and the result gets the mode the user would expect: the old file's mode on a rewrite, the
umask's on a new file (``mkstemp`` alone would leave every file 0600).
"""

import os
import re
import tempfile
from typing import Optional

from .errors import PesoError

#: a name from data (product, package, target, run id) that may become one path component
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+@-]*$")


def safe_name(name: str, what: str = "name", source=None) -> str:
    """``name`` itself when it can be a single file name (no separator, no ``..``, no
    control characters); otherwise a one-line error naming what it was and where from."""
    text = str(name)
    if not _SAFE_NAME.match(text) or ".." in text or len(text) > 200:
        raise PesoError("%s %r cannot be a file name (letters, digits, '._+@-' only)" % (what, text), source)
    return text


def path_under(folder: str, *parts: str) -> str:
    """``folder/parts...``, refused when it would resolve outside ``folder``."""
    base = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(base, *parts))
    if os.path.commonpath([base, path]) != base:
        raise PesoError("refusing to write outside %s" % folder, os.path.join(folder, *parts))
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, text, mode: str = "w", encoding: str = "utf-8", within: Optional[str] = None) -> None:
    """Write ``text`` (str, or bytes with ``mode='wb'``) to ``path`` atomically.

    A symlink at ``path`` is kept: its target is written. With ``within``, a file that
    resolves outside that folder (through a linked file or a linked folder on the way) is
    refused: a recipe tree's link must not make a fixer write elsewhere.
    """
    path = os.fspath(path)
    real = os.path.realpath(path)
    if within is not None:
        base = os.path.realpath(within)
        if os.path.commonpath([base, real]) != base:
            raise PesoError("resolves to %s, outside %s: not written" % (real, within), path)
    if os.path.islink(path):
        path = real
    if os.path.isdir(path):
        raise PesoError("is a folder, not a file", path)
    if os.path.exists(path) and not os.path.isfile(path):
        # a device, pipe or socket (``/dev/null``, or a link to one): renaming a new
        # file over it would destroy it for the whole machine
        raise PesoError("is not a regular file: not replaced", path)
    try:
        keep_mode: Optional[int] = os.stat(path).st_mode & 0o7777
    except OSError:
        keep_mode = None
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        os.chmod(tmp, keep_mode if keep_mode is not None else 0o666 & ~_umask())
        if "b" in mode:
            with os.fdopen(fd, mode) as f:
                f.write(text)
        else:
            with os.fdopen(fd, mode, encoding=encoding) as f:
                f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
