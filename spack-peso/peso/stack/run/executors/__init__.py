"""Where ``stack test`` shards run: on this machine or as batch jobs on compute nodes.

Why a layer of its own: facilities run MPI and GPU tests only on compute nodes, through
their scheduler. The run itself (plan, record, parsing a shard's stage) stays one
piece of code; an executor only decides where each shard's ``spack test run`` happens
and how its end is noticed. ``local`` runs process groups here (``local.py``); the batch
executors share one driver (``batch.py``) and differ only in the scheduler's language:
``slurm.py`` (real, tested against a local Slurm), ``pbs.py`` and ``flux.py`` (scripts and
command lines, tested on their text since no server is reachable here).
"""

from .base import REGISTRY, SchedulerFacts, kinds, resolve_facts  # noqa: F401


def adapter(kind: str):
    """The scheduler adapter registered for a batch ``kind`` (``slurm``, ``pbs``, ``flux``)."""
    if kind not in kinds() or kind not in REGISTRY:
        raise ValueError("no batch adapter for %r" % kind)
    return REGISTRY[kind]()
