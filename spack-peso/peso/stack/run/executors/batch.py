"""The batch driver shared by Slurm, PBS and Flux: submit shards, wait, turn ends into rows.

Why one driver: what happens around a scheduler is the same everywhere. The shards of
a run are written once to ``<run>/jobs/manifest.json`` on the shared filesystem; each
job runs ``shard_job.py MANIFEST INDEX`` on a compute node, which leaves
``job-start.json``/``job-end.json`` and Spack's test stage in the shard's folder. The
driver stores every job id in the run record right after submitting (a driver killed
at any later moment loses nothing: ``--attach`` finds the jobs by those ids), then polls
the scheduler and the stage folders. A shard whose runner finished is parsed exactly like
a local shard; a job that ended any other way (time limit, cancel, node failure, never
started) gets its status from :func:`.base.classify_fault`. ``--retry-node-fail N``
resubmits only node failures and jobs that never started for a reason other than a
cancel, each at most N times, in a fresh stage.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ....errors import PesoError
from ....fsutil import atomic_write
from .. import job_install, testlog
from .base import (
    JobState,
    SchedulerFacts,
    Shard,
    check_script_path,
    classify_fault,
    job_variables,
    killed_part,
    mark_killed,
    placeholder,
    shard_minutes,
)

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shard_job.py")
#: Seconds between scheduler polls (``PESO_BATCH_POLL`` overrides; tests use 1).
POLL = float(os.environ.get("PESO_BATCH_POLL", "5"))
#: Polls a job may be missing from the scheduler's answer before it counts as UNKNOWN,
#: and a finished job may lack its ``job-end.json`` (shared filesystems lag).
MISSING_POLLS = 3


@dataclass
class BatchGroup:
    """Shards submitted together (one Slurm array, one PBS array, N Flux jobs)."""

    name: str
    indices: List[int]
    gpus: int
    minutes: int
    facts: SchedulerFacts
    run_id: str
    manifest: str
    logs: str
    python: str = sys.executable
    runner: str = RUNNER
    throttle: Optional[int] = None
    shard_names: List[str] = field(default_factory=list)

    @property
    def job_name(self) -> str:
        return "peso-%s-%s" % (self.run_id, self.name)


def _read_json(path) -> Optional[dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class BatchExecutor:
    """Shards as batch jobs; ``run`` submits and (unless detached) waits."""

    def __init__(
        self,
        adapter,
        facts: SchedulerFacts,
        timeout: float,
        throttle: Optional[int] = None,
        retry_node_fail: int = 0,
        detach: bool = False,
        dry_run: bool = False,
        poll: Optional[float] = None,
    ):
        self.adapter, self.facts, self.timeout = adapter, facts, timeout
        self.kind = adapter.kind
        self.throttle, self.retry_node_fail = throttle, retry_node_fail
        self.detach, self.dry_run = detach, dry_run
        self.poll = POLL if poll is None else poll
        if not dry_run:  # checked before the run writes anything
            if placeholder(facts.account):
                raise PesoError("the target's account is a placeholder (%s): give --account" % facts.account)
            if not shutil.which(adapter.submit_command):
                raise PesoError(
                    "%s not found: not on a %s login node? (--dry-run writes the scripts anyway)"
                    % (adapter.submit_command, adapter.kind)
                )
        self.shards: Dict[int, Shard] = {}
        self.cancelled: set = set()  # job ids this driver asked the scheduler to cancel
        self.manifest = ""  # set when the run writes it (or from the record on attach)
        self.env = dict(os.environ)

    @classmethod
    def from_record(cls, adapter, record: dict, poll: Optional[float] = None) -> "BatchExecutor":
        info = record["executor"]
        executor = cls(
            adapter,
            SchedulerFacts.from_dict(info["facts"]),
            info["timeout"],
            info.get("throttle"),
            info.get("retry_node_fail", 0),
            dry_run=True,
            poll=poll,
        )
        executor.dry_run = False  # constructed without the submission checks: its jobs exist
        executor.manifest = info["manifest"]
        with open(executor.manifest) as f:
            doc = json.load(f)
        executor.shards = {
            s["index"]: Shard(**{k: v for k, v in s.items() if k in Shard.__dataclass_fields__}) for s in doc["shards"]
        }
        return executor

    # -- submission --------------------------------------------------------------------
    def run(self, run, to_run):
        if not to_run:
            return None
        if run.cli is not None:
            self.env = dict(run.cli.process_env)
        jobs_dir = check_script_path(os.path.join(run.run_dir, "jobs"))
        self.manifest = os.path.join(jobs_dir, "manifest.json")
        for index, (root, row) in enumerate(to_run):
            self.shards[index] = run.shard(root, index)
            row["shard_index"] = index
        atomic_write(
            self.manifest,
            json.dumps(
                {
                    "run_id": run.run_id,
                    "timeout": self.timeout,
                    "shards": [dict(s.to_dict(), timeout=self.timeout) for s in self.shards.values()],
                    "variables": job_variables(),
                },
                indent=1,
            )
            + "\n",
        )
        run.record["executor"] = {
            "kind": self.kind,
            "facts": self.facts.to_dict(),
            "timeout": self.timeout,
            "throttle": self.throttle,
            "retry_node_fail": self.retry_node_fail,
            "manifest": self.manifest,
            "submissions": [],
        }
        run.save()
        self.submit(run, sorted(self.shards), attempt=1)
        if self.dry_run:
            for index in self.shards:
                row = self._row(run, index)
                run.replace_row(dict(row, status="NOT_RUN", reason="--dry-run: written, not submitted"))
            run.record["dry_run"] = True
            return None
        if self.detach:
            run.record["detached"] = True
            run.save()
            return "detached"
        self.wait(run)
        return None

    def _row(self, run, index) -> dict:
        shard = self.shards[index]
        for row in run.record["specs"]:
            if row["hash"] == shard.hash and row["target"] == run.target:
                return row
        raise KeyError(shard.hash)

    def submit(self, run, indices: List[int], attempt: int) -> None:
        """One submission per resource class (CPU shards, GPU shards); ids saved at once."""
        jobs_dir = os.path.dirname(self.manifest)
        for gpus in sorted({self.shards[i].gpus for i in indices}):
            chosen = [i for i in indices if self.shards[i].gpus == gpus]
            group = BatchGroup(
                name="%s-%d" % ("gpu" if gpus else "cpu", attempt),
                indices=chosen,
                gpus=gpus if self.facts.gpus_per_node else 0,
                # a job that installs first (--install-local) has --timeout for each step
                minutes=shard_minutes(self.timeout * (2 if self.shards[chosen[0]].install_argv else 1), self.facts),
                facts=self.facts,
                run_id=run.run_id,
                manifest=self.manifest,
                logs=os.path.join(jobs_dir, "logs"),
                throttle=self.throttle,
                shard_names=[self.shards[i].name for i in chosen],
            )
            os.makedirs(group.logs, exist_ok=True)
            script = os.path.join(jobs_dir, "%s%s" % (group.name, self.adapter.script_suffix))
            atomic_write(script, self.adapter.script(group))
            os.chmod(script, 0o755)
            for argv, covered in self.adapter.submissions(group, script):
                entry = {"group": group.name, "attempt": attempt, "script": script, "argv": argv, "job_ids": {}}
                run.record["executor"]["submissions"].append(entry)
                run.on_event(
                    "submit",
                    argv=argv,
                    script=script,
                    shards=[self.shards[i].name for i in covered],
                    dry_run=self.dry_run,
                )
                if self.dry_run:
                    continue
                proc = subprocess.run(argv, capture_output=True, text=True, env=self.env)
                if proc.returncode != 0:
                    why = proc.stderr.strip() or proc.stdout.strip() or "exit %d" % proc.returncode
                    why = why.splitlines()[-1]
                    for i in covered:
                        row = self._row(run, i)
                        run.replace_row(dict(row, status="NOT_RUN", reason="%s refused the job: %s" % (argv[0], why)))
                    entry["error"] = why
                    run.save()
                    continue
                ids = self.adapter.parse_submit(proc.stdout, covered)
                entry["job_ids"] = {str(i): job for i, job in ids.items()}
                for i, job in ids.items():
                    row = dict(self._row(run, i), job_id=job, attempts=attempt, scheduler_state="SUBMITTED")
                    run.replace_row(row)  # saved: the id survives a killed driver
                run.on_event("submitted", job_ids=sorted(set(ids.values())), group=group.name)

    def cancel(self, run) -> None:
        """Ask the scheduler to cancel every outstanding job of the run (``--attach
        --cancel``); waiting then collects them as cancelled, running or pending."""
        job_ids = sorted({r["job_id"] for r in run.record["specs"] if r["status"] == "PENDING" and r.get("job_id")})
        if not job_ids:
            return
        argv = self.adapter.cancel_argv(job_ids)
        proc = subprocess.run(argv, capture_output=True, text=True, env=self.env)
        if proc.returncode == 0:
            self.cancelled.update(job_ids)
        run.record["executor"].setdefault("cancelled", []).append({"argv": argv, "exit": proc.returncode})
        run.save()
        run.on_event("cancel", argv=argv, job_ids=job_ids, exit=proc.returncode, error=proc.stderr.strip())

    # -- waiting -----------------------------------------------------------------------
    def attach(self, run) -> None:
        run.record["detached"] = False
        for row in run.record["specs"]:
            if row["status"] == "PENDING" and row.get("shard_index") is not None and not row.get("job_id"):
                run.replace_row(
                    dict(row, status="NOT_RUN", reason="never submitted (the driver stopped before submitting it)")
                )
        self.wait(run)

    def wait(self, run) -> None:
        """Until every submitted shard has a row; Ctrl-C leaves the jobs running (attachable)."""
        try:
            self._wait(run)
        except KeyboardInterrupt:
            run.record["detached"] = True
            run.save()
            raise

    def _wait(self, run) -> None:
        missing: Dict[int, int] = {}  # polls a job was absent from the scheduler's answer
        no_end: Dict[int, int] = {}  # polls a finished job's job-end.json was not visible yet
        while True:
            pending = {
                row["shard_index"]: row
                for row in run.record["specs"]
                if row["status"] == "PENDING" and row.get("job_id") and row.get("shard_index") is not None
            }
            if not pending:
                return
            states = self.adapter.query(sorted({row["job_id"] for row in pending.values()}), self.env)
            retry: list = []
            for index, row in sorted(pending.items()):
                shard = self.shards[index]
                end = _read_json(os.path.join(shard.stage, "job-end.json"))
                start = _read_json(os.path.join(shard.stage, "job-start.json"))
                state = (states or {}).get(row["job_id"])
                if states is not None and state is None:
                    missing[index] = missing.get(index, 0) + 1
                    if missing[index] >= MISSING_POLLS:
                        # a job this run cancelled (--cancel) may be purged before a poll sees it
                        cancelled = row["job_id"] in self.cancelled
                        state = JobState(row["job_id"], "CANCELLED" if cancelled else "UNKNOWN", "--cancel")
                if end and not end.get("signalled"):
                    done = self._finished(run, row, shard, end, state)
                elif state is None or state.active:
                    if state is not None and state.state != row.get("scheduler_state"):
                        row = dict(row, scheduler_state=state.state, node=state.node or row.get("node"))
                        run.replace_row(row)
                        if state.state == "RUNNING":
                            run.on_event("running", row=row)
                    continue
                elif not end and state.state in ("COMPLETED", "FAILED") and no_end.get(index, 0) < MISSING_POLLS:
                    no_end[index] = no_end.get(index, 0) + 1  # shared filesystems may show it late
                    continue
                else:
                    faulted = self._fault(run, row, shard, state, start, end)
                    if faulted is None:
                        run.replace_row(dict(row, scheduler_state=state.state, scheduler_reason=state.reason))
                        retry.append(index)
                        continue
                    done = faulted
                run.replace_row(done)
                run.on_event("done", row=done)
            if retry:
                self._resubmit(run, retry)
            time.sleep(self.poll)

    def _root(self, shard: Shard) -> dict:
        return {"package": shard.package, "hash": shard.hash, "tests": shard.tests}

    def _scheduler_fields(self, row: dict, state: Optional[JobState], start: Optional[dict]) -> dict:
        if state is not None:
            row["scheduler_state"] = state.state
            if state.reason and state.reason not in ("None", "(null)"):
                row["scheduler_reason"] = state.reason
        node = (start or {}).get("host") or (state.node if state else "")
        if node:
            row["node"] = node
        return row

    def _parts(self, shard: Shard) -> List[dict]:
        log_path = testlog.find_log(testlog.find_suite_dir(shard.stage), shard.package, shard.hash[:7])
        if not log_path:
            return []
        with open(log_path, encoding="utf-8", errors="replace") as f:
            return testlog.parse_log(f.read())

    def _log_text(self, shard: Shard) -> str:
        log_path = testlog.find_log(testlog.find_suite_dir(shard.stage), shard.package, shard.hash[:7])
        if not log_path:
            return ""
        with open(log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _finished(self, run, row, shard, end, state) -> dict:
        job = job_install.outcome(shard.stage, end["install"], shard.hash) if end.get("install") else None
        if job is not None:
            if not job["ok"]:
                failed = job_install.failed_row(row, job, end.get("host") or "?", end.get("job_id") or row["job_id"])
                return self._scheduler_fields(failed, state, end)
        wall = round(end["finished"] - end["started"], 3)
        done = run.finish_row(row, self._root(shard), shard.stage, end["rc"], end["timed_out"], wall)
        if end["timed_out"]:  # the runner's SIGTERM may reach the test before Spack: see killed_part
            hung = killed_part(self._parts(shard), shard.tests)
            if hung and hung != done.get("hung_part"):
                done["parts"] = [
                    p for p in done["parts"] if not (p["name"] == done.get("hung_part") and p["status"] == "TIMEOUT")
                ]
                mark_killed(done, hung, "TIMEOUT")
                done["hung_part"] = hung
                done["reason"] = "killed after %gs timeout while running %s" % (self.timeout, hung)
        if job is not None:
            done["job_install"] = job
        return self._scheduler_fields(done, state, end)

    def _fault(self, run, row, shard, state: JobState, start, end) -> Optional[dict]:
        """A job that ended without its runner's verdict; ``None`` means resubmit it."""
        root = self._root(shard)
        # --install-local: a job that ended while installing never reached its tests
        installing = bool(start) and job_install.installing(shard.stage)
        hung = killed_part(self._parts(shard), shard.tests) if start and not installing else None
        status, reason, retriable = classify_fault(state, bool(start), job_install.STEP if installing else hung)
        if retriable and row.get("attempts", 1) <= self.retry_node_fail:
            return None
        wall = None
        if start:
            ended = (end or {}).get("finished") or state.ended or time.time()
            wall = round(max(0.0, ended - start["started"]), 3)
        done = run.finish_row(row, root, shard.stage, None, False, wall)
        killed = "TIMEOUT" if status == "TIMEOUT" else "ERROR"
        for part in done["parts"]:
            if part["status"] == "RUNNING":  # every part the end interrupted (nested parts too)
                part["status"] = killed
        mark_killed(done, hung, killed)
        if status == "TIMEOUT":
            done["hung_part"] = hung
            done["log_excerpt"] = testlog.tail(self._log_text(shard))
        done["status"], done["reason"] = status, reason
        if not start:
            done["parts"], done["log"] = [], None
        job_log = self.adapter.job_output(os.path.join(os.path.dirname(self.manifest), "logs"), row["job_id"])
        if job_log and os.path.exists(job_log) and status != "TIMEOUT":
            with open(job_log, encoding="utf-8", errors="replace") as f:
                done["log_excerpt"] = testlog.tail(f.read())
        return self._scheduler_fields(done, state, start)

    def _resubmit(self, run, indices: List[int]) -> None:
        attempt = 1 + max(self._row(run, i).get("attempts", 1) for i in indices)
        for index in indices:
            stage = self.shards[index].stage
            if os.path.isdir(stage):
                shutil.move(stage, "%s.try%d" % (stage, attempt - 1))
            row = self._row(run, index)
            run.replace_row(
                dict(
                    row,
                    job_id=None,
                    previous_jobs=row.get("previous_jobs", [])
                    + [
                        {
                            "job_id": row["job_id"],
                            "state": row.get("scheduler_state"),
                            "reason": row.get("scheduler_reason", ""),
                        }
                    ],
                )
            )
            run.on_event("retry", row=row)
        self.submit(run, indices, attempt)
