"""``stack test``: run the stand-alone tests of a stack's roots in parallel shards.

Why shards of ``spack test run`` (one spec each, own test stage, own alias) instead of
one ``spack test run`` or Spack's in-process ``TestSuite``: Spack runs specs one after the
other, its ``--timeout`` does not stop a hung test, and a crash or kill loses every
result. Here each shard is a process group we can kill on timeout; the driver polls
them (no threads, so Ctrl-C lands in one place), parses each shard's stage as soon as it
ends and rewrites the run record atomically, so an interrupted run keeps what finished.
Specs that cannot run (not installed, build failed, no tests, excluded) get their
status up front: every requested spec appears in the record.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

from ..errors import PesoError
from . import results, testlog
from .spack_cli import SpackCLI

GUARD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shard_guard.py")
#: Seconds between SIGTERM and SIGKILL of a timed-out shard's process group.
KILL_GRACE = 1.0
POLL = 0.1

Event = Callable[..., None]


def _noop(*args, **kwargs):
    pass


def plan(
    roots: List[dict],
    target: str,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    build_record: Optional[dict] = None,
    rerun_record: Optional[dict] = None,
):
    """Split the environment's roots into rows decided now and roots to run.

    Returns ``(decided_rows, to_run)``; ``to_run`` holds ``(root, row)`` pairs whose row
    is ``PENDING``. ``only``/``skip`` take package names or DAG hash prefixes.
    """

    def matches(root, names):
        return any(root["package"] == n or root["hash"].startswith(n.lstrip("/")) for n in names)

    if only:
        unknown = [n for n in only if not any(matches(r, [n]) for r in roots)]
        if unknown:
            raise PesoError("--only names no root of this environment: " + ", ".join(unknown))
    built = {}
    for row in (build_record or {}).get("specs", []):
        built[row["hash"]] = row
    rerun = None
    decided, to_run = [], []
    if rerun_record is not None:
        rerun = {r["hash"]: r for r in rerun_record["specs"] if r["target"] == target}
    for root in sorted(roots, key=lambda r: (r["package"], r["hash"])):
        if only and not matches(root, only):
            continue
        if rerun is not None:
            previous = rerun.get(root["hash"])
            if previous is None:
                continue
            if previous["status"] not in results.RERUN:
                kept = dict(previous, carried_over_from=rerun_record["run_id"])
                decided.append(kept)
                continue
        if skip and matches(root, skip):
            decided.append(results.spec_row(root, target, "SKIPPED", "excluded with --skip"))
        elif root.get("external"):
            decided.append(results.spec_row(root, target, "SKIPPED", "external package"))
        elif not root.get("installed"):
            build = built.get(root["hash"])
            if build and build["status"] == "BUILD_FAILED":
                row = results.spec_row(root, target, "BUILD_FAILED", build.get("reason", ""))
                row["log_excerpt"] = build.get("log_excerpt", "")
                row["log"] = build.get("log")
                decided.append(row)
            else:
                decided.append(results.spec_row(root, target, "NOT_INSTALLED", "not in the install tree"))
        elif not root.get("tests"):
            decided.append(results.spec_row(root, target, "NO_TESTS", "the recipe defines no test_* method"))
        else:
            to_run.append((root, results.spec_row(root, target, "PENDING")))
    return decided, to_run


class _Shard:
    def __init__(self, root, row, stage, proc, output):
        self.root, self.row, self.stage, self.proc, self.output = root, row, stage, proc, output
        self.started = time.monotonic()
        self.term_sent = None
        self.timed_out = False


def _killpg(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class TestRun:
    """One ``stack test`` run: plan, shards, record, in ``<out_dir>/runs/<run id>``."""

    def __init__(
        self,
        cli: SpackCLI,
        target: str,
        out_dir: str,
        jobs: int = 2,
        timeout: float = 600.0,
        on_event: Event = _noop,
    ):
        if jobs < 1:
            raise PesoError("-j/--jobs must be at least 1")
        if timeout <= 0:
            raise PesoError("--timeout must be positive")
        self.cli, self.target = cli, target
        self.run_id = results.new_run_id()
        self.run_dir = os.path.join(os.path.abspath(out_dir), "runs", self.run_id)
        self.jobs, self.timeout, self.on_event = jobs, timeout, on_event
        self.record_path = os.path.join(self.run_dir, "record.json")
        self.record = None

    # -- bookkeeping -------------------------------------------------------------------
    def _save(self):
        results.write_record(self.record, self.record_path)

    def _replace_row(self, row):
        specs = self.record["specs"]
        for i, old in enumerate(specs):
            if old["hash"] == row["hash"] and old["target"] == row["target"]:
                specs[i] = row
                break
        else:
            specs.append(row)
        self._save()

    # -- shards ------------------------------------------------------------------------
    def _start(self, root, row) -> _Shard:
        shard = "peso-%s-%s-%s" % (self.target, root["package"], root["hash"][:7])
        stage = os.path.join(self.run_dir, "stage", shard)
        os.makedirs(stage, exist_ok=True)
        argv = self.cli.argv(
            "test",
            "run",
            "--explicit",
            "--alias",
            "%s-%s" % (shard, self.record["run_id"]),
            "/" + root["hash"],
            config=["config:test_stage:" + stage],
        )
        output = open(os.path.join(stage, "spack-output.txt"), "wb")
        proc = subprocess.Popen(
            [sys.executable, GUARD_SCRIPT, str(os.getpid()), "--", *argv],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.cli.process_env,
            start_new_session=True,
        )
        self.on_event("start", row=row)
        return _Shard(root, row, stage, proc, output)

    def _finish(self, shard: _Shard, rc: int) -> dict:
        shard.output.close()
        row = dict(shard.row)
        row["wall"] = round(time.monotonic() - shard.started, 3)
        root = shard.root
        suite = testlog.find_suite_dir(shard.stage)
        log_path = testlog.find_log(suite, root["package"], root["hash"][:7])
        log_text = ""
        if log_path:
            with open(log_path, encoding="utf-8", errors="replace") as f:
                log_text = f.read()
        row["log"] = log_path
        parts = testlog.parse_log(log_text)
        spack_status = None
        for key, status in testlog.read_results(suite).items():
            if key.startswith(root["package"] + "-") and key.endswith("-" + root["hash"][:7]):
                spack_status = status
        if shard.timed_out:
            hung = testlog.hung_part(parts, root.get("tests", []))
            for part in parts:
                if part["status"] == "RUNNING":
                    part["status"] = "TIMEOUT"
            if hung and not any(p["name"] == hung for p in parts):
                parts.append({"name": hung, "status": "TIMEOUT", "message": "", "duration": None, "excerpt": ""})
            row["status"] = "TIMEOUT"
            row["reason"] = "killed after %gs timeout while running %s" % (self.timeout, hung or "?")
            row["hung_part"] = hung
            row["log_excerpt"] = testlog.tail(log_text)
        elif spack_status in ("PASSED", "FAILED", "SKIPPED", "NO_TESTS"):
            parts = [p for p in parts if p["status"] != "RUNNING"]
            row["status"] = spack_status
            failed = [p for p in parts if p["status"] == "FAILED"]
            if failed:
                row["reason"] = "%s: %s" % (failed[0]["name"], failed[0]["message"])
                row["log_excerpt"] = failed[0]["excerpt"]
        else:
            with open(os.path.join(shard.stage, "spack-output.txt"), encoding="utf-8", errors="replace") as f:
                output = f.read()
            row["status"] = "ERROR"
            row["reason"] = "spack test run exited %d without a result" % rc
            row["log_excerpt"] = testlog.tail(output)
        row["parts"] = parts
        return row

    # -- the run -----------------------------------------------------------------------
    def run(
        self,
        only: Sequence[str] = (),
        skip: Sequence[str] = (),
        build_record: Optional[dict] = None,
        rerun_record: Optional[dict] = None,
        options: Optional[dict] = None,
    ) -> dict:
        roots = self.cli.inventory()
        decided, to_run = plan(roots, self.target, only, skip, build_record, rerun_record)
        self.record = results.new_record("test", self.target, self.cli.env_dir, options or {}, self.run_id)
        if rerun_record is not None:
            self.record["rerun_of"] = rerun_record["run_id"]
        self.record["specs"] = decided + [row for _, row in to_run]
        self._save()
        self.on_event("planned", total=len(self.record["specs"]), to_run=len(to_run), record=self.record)
        for row in decided:
            self.on_event("done", row=row)
        queue = list(to_run)
        running: Dict[int, _Shard] = {}
        try:
            while queue or running:
                while queue and len(running) < self.jobs:
                    shard = self._start(*queue.pop(0))
                    running[shard.proc.pid] = shard
                time.sleep(POLL)
                for pid, shard in list(running.items()):
                    rc = shard.proc.poll()
                    if rc is not None:
                        _killpg(shard.proc, signal.SIGKILL)  # stragglers of a finished shard
                        del running[pid]
                        row = self._finish(shard, rc)
                        self._replace_row(row)
                        self.on_event("done", row=row)
                        continue
                    elapsed = time.monotonic() - shard.started
                    if shard.term_sent is None and elapsed > self.timeout:
                        shard.timed_out = True
                        shard.term_sent = time.monotonic()
                        _killpg(shard.proc, signal.SIGTERM)
                    elif shard.term_sent is not None and time.monotonic() - shard.term_sent > KILL_GRACE:
                        _killpg(shard.proc, signal.SIGKILL)
        except KeyboardInterrupt:
            for shard in running.values():
                _killpg(shard.proc, signal.SIGKILL)
            for shard in running.values():
                shard.proc.wait()
                shard.output.close()
                row = dict(shard.row, status="NOT_RUN", reason="run interrupted while this spec ran")
                self.record["specs"] = [r for r in self.record["specs"] if r["hash"] != row["hash"]] + [row]
            for _, row in queue:
                row = dict(row, status="NOT_RUN", reason="run interrupted before this spec ran")
                self.record["specs"] = [r for r in self.record["specs"] if r["hash"] != row["hash"]] + [row]
            self.record["interrupted"] = True
            self.record["finished"] = results.now_iso()
            self._save()
            raise
        self.record["complete"] = True
        self.record["finished"] = results.now_iso()
        self._save()
        return self.record
