"""Entry point that lets a pip-installed spack-peso register itself with Spack.

Spack 1.x reads the ``spack.extensions`` entry point group and expects each hook to
return extension roots: directories named ``spack-<name>`` that contain ``<name>/cmd``.
From a source checkout (or an editable install) that root is simply the ``spack-peso``
folder. A regular install puts ``peso`` straight into site-packages, so we expose it
through a small ``spack-peso`` folder holding a symlink to the installed package.
"""

import os
import re
import tempfile

_ROOT_NAME = re.compile(r"spack-(\w[-\w]*)$")


def _shim_root(package_dir: str) -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        base = tempfile.gettempdir()
    root = os.path.join(base, "spack-peso-extension", "spack-peso")
    link = os.path.join(root, "peso")
    os.makedirs(root, exist_ok=True)
    if os.path.realpath(link) != os.path.realpath(package_dir):
        tmp = link + ".%d" % os.getpid()
        os.symlink(package_dir, tmp)
        os.replace(tmp, link)
    return root


def get_spack_extensions():
    """Return the extension root Spack should load ``spack peso`` from."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    parent = os.path.dirname(package_dir)
    if _ROOT_NAME.search(os.path.basename(parent)):
        return [parent]
    return [_shim_root(package_dir)]
