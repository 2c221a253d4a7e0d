"""Where a stack lives and how it runs, for every ``stack`` command: one resolution.

``stack generate`` writes ``environments_dir()/<target>/spack.yaml``; ``stack build`` and
``stack test`` must read that same file, whatever folder they run from, whatever alias
named the target, and with ``$PESO_ENVIRONMENTS`` honoured. They also need the target
profile's scheduler facts, read from the profile the name resolves to (an alias gets its
machine's facts), the executor those facts choose, the default paths of their results
and one rule for their exit status. Resolving all of it here, once, is what keeps the
three commands agreeing; the command modules only parse and print.
"""

import dataclasses
import os
from typing import Any, Optional

from ..errors import PesoError

#: ``stack test`` runs this many shards at once on this machine unless ``-j`` says
LOCAL_TEST_JOBS = 2


@dataclasses.dataclass
class StackPlace:
    """A resolved target: its profile, its environment folder, its results folder."""

    target: Any  # generate.model.Target (imported when resolving: ``stack report`` needs no YAML)
    env_dir: str
    out_dir: str

    @property
    def name(self) -> str:
        """The profile's own name (an alias or a path resolves to it): records and shard
        names use it, so runs of one machine compare whatever name the user typed."""
        return self.target.name

    @property
    def profile(self) -> Optional[dict]:
        """The profile document, for its scheduler facts (``host`` has none)."""
        return self.target.doc if self.target.path else None

    @property
    def profile_label(self) -> str:
        return os.path.relpath(self.target.path) if self.target.path else self.target.name

    @property
    def target_argument(self) -> str:
        """How a job started elsewhere (a batch build) names this same profile: its file
        when it has one, so neither the job's folder nor its environment can change it."""
        return os.path.abspath(self.target.path) if self.target.path else self.target.name

    @property
    def build_record(self) -> str:
        """``stack build`` writes its record here; ``stack test`` reads it by default."""
        return os.path.join(self.out_dir, "build.json")


def resolve(target: str, env_dir: Optional[str] = None, out: Optional[str] = None) -> StackPlace:
    """``--target`` (a profile name, an alias, a path to a profile, or ``host``) with the
    optional ``--env`` and ``--out``; an unknown target is a one-line error."""
    from .generate.model import find_target, stack_dir

    if not target:
        raise PesoError("--target is required")
    profile = find_target(target)
    env = env_dir or stack_dir(profile.name)
    results = out or os.path.join("peso-out", profile.name)
    return StackPlace(profile, os.path.abspath(env), os.path.abspath(results))


def require_stack(place: StackPlace) -> str:
    """The environment's ``spack.yaml``, or a one-line error saying how to make it."""
    path = os.path.join(place.env_dir, "spack.yaml")
    if not os.path.isfile(path):
        raise PesoError(
            "no spack.yaml here: run 'spack peso stack generate --target=%s' first (or give --env)" % place.name,
            place.env_dir,
        )
    return path


def scheduler_facts(place: StackPlace, overrides: dict):
    """The resolved profile's scheduler facts with the command line's ``overrides``
    (``scheduler``, ``partition``, ``account``, ``nodes``, ``time``; ``None`` = not given),
    each field checked for its scheduler before anything is written."""
    from .run.executors import resolve_facts

    return resolve_facts(place.profile, overrides, place.profile_label)


#: command-line options that only mean something to a batch scheduler
_BATCH_FIELDS = {"partition": "--partition", "account": "--account", "nodes": "--nodes", "time": "--time"}


def _refuse_batch_options(overrides: dict, flags: dict) -> None:
    """Batch-only options on a run that stays on this machine are one line, never
    silently ignored: a ``--dry-run`` that builds for real, or a ``--detach`` that
    waits, is what the user meant not to happen."""
    from .run import executors

    given = [flag for flag, value in flags.items() if value]
    given += [flag for key, flag in _BATCH_FIELDS.items() if overrides.get(key) is not None]
    if given:
        raise PesoError("%s needs a batch scheduler (--scheduler %s)" % (given[0], "|".join(executors.kinds()[1:])))


def build_facts(place: StackPlace, overrides: dict, dry_run: bool = False):
    """``stack build``'s scheduler facts, or ``None`` to build here. Unlike ``stack test``,
    a build goes to a batch job only when ``--scheduler`` asks (building on a login node
    is a facility's usual way); the profile then gives partition, account and limits."""
    if overrides.get("scheduler") in (None, "local"):
        _refuse_batch_options(overrides, {"--dry-run": dry_run})
        return None
    return scheduler_facts(place, overrides)


def local_jobs(jobs: Optional[int]) -> int:
    """Parallel local shards: ``LOCAL_TEST_JOBS`` unless ``-j`` says (a batch run's ``-j``
    is its throttle, default none)."""
    return LOCAL_TEST_JOBS if jobs is None else jobs


def shard_executor(
    facts,
    overrides: dict,
    jobs: Optional[int],
    timeout: float,
    retry_node_fail: int = 0,
    detach: bool = False,
    dry_run: bool = False,
):
    """Where ``stack test`` shards run: here (``local``) or as jobs of the facts' scheduler
    (the profile's unless ``--scheduler`` says; ``overrides`` are the command line's).

    The batch-only options are refused, in one line, when the facts say ``local``:
    silently ignoring ``--detach`` would leave a user waiting on a run they meant to leave.
    """
    from .run import executors
    from .run.executors.batch import BatchExecutor
    from .run.executors.local import LocalExecutor

    if retry_node_fail < 0:
        raise PesoError("--retry-node-fail must be 0 or more")
    if facts.kind == "local":
        flags = {"--detach": detach, "--dry-run": dry_run, "--retry-node-fail": retry_node_fail}
        _refuse_batch_options(overrides, flags)
        return LocalExecutor(local_jobs(jobs), timeout)
    return BatchExecutor(
        executors.adapter(facts.kind),
        facts,
        timeout,
        throttle=jobs,
        retry_node_fail=retry_node_fail,
        detach=detach,
        dry_run=dry_run,
    )


def exit_status(record: Optional[dict]) -> int:
    """The exit status of ``stack build`` and ``stack test`` (the contract of every command:
    0 done and nothing to report, 1 done with failures, 2 bad input before any work).

    - no record (a batch build's ``--dry-run``), a ``--dry-run`` or a ``--detach`` run: 0,
      the work asked for (scripts written, jobs submitted) was done;
    - any root not built, not installed, not run, failed, timed out or pending: 1 (a
      root Spack never reached, ``NOT_BUILT``, is work that did not happen, never a 0);
    - a record with no row at all: 1, nothing was attempted. Inputs that select nothing
      (``--only``, ``--skip``, ``--rerun-failed`` matching no root) are refused earlier,
      with 2; this is the backstop for a record that still comes out empty.
    """
    from .run import records

    if record is None or record.get("dry_run") or record.get("detached"):
        return 0
    if not record.get("specs"):
        return 1
    return records.exit_status(record)
