"""``stack build --mirror DIR``: build from a local Spack source mirror, air-gapped.

Facilities without internet on their build nodes carry a source mirror (what
``spack mirror create`` writes: ``_source-cache/archive/<sha[:2]>/<sha>.<ext>``). The
mirror becomes a configuration scope whose ``mirrors::`` *replaces* every other mirror,
so Spack neither waits on the network nor falls back to upstream URLs. Before installing,
:func:`missing_sources` asks Spack which sources of the specs still to build the mirror
lacks, so a missing file is one line naming it instead of a fetch failure deep in a log.
"""

import json
import os
from typing import List

from ..errors import PesoError
from ..fsutil import atomic_write

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spack_mirror_probe.py")


def mirror_scope(mirror_dir: str, scope_dir: str) -> str:
    """Write ``scope_dir/mirrors.yaml`` naming only ``mirror_dir``; return ``scope_dir``."""
    mirror_dir = os.path.abspath(mirror_dir)
    if not os.path.isdir(mirror_dir):
        raise PesoError("source mirror folder does not exist", mirror_dir)
    if not os.path.isdir(os.path.join(mirror_dir, "_source-cache")):
        raise PesoError(
            "not a Spack source mirror (no _source-cache/ folder): make one with 'spack mirror create'",
            mirror_dir,
        )
    os.makedirs(scope_dir, exist_ok=True)
    # '::' replaces the default mirrors (PyYAML would quote the key, so it is written as text)
    atomic_write(
        os.path.join(scope_dir, "mirrors.yaml"),
        "mirrors::\n  peso-source-mirror:\n    url: file://%s\n    binary: false\n" % mirror_dir,
    )
    return scope_dir


def missing_sources(cli, mirror_dir: str) -> List[dict]:
    """Sources of the environment's not-yet-installed specs that ``mirror_dir`` lacks:
    ``[{"spec", "file", "url"}]`` (asked from Spack after concretization)."""
    proc = cli.run("python", PROBE, os.path.abspath(mirror_dir))
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise PesoError("cannot check the source mirror through Spack: " + last, mirror_dir)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise PesoError("unexpected mirror probe output from Spack", mirror_dir)
