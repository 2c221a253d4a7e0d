"""Atomic file output: write to a temporary file in the same folder, then rename.

Every file spack-peso writes goes through here, so a failed or interrupted command never
leaves a half-written ``spack.yaml``, report or cache behind.
"""

import os
import tempfile


def atomic_write(path, text, mode: str = "w", encoding: str = "utf-8") -> None:
    """Write ``text`` (str, or bytes with ``mode='wb'``) to ``path`` atomically."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
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
