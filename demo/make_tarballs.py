"""Build the demo packages' source tarballs from the files kept in ``demo/sources``.

Why deterministic: the recipes in ``repo/spack_repo/peso/packages/peso-demo-*`` carry the
real sha256 of these tarballs, so the bytes must be the same on every machine and every
run. Entries are sorted, owned by 0:0 with empty owner names, stamped mtime 0, modes
normalised (0755 for directories and executables, 0644 otherwise), and the gzip header
carries mtime 0 and no file name.

The tarballs land in ``demo/tarballs/`` (not committed); each recipe derives its
``file://`` URL from its own location (``<checkout>/repo/...`` -> ``<checkout>/demo/tarballs``).

Usage: ``python demo/make_tarballs.py [OUT_DIR]`` prints ``<sha256>  <file>`` per tarball.
"""

import gzip
import hashlib
import io
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources")
DEFAULT_OUT = os.path.join(HERE, "tarballs")


def _entries(top: str):
    """Every path under ``top`` (relative to its parent), sorted for a stable order."""
    base = os.path.dirname(top)
    found = [top]
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        found.extend(os.path.join(dirpath, n) for n in dirnames + filenames)
    return sorted(os.path.relpath(p, base) for p in found)


def tarball_bytes(source_dir: str) -> bytes:
    """The deterministic ``.tar.gz`` of one source directory, as bytes."""
    raw = io.BytesIO()
    base = os.path.dirname(source_dir)
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for rel in _entries(source_dir):
            path = os.path.join(base, rel)
            info = tar.gettarinfo(path, arcname=rel)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            executable = info.isdir() or os.access(path, os.X_OK)
            info.mode = 0o755 if executable else 0o644
            if info.isfile():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def build_all(out_dir: str = DEFAULT_OUT) -> dict:
    """Write every tarball into ``out_dir``; return ``{file name: sha256}``."""
    os.makedirs(out_dir, exist_ok=True)
    sums = {}
    for name in sorted(os.listdir(SOURCES)):
        src = os.path.join(SOURCES, name)
        if not os.path.isdir(src):
            continue
        data = tarball_bytes(src)
        target = os.path.join(out_dir, name + ".tar.gz")
        tmp = target + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        sums[name + ".tar.gz"] = hashlib.sha256(data).hexdigest()
    return sums


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    for fname, digest in build_all(out).items():
        print("%s  %s" % (digest, os.path.join(out, fname)))
