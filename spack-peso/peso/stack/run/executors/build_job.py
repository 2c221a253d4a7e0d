"""``stack build`` inside one batch job, for sites that build on compute nodes.

With ``--nodes N`` (N > 1) or ``--installers K`` the job holds one task per cooperating
installer and the in-job build starts them with ``srun`` (``stack/run/installers.py``):
Spack's own locks share the DAG between them.

Why the whole build in one job rather than one job per package: Spack's installer
already orders and parallelises a stack's builds (and shares one install tree and its
locks); what a site needs is to move that work off the login node. So the job runs the
same ``stack build`` with ``--scheduler local`` through the in-job runner
(``shard_job.py``), and the driver waits for it and reads the build record it leaves in
``--out`` on the shared filesystem. A job that ends without a record (time limit,
cancel, node failure) is reported with the scheduler's state and the job's output.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from typing import Callable, List, Optional

from .... import PACKAGE_PARENT
from ....errors import PesoError
from ....fsutil import atomic_write
from ....spackcall.buildcache import cache_url
from .. import records, testlog
from .base import JobState, SchedulerFacts, placeholder
from .batch import POLL, BatchGroup

#: Minutes for a batch build when neither --time nor the queue's maximum says.
DEFAULT_BUILD_MINUTES = 120


def build_minutes(facts: SchedulerFacts) -> int:
    minutes = facts.time_minutes or facts.max_minutes or DEFAULT_BUILD_MINUTES
    if facts.min_minutes:
        minutes = max(minutes, facts.min_minutes)
    return int(minutes)


class BatchBuild:
    """Submit ``argv`` (a ``stack build ... --scheduler local``) as one job and wait."""

    def __init__(
        self,
        adapter,
        facts: SchedulerFacts,
        out_dir: str,
        argv: List[str],
        env: dict,
        on_event: Callable = lambda *a, **k: None,
        dry_run: bool = False,
        poll: Optional[float] = None,
    ):
        self.adapter, self.facts, self.out_dir, self.argv = adapter, facts, out_dir, argv
        self.env = dict(env)
        # the job runs `python -m peso`: it must find this package wherever it is installed
        self.env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_PARENT, self.env.get("PYTHONPATH")) if p)
        self.on_event, self.dry_run = on_event, dry_run
        self.poll = POLL if poll is None else poll
        self.job_dir = os.path.join(out_dir, "build-job")
        self.record_path = os.path.join(out_dir, "build.json")

    def run(self) -> Optional[dict]:
        """The build record the job wrote; ``None`` for a dry run."""
        if not self.dry_run and placeholder(self.facts.account):
            raise PesoError("the target's account is a placeholder (%s): give --account" % self.facts.account)
        if not self.dry_run and not shutil.which(self.adapter.submit_command):
            raise PesoError(
                "%s not found: not on a %s login node? (--dry-run writes the script anyway)"
                % (self.adapter.submit_command, self.adapter.kind)
            )
        minutes = build_minutes(self.facts)
        stage = os.path.join(self.job_dir, "stage")
        os.makedirs(stage, exist_ok=True)
        for name in ("job-start.json", "job-end.json"):
            if os.path.exists(os.path.join(stage, name)):
                os.unlink(os.path.join(stage, name))
        manifest = os.path.join(self.job_dir, "manifest.json")
        atomic_write(
            manifest,
            json.dumps(
                {
                    "timeout": max(60, minutes * 60 - 60),
                    "shards": [{"index": 0, "name": "stack-build", "stage": stage, "argv": self.argv}],
                },
                indent=1,
            )
            + "\n",
        )
        group = BatchGroup(
            name="build",
            indices=[0],
            gpus=0,
            minutes=minutes,
            facts=self.facts,
            run_id=time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
            manifest=manifest,
            logs=os.path.join(self.job_dir, "logs"),
            shard_names=["stack-build"],
        )
        os.makedirs(group.logs, exist_ok=True)
        script = os.path.join(self.job_dir, "build" + self.adapter.script_suffix)
        atomic_write(script, self.adapter.script(group))
        ((argv, covered),) = self.adapter.submissions(group, script)
        self.on_event("submit", argv=argv, script=script, dry_run=self.dry_run)
        if self.dry_run:
            return None
        submitted = time.time()
        proc = subprocess.run(argv, capture_output=True, text=True, env=self.env)
        if proc.returncode != 0:
            why = (proc.stderr.strip() or proc.stdout.strip() or "exit %d" % proc.returncode).splitlines()[-1]
            raise PesoError("%s refused the build job: %s" % (argv[0], why), script)
        job = self.adapter.parse_submit(proc.stdout, covered)[0]
        atomic_write(os.path.join(self.job_dir, "job.json"), json.dumps({"job_id": job, "argv": argv}) + "\n")
        self.on_event("submitted", job_ids=[job], group="build")
        state = self._wait(job)
        if os.path.exists(self.record_path) and os.path.getmtime(self.record_path) >= submitted:
            record = records.load_record(self.record_path)
            record["batch_job"] = {"job_id": job, "state": state.state, "scheduler": self.adapter.kind}
            return record
        output = ""
        log = self.adapter.job_output(group.logs, job)
        for path in (log, os.path.join(stage, "spack-output.txt")):
            if path and os.path.exists(path):
                with open(path, errors="replace") as f:
                    output = f.read() or output
        raise PesoError(
            "build job %s ended %s%s without a build record; last output:\n%s"
            % (
                job,
                state.state,
                " (%s)" % state.reason if state.reason not in ("", "None") else "",
                testlog.tail(output, 10),
            ),
            self.record_path,
        )

    def _wait(self, job: str) -> JobState:
        missing = 0
        while True:
            states = self.adapter.query([job], self.env)
            state = (states or {}).get(job)
            if states is not None and state is None:
                missing += 1
                if missing >= 3:
                    return JobState(job, "UNKNOWN")
            elif state is not None and not state.active:
                return state
            time.sleep(self.poll)


def inner_argv(args, place) -> List[str]:
    """The ``stack build`` the job runs: the same options, paths absolute, run locally.

    ``place`` is the command's resolved ``stack.session.StackPlace``: the job is given the
    profile's file and the stack's folder, so it builds what this command resolved
    whatever its working directory and environment variables."""
    argv = [
        sys.executable,
        "-m",
        "peso",
        "stack",
        "build",
        "--target",
        place.target_argument,
        "--env",
        place.env_dir,
        "--out",
        place.out_dir,
        "--scheduler",
        "local",
    ]
    for scope in args.scopes:
        argv += ["-C", os.path.abspath(scope)]
    for item in args.config:
        argv += ["-c", item]
    if args.jobs:
        argv += ["-j", str(args.jobs)]
    if args.only:
        argv += ["--only", ",".join(args.only)]
    if getattr(args, "mirror", None):
        argv += ["--mirror", os.path.abspath(args.mirror)]
    for option in ("use_buildcache", "buildcache"):
        if getattr(args, option, None):
            argv += ["--" + option.replace("_", "-"), cache_url(getattr(args, option))]
    if getattr(args, "key", None):
        argv += ["--key", args.key]
    if getattr(args, "parallel_packages", None):
        argv += ["--parallel-packages", str(args.parallel_packages)]
    if getattr(args, "installers", None) and args.installers > 1:
        argv += ["--installers", str(args.installers)]
    if getattr(args, "unsigned", False):
        argv.append("--unsigned")
    return argv


def installer_tasks(args, facts: SchedulerFacts) -> SchedulerFacts:
    """The build job's task count: one per cooperating installer (``stack/run/installers.py``).

    ``--nodes N`` alone means one installer per node; ``--installers K`` sets the count
    (the tasks spread over the nodes, several per node when K > N). The job asks for that
    many tasks, and the in-job ``stack build`` starts them with one ``srun``. Sets
    ``args.installers`` for ``inner_argv``."""
    count = getattr(args, "installers", None) or (facts.nodes if facts.nodes > 1 else None)
    if count and facts.nodes > count:
        raise PesoError("--nodes %d with --installers %d: a node would have no installer" % (facts.nodes, count))
    args.installers = count
    if not count or count < 2:
        return facts
    if facts.kind != "slurm" and facts.nodes > 1:
        # installers.py starts the tasks of several nodes with srun only; under another
        # scheduler they would all run on the job's first node while the others idle
        raise PesoError(
            "cooperating installers across nodes are started with srun (Slurm); under %s they run on one node: "
            "give --nodes 1 --installers K" % facts.kind
        )
    if getattr(args, "parallel_packages", None):
        raise PesoError(
            "--parallel-packages runs one make on one node; --nodes/--installers run cooperating installers: give one"
        )
    directives = list(facts.directives)
    if facts.kind == "slurm" and facts.cores_per_node:
        # each installer's `spack install -j` needs cores: without this Slurm gives a task one
        directives.append("--cpus-per-task=%d" % max(1, facts.cores_per_node * facts.nodes // count))
    return replace(facts, tasks_per_shard=count, directives=directives)
