"""What every executor shares: scheduler facts, shard descriptions, job states, faults.

Why facts are data: partition names, accounts, node shapes and launchers differ per
facility and change with allocations; they live in ``environments/targets/<t>.yaml``
(``scheduler:``, with provenance) and the command line overrides them. Why one fault
table: a job killed at its time limit, cancelled, lost with its node or never started
must become the same statuses whichever scheduler reported it, so the rows of a run
record mean one thing.
"""

import math
import os
import re
import shlex
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple, Type

from ....errors import PesoError

#: batch scheduler adapters by kind; each ``Scheduler`` subclass registers itself
REGISTRY: Dict[str, "Type[Scheduler]"] = {}


def kinds() -> Tuple[str, ...]:
    """``local`` and every registered batch scheduler (``slurm``, ``pbs``, ``flux``, ...).

    Every module of this package is imported first, so a new scheduler is one module
    with one ``Scheduler`` subclass: the CLI's ``--scheduler`` choices, the target
    schema's ``scheduler.kind`` (a test ties it) and the in-job runner's environment
    variables (passed in the manifest) all derive from the registry.
    """
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules([os.path.dirname(os.path.abspath(__file__))]):
        importlib.import_module("%s.%s" % (__package__, module.name))
    return ("local",) + tuple(sorted(REGISTRY))


def job_variables() -> Dict[str, list]:
    """The environment variables a job reads its array index and job id from, every
    scheduler's (written into the manifest for the standalone in-job runner).
    ``array_job_id`` lists the ``(array id, index)`` pairs a job id is spelled from inside
    an array (``<array>_<index>``, how the driver names the element), tried first."""
    kinds()
    index = ["PESO_SHARD_INDEX"] + [v for cls in REGISTRY.values() for v in cls.index_variables]
    job = [v for cls in REGISTRY.values() for v in cls.job_id_variables]
    arrays = [list(cls.array_job_id) for cls in REGISTRY.values() if cls.array_job_id]
    return {"index": index, "job_id": job, "array_job_id": arrays}


#: Seconds a batch shard needs on top of ``--timeout``: Python and Spack start-up,
#: parsing, and the in-job runner's own SIGTERM/SIGKILL grace.
START_MARGIN = 90
DEFAULT_SHARD_MINUTES_MIN = 1


@dataclass
class SchedulerFacts:
    """How to ask a facility's scheduler for one shard's resources.

    ``origin`` says where each value came from (``target <path>``, ``command line``,
    ``default``), so a run record shows which facts a job was submitted with.
    """

    kind: str = "local"
    partition: Optional[str] = None
    account: Optional[str] = None
    nodes: int = 1
    time_minutes: Optional[int] = None
    cores_per_node: Optional[int] = None
    gpus_per_node: int = 0
    tasks_per_shard: int = 1
    gpu_request: str = "gpus-per-task"
    launcher: Optional[str] = None
    min_minutes: Optional[int] = None
    max_minutes: Optional[int] = None
    directives: List[str] = field(default_factory=list)
    origin: Dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: dict) -> "SchedulerFacts":
        return cls(**{k: v for k, v in doc.items() if k in cls.__dataclass_fields__})


def parse_time(text: str) -> int:
    """``--time`` as minutes: ``90``, ``1:30:00`` (h:m:s), ``30:00`` (m:s) or ``1-00:00:00``."""
    value = str(text).strip()
    days = 0
    if "-" in value:
        d, value = value.split("-", 1)
        if not d.isdigit():
            raise PesoError("--time %r: expected MINUTES, H:MM:SS or D-HH:MM:SS" % text)
        days = int(d)
    fields = value.split(":")
    if not all(f.isdigit() for f in fields) or not 1 <= len(fields) <= 3:
        raise PesoError("--time %r: expected MINUTES, H:MM:SS or D-HH:MM:SS" % text)
    numbers = [int(f) for f in fields]
    if len(numbers) == 1:
        minutes = numbers[0]
    elif len(numbers) == 2:
        minutes = numbers[0] + math.ceil(numbers[1] / 60)
    else:
        minutes = numbers[0] * 60 + numbers[1] + math.ceil(numbers[2] / 60)
    minutes += days * 1440
    if minutes < 1:
        raise PesoError("--time %r: a batch job needs at least one minute" % text)
    return minutes


def resolve_facts(target_doc: Optional[dict], overrides: dict, target_path: str = "") -> SchedulerFacts:
    """Target profile facts, then command-line overrides (``None`` values are ignored).

    A ``--scheduler`` different from the profile's kind keeps the node shape (it is the
    same machine) but not partition/account/directives, which are the other
    scheduler's language.
    """
    origin = {}
    doc = dict((target_doc or {}).get("scheduler") or {})
    where = "target %s" % (target_path or (target_doc or {}).get("name", "?"))
    wanted = overrides.get("scheduler")
    if wanted is not None and wanted not in kinds():
        raise PesoError("--scheduler %r: expected one of %s" % (wanted, ", ".join(kinds())))
    if wanted and doc.get("kind") and wanted != doc["kind"]:
        for key in ("partition", "account", "directives", "gpu_request"):
            doc.pop(key, None)
    facts = SchedulerFacts()
    node = doc.get("node") or {}
    mapping = {
        "kind": doc.get("kind"),
        "partition": doc.get("partition"),
        "account": doc.get("account"),
        "cores_per_node": node.get("cores"),
        "gpus_per_node": node.get("gpus"),
        "tasks_per_shard": doc.get("tasks_per_shard"),
        "gpu_request": doc.get("gpu_request"),
        "launcher": doc.get("launcher"),
        "min_minutes": doc.get("min_minutes"),
        "max_minutes": doc.get("max_minutes"),
        "directives": doc.get("directives"),
    }
    for key, value in mapping.items():
        if value is not None:
            setattr(facts, key, value)
            origin[key] = where
    for key in ("scheduler", "partition", "account", "nodes", "time"):
        value = overrides.get(key)
        if value is None:
            continue
        attr = {"scheduler": "kind", "time": "time_minutes"}.get(key, key)
        if key == "time":
            value = parse_time(value)
        if key == "nodes" and int(value) < 1:
            raise PesoError("--nodes must be at least 1")
        setattr(facts, attr, value)
        origin[attr] = "command line"
    facts.origin = origin
    check_facts(facts)
    return facts


#: What each scheduler accepts in the fields that end up inside a batch script's
#: directives: names of partitions/queues and accounts/banks (Slurm: comma-separated
#: partitions; PBS: ``queue@server``). Everything else is refused rather than quoted,
#: because a directive line is read by the scheduler, not by a shell: a newline there
#: ends the header and turns the rest into commands.
_NAME_FIELDS = {
    "slurm": re.compile(r"^[A-Za-z0-9_.+-]+(,[A-Za-z0-9_.+-]+)*$"),
    "pbs": re.compile(r"^[A-Za-z0-9_.+-]+(@[A-Za-z0-9_.-]+)?$"),
    "flux": re.compile(r"^[A-Za-z0-9_.+-]+$"),
}
#: a free-form directive or launcher may have spaces and '=', never a line break or
#: what a shell would act on
_UNSAFE = re.compile(r"[\x00-\x1f\x7f;&|`$<>\\]")


def placeholder(value: Optional[str]) -> bool:
    """Facts carry ``<PROJECT>``-style placeholders where each user has their own value."""
    return bool(value) and str(value).startswith("<") and str(value).endswith(">")


def check_facts(facts: SchedulerFacts) -> None:
    """Refuse, in one line, a scheduler field that is not valid for its scheduler."""
    names = _NAME_FIELDS.get(facts.kind)
    for key, option in (("partition", "--partition"), ("account", "--account")):
        value = getattr(facts, key)
        if value is None or names is None or placeholder(value):
            continue  # a profile's <PROJECT>: each user's own value, asked for at submission
        if not isinstance(value, str) or not names.match(value):
            what = {"partition": "partition" if facts.kind == "slurm" else "queue"}.get(key, key)
            raise PesoError(
                "%s %r is not a valid %s %s name (letters, digits, '_.+-'%s)"
                % (option, value, facts.kind, what, ", ','" if facts.kind == "slurm" else ""),
                facts.origin.get(key),
            )
    for directive in facts.directives or []:
        if not isinstance(directive, str) or _UNSAFE.search(directive):
            raise PesoError("scheduler directive %r: no line breaks or shell characters" % directive)
    if facts.launcher is not None and (not isinstance(facts.launcher, str) or _UNSAFE.search(facts.launcher)):
        raise PesoError("launcher %r: no line breaks or shell characters" % facts.launcher)


def check_script_path(path: str) -> str:
    """A path written into a directive line (the job's output folder) must stay one word."""
    if re.search(r"[\s\x00-\x1f\x7f]", path):
        raise PesoError("a batch job's output folder cannot contain spaces or line breaks", path)
    return path


def shard_minutes(timeout: float, facts: SchedulerFacts) -> int:
    """A shard's batch time limit: ``--time`` if given, else ``--timeout`` plus start-up.

    Why a margin: the in-job runner enforces ``--timeout`` itself (to the second, naming
    the hung part); the scheduler's limit is the backstop for a job that never got that
    far. Clamped to the queue's bounds (Aurora's queues start at 5 minutes).
    """
    if facts.time_minutes:
        minutes = int(facts.time_minutes)
    else:
        minutes = max(DEFAULT_SHARD_MINUTES_MIN, math.ceil((timeout + START_MARGIN) / 60.0))
    if facts.min_minutes:
        minutes = max(minutes, int(facts.min_minutes))
    if facts.max_minutes:
        minutes = min(minutes, int(facts.max_minutes))
    return minutes


def hms(minutes: int) -> str:
    return "%d:%02d:00" % (minutes // 60, minutes % 60)


_SIGNAL_EXIT = re.compile(r"(exited with status|exit status|status) (143|137|-15|-9)\b")


def killed_part(parts: List[dict], tests: List[str]) -> Optional[str]:
    """The part a signal interrupted: the one still running, else one that 'failed' with
    a SIGTERM/SIGKILL exit status (a scheduler signals every process of the job at once,
    so the test program can die, and Spack log it FAILED, before Spack itself does), else
    the first expected test without a status (its header never reached the log)."""
    running = [p["name"] for p in parts if p["status"] == "RUNNING"]
    if running:
        return running[-1]
    for part in reversed(parts):
        if part["status"] == "FAILED" and _SIGNAL_EXIT.search(part.get("message") or ""):
            return part["name"]
    done = {p["name"] for p in parts}
    for name in tests:
        if name not in done:
            return name
    return None


def mark_killed(row: dict, hung: Optional[str], status: str) -> dict:
    """Label the interrupted part ``status`` (TIMEOUT or ERROR) in ``row['parts']``."""
    if not hung:
        return row
    for part in row["parts"]:
        if part["name"] == hung and part["status"] in ("RUNNING", "FAILED", "TIMEOUT", "ERROR"):
            part["status"] = status
            break
    else:
        row["parts"].append({"name": hung, "status": status, "message": "", "duration": None, "excerpt": ""})
    return row


_GPU_VARIANT = re.compile(r"\+(cuda|rocm|sycl)\b")


def needs_gpu(root: dict) -> bool:
    """A root built with a GPU backend (``+cuda``, ``+rocm``, ``+sycl``) tests on a GPU."""
    return bool(_GPU_VARIANT.search(root.get("spec") or ""))


@dataclass
class Shard:
    """One spec's ``spack test run``, as the manifest on the shared filesystem holds it."""

    index: int
    name: str
    package: str
    hash: str
    stage: str
    argv: List[str]
    tests: List[str]
    gpus: int = 0
    #: ``--install-local`` in a batch job: the ``spack install`` the job runs first, and
    #: the folder it installs into (as given: variables are expanded on the node)
    install_argv: List[str] = field(default_factory=list)
    install_local: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class JobState:
    """What the scheduler says about one shard's job (one array element)."""

    job_id: str
    state: str  # the scheduler's own word, upper-case (RUNNING, TIMEOUT, ...)
    reason: str = ""
    node: str = ""
    exit_code: str = ""
    ended: Optional[float] = None  # epoch seconds, when the scheduler says the job ended

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


#: Scheduler states (Slurm's words; PBS and Flux adapters translate to them) of a job
#: that has not ended yet.
ACTIVE_STATES = frozenset(
    {
        "PENDING",
        "CONFIGURING",
        "RUNNING",
        "COMPLETING",
        "SUSPENDED",
        "REQUEUED",
        "RESIZING",
        "STAGE_OUT",
        "SIGNALING",
        "REQUEUE_HOLD",
        "REQUEUE_FED",
        "RESV_DEL_HOLD",
        "STOPPED",
    }
)
#: Ends caused by the machine, not the test: ``--retry-node-fail`` resubmits these.
NODE_FAULTS = frozenset({"NODE_FAIL", "BOOT_FAIL", "PREEMPTED"})


def classify_fault(state: JobState, started: bool, hung: Optional[str]):
    """``(status, reason, retriable)`` for a job that ended without a shard result.

    A job that ends normally leaves the in-job runner's result in its stage and is
    parsed like a local shard; this covers the rest.
    """
    word = state.state
    why = state.reason if state.reason and state.reason not in ("None", "(null)") else ""
    detail = "%s%s" % (word, " (%s)" % why if why else "")
    if word in ("TIMEOUT", "DEADLINE"):
        return (
            "TIMEOUT",
            "killed by the scheduler at its time limit while running %s [job %s %s]"
            % (hung or "?", state.job_id, detail),
            False,
        )
    if word in NODE_FAULTS:
        return (
            "ERROR" if started else "NOT_RUN",
            "%s: the scheduler reports %s on %s"
            % ("node failure" if started else "never started", detail, state.node or "its node"),
            True,
        )
    if word == "CANCELLED":
        if started:
            return ("ERROR", "job %s cancelled while running %s: %s" % (state.job_id, hung or "?", detail), False)
        return ("NOT_RUN", "job %s cancelled before it started: %s" % (state.job_id, detail), False)
    if word == "OUT_OF_MEMORY":
        return ("ERROR", "job %s ran out of memory: %s" % (state.job_id, detail), False)
    if word == "UNKNOWN":
        if started:
            return ("ERROR", "job %s ended without a result and the scheduler no longer knows it" % state.job_id, False)
        return ("NOT_RUN", "job %s never started and the scheduler no longer knows it" % state.job_id, True)
    return (
        "ERROR",
        "job %s ended without a shard result: %s exit %s" % (state.job_id, detail, state.exit_code or "?"),
        False,
    )


class Scheduler:
    """What the Slurm, PBS and Flux adapters share. An adapter names its scheduler
    (``kind``, ``submit_command``, ``script_suffix``), writes the batch script, and says how
    to submit, cancel and find a job's output; job states come from one query command
    (``query_argv``) whose output ``parse_states`` reads, unless the adapter needs more
    than one command (Slurm asks ``scontrol``, then ``sacct`` for jobs that have ended).
    """

    kind = ""
    submit_command = ""
    script_suffix = ""
    #: how the batch script names its shard (the array index, or the script's argument)
    shard_index = ""
    #: environment variables a job of this scheduler finds its array index and id in
    index_variables: Tuple[str, ...] = ()
    job_id_variables: Tuple[str, ...] = ()
    #: ``(array id, index)`` variables when the scheduler names an array element by both
    array_job_id: Tuple[str, ...] = ()

    def __init_subclass__(cls, kind: str = "", submit: str = "", suffix: str = "", index: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.kind, cls.submit_command, cls.script_suffix, cls.shard_index = kind, submit, suffix, index
        if kind:
            REGISTRY[kind] = cls

    def directives(self, group) -> List[str]:
        """The scheduler's ``#SBATCH``/``#PBS``/``# flux:`` lines for one group of shards."""
        raise NotImplementedError

    def setup_lines(self, group) -> List[str]:
        """Shell lines the scheduler needs before the runner starts (none by default)."""
        return []

    def script(self, group) -> str:
        """The batch script: directives, which shards it runs, then the in-job runner."""
        check_script_path(group.logs)
        lines = ["#!/bin/bash", *self.directives(group)]
        lines.append("# shards: " + ", ".join("%d=%s" % (i, n) for i, n in zip(group.indices, group.shard_names)))
        lines += self.setup_lines(group)
        if group.facts.launcher:
            lines.append("export PESO_LAUNCHER=%s" % shlex.quote(group.facts.launcher))
        lines.append(
            'exec %s %s %s "%s"'
            % (shlex.quote(group.python), shlex.quote(group.runner), shlex.quote(group.manifest), self.shard_index)
        )
        return "\n".join(lines) + "\n"

    def query_argv(self, job_ids: List[str]) -> List[str]:
        raise NotImplementedError

    @staticmethod
    def parse_states(text: str) -> Dict[str, "JobState"]:
        raise NotImplementedError

    def query(self, job_ids: List[str], env: dict) -> Optional[Dict[str, "JobState"]]:
        """``{job id: JobState}``; ``None`` when the scheduler did not answer at all."""
        proc = subprocess.run(self.query_argv(job_ids), capture_output=True, text=True, env=env)
        if proc.returncode != 0 and not proc.stdout.strip():
            return None
        return self.parse_states(proc.stdout)
