"""``stack build --parallel-packages N``: independent packages build at the same time.

Why Spack's depfile and not a scheduler of ours: ``spack env depfile`` writes a Makefile
whose targets are the environment's concrete specs and whose prerequisites are their
dependencies; ``make -j N`` then runs one ``spack install --only=package`` per spec as
soon as its dependencies are in, sharing N job slots through make's jobserver (Spack's
builds take their ``-j`` from it). ``make -k`` keeps going past a failure, so one failed
package blocks only the targets that depend on it: the same failure isolation as one
``spack install``, which the build record then reads the same way (the streamed output
names each failure by hash, the install database says what got installed).
"""

import os
import re
import shlex
import shutil
from typing import Callable, Dict, List, Sequence

from ...errors import PesoError
from ...fsutil import atomic_write

PREFIX = "peso"
# GNU make's line for a recipe that failed: the target names the package by its full hash
_MAKE_FAILED = re.compile(
    r"^g?make(?:\[\d+\])?: \*\*\* \[.*?%s/install/(?P<id>\S+)-(?P<hash>[a-z0-9]{32})\] Error (?P<rc>\d+)" % PREFIX
)


def make_argv(cli, out_dir: str, hashes: Sequence[str], slots: int, install_flags: Sequence[str]) -> List[str]:
    """Write ``<out_dir>/depfile/Makefile`` for the roots ``hashes``; return the ``make`` command.

    The folder is emptied first: make's marker files of an earlier run would otherwise
    claim packages installed that are not (any more)."""
    make = shutil.which("make") or shutil.which("gmake")
    if not make:
        raise PesoError("--parallel-packages needs GNU make on PATH ('make' not found)")
    folder = os.path.join(out_dir, "depfile")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    proc = cli.run("env", "depfile", "--make-prefix", PREFIX, *["/" + h for h in hashes])
    if proc.returncode != 0:
        last = ([x for x in proc.stderr.splitlines() if x.strip()] or ["(no output)"])[-1]
        raise PesoError("spack env depfile failed: " + last.strip(), cli.env_dir)
    makefile = os.path.join(folder, "Makefile")
    atomic_write(makefile, proc.stdout)
    return [
        make,
        "-k",  # keep going: a failure stops only its dependents
        "-j",
        str(slots),
        "-C",
        folder,
        "-f",
        makefile,
        # the depfile's own SPACK lacks this run's -C scopes and -c overrides
        "SPACK=" + shlex.join(cli.base_argv()),
        "SPACK_INSTALL_FLAGS=" + shlex.join(install_flags),
        PREFIX + "/all",
    ]


class MakeOutput:
    """Follows the depfile's ``make`` output for failed packages.

    A one-package ``spack install --only=package`` reports its failure without the
    ``Error: <name>-<hash>:`` line a whole-environment install prints; make's own
    ``*** [.../install/<name>-<version>-<hash>] Error N`` line names the package instead.
    """

    def __init__(self, on_event: Callable = lambda *a, **k: None):
        self.on_event = on_event
        self.failed: Dict[str, str] = {}

    def feed(self, line: str) -> None:
        found = _MAKE_FAILED.match(line.rstrip("\n"))
        if found and found.group("hash") not in self.failed:
            self.failed[found.group("hash")] = found.group("id")
            self.on_event("failed", spec=found.group("id"), message="make target failed")

    def merge_into(self, follower) -> None:
        """Add the failures to an ``InstallOutput``, with Spack's message from the error
        summary its log path tied to the same hash."""
        for dag_hash, spec_id in self.failed.items():
            summary = follower.summaries.get(dag_hash) or []
            message = summary[0].split("Error:", 1)[-1].strip() if summary else ""
            follower.failed.setdefault(dag_hash, message or "spack install of %s failed (see install.log)" % spec_id)
