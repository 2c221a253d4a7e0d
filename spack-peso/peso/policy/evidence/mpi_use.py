"""Whether a product can use MPI at all, from Spack's dependency graph (xSDK M3).

Why: M3 binds "each xSDK-compatible package that utilizes MPI" (keep to the
communicators it is given, no MPI_COMM_WORLD). A product whose recipe, in no
configuration, links or runs against MPI, directly or through any chain of its
dependencies, cannot make an MPI call: M3 does not apply to it. Whether a product
that does use MPI keeps to its communicators needs its source, so that is only partial.

Only concrete packages are followed: reaching the ``mpi`` virtual (or an MPI-based
interface such as ``scalapack``, ``interfaces`` in ``mpi_interfaces.yaml``) counts,
while a provider chosen for another interface (a BLAS that may use MPI on its own
behalf) does not make the product an MPI user. Every ``when`` condition is followed,
so a variant that adds MPI counts, and so does a dependency constraint asking for a
dependency's MPI support (``depends_on("spiral-software+mpi")``). Build-only dependencies
do not. Needs Spack's
package classes (inside Spack); outside it nothing is observed.
"""

import os
import re
from functools import lru_cache
from typing import Dict, List, Optional, Set

import yaml

from . import Observation, display_path

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mpi_interfaces.yaml")
#: a dependency constraint turning on a dependency's MPI support (``spiral-software+mpi``)
_ASKS_MPI = re.compile(r"(\+mpi|\bmpi=(true|on|yes))\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def interfaces() -> Set[str]:
    with open(DATA, encoding="utf-8") as f:
        return set(yaml.safe_load(f)["interfaces"])


class Graph:
    """Link/run dependency names per package (every condition), read once per package."""

    def __init__(self, repo, link_or_run):
        self.repo = repo
        self.mask = link_or_run
        self.edges: Dict[str, Set[str]] = {}

    def deps(self, name: str) -> Set[str]:
        if name not in self.edges:
            found: Set[str] = set()
            try:
                cls = self.repo.get_pkg_class(name)
                for _when, by_name in cls.dependencies.items():
                    for d, dep in by_name.items():
                        if not dep.depflag & self.mask:
                            continue
                        found.add(d)
                        if _ASKS_MPI.search(str(getattr(dep, "spec", ""))):
                            found.add("+mpi of " + d)  # asks a dependency for its MPI feature
            except Exception:
                found = {"?"}  # an unreadable package: unknown, never "no MPI"
            self.edges[name] = found
        return self.edges[name]

    def mpi_path(self, root: str) -> Optional[List[str]]:
        """The chain root -> ... -> an MPI interface, or None when none exists."""
        wanted = interfaces()
        parent = {root: ""}
        queue = [root]
        while queue:
            name = queue.pop(0)
            for dep in sorted(self.deps(name)):
                if dep in parent:
                    continue
                parent[dep] = name
                if dep in wanted or dep == "?" or dep.startswith("+mpi of "):
                    chain = [dep]
                    while parent[chain[-1]]:
                        chain.append(parent[chain[-1]])
                    return list(reversed(chain))
                if self.repo.is_virtual(dep):
                    continue
                queue.append(dep)
        return None

    def size_from(self, root: str) -> int:
        seen, queue = {root}, [root]
        while queue:
            for dep in self.deps(queue.pop()):
                if dep not in seen and not dep.startswith("+mpi of ") and not self.repo.is_virtual(dep):
                    seen.add(dep)
                    queue.append(dep)
        return len(seen) - 1


def read(packages: Dict[str, str]) -> List[Observation]:
    from ...spackcall.runtime import in_spack

    if not in_spack():
        return []
    import spack.deptypes as dt
    import spack.repo

    graph = Graph(spack.repo.PATH, dt.LINK | dt.RUN)
    observations = []
    for package, path in sorted(packages.items()):
        if not path or not spack.repo.PATH.exists(package):
            continue
        chain = graph.mpi_path(package)
        where = display_path(path)
        if chain is None:
            observations.append(
                Observation(
                    package,
                    "recipe.mpi",
                    "none",
                    where,
                    "",
                    "no configuration links or runs against MPI, directly or through its %d dependencies"
                    % graph.size_from(package),
                )
            )
        elif "?" in chain:
            continue  # a dependency could not be read: unknown
        elif len(chain) == 2:
            observations.append(
                Observation(
                    package, "recipe.mpi", "direct", where, "", "depends on %s (in some configuration)" % chain[-1]
                )
            )
        else:
            observations.append(
                Observation(
                    package, "recipe.mpi", "through-dependency", where, "", "reaches MPI through " + " -> ".join(chain)
                )
            )
    return observations
