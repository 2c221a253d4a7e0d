"""``stack test``: run the stand-alone tests of a stack's roots in parallel shards.

Why shards of ``spack test run`` (one spec each, own test stage, own alias) instead of
one ``spack test run`` or Spack's in-process ``TestSuite``: Spack runs specs one after the
other, its ``--timeout`` does not stop a hung test, and a crash or kill loses every
result. Here each shard is a process group we can kill on timeout; the driver polls
them (no threads, so Ctrl-C lands in one place), parses each shard's stage as soon as it
ends and rewrites the run record atomically, so an interrupted run keeps what finished.
Specs that cannot run (not installed, build failed, no tests, excluded) get their
status up front: every requested spec appears in the record. Where the shards run is
an executor's business (``executors/``: local process groups, or batch jobs); parsing a
finished shard's stage is the same code for all of them (:meth:`TestRun.finish_row`).
"""

import os
from typing import Callable, List, Optional, Sequence

from ...errors import PesoError
from ...spackcall.cli import SpackCLI
from . import records, selection, testlog
from .executors.base import Shard, needs_gpu
from .executors.local import LocalExecutor
from .job_install import JobInstall

Event = Callable[..., None]


def _noop(*args, **kwargs):
    pass


def select_specs(
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

    selected = selection.only(roots, only)
    selection.check_names(selected, skip, "--skip")
    built = {}
    for row in (build_record or {}).get("specs", []):
        built[row["hash"]] = row
    rerun = None
    decided, to_run = [], []
    if rerun_record is not None:
        rerun = {r["hash"]: r for r in rerun_record["specs"] if r["target"] == target}
    for root in sorted(selected, key=lambda r: (r["package"], r["hash"])):
        if rerun is not None:
            previous = rerun.get(root["hash"])
            if previous is None:
                continue
            if previous["status"] not in records.RERUN:
                kept = dict(previous, carried_over_from=(rerun_record or {}).get("run_id"))
                decided.append(kept)
                continue
        if skip and selection.names_root(root, skip):
            decided.append(records.spec_row(root, target, "SKIPPED", "excluded with --skip"))
        elif root.get("external"):
            decided.append(records.spec_row(root, target, "SKIPPED", "external package"))
        elif not root.get("installed"):
            build = built.get(root["hash"])
            if build and build["status"] == "BUILD_FAILED":
                row = records.spec_row(root, target, "BUILD_FAILED", build.get("reason", ""))
                row["log_excerpt"] = build.get("log_excerpt", "")
                row["log"] = build.get("log")
                decided.append(row)
            else:
                decided.append(records.spec_row(root, target, "NOT_INSTALLED", "not in the install tree"))
        elif not root.get("tests"):
            decided.append(records.spec_row(root, target, "NO_TESTS", "the recipe defines no test_* method"))
        else:
            to_run.append((root, records.spec_row(root, target, "PENDING")))
    if rerun is not None and not decided and not to_run:
        raise PesoError(
            "--rerun-failed: run %s has no row for target %s among the roots selected"
            % ((rerun_record or {}).get("run_id", "?"), target)
        )
    if skip and not to_run and all(r["status"] == "SKIPPED" for r in decided):
        raise PesoError("--skip excludes every root selected: nothing to test")
    return decided, to_run


class TestRun:
    """One ``stack test`` run: spec selection, shards, record, in ``<out_dir>/runs/<run id>``."""

    def __init__(
        self,
        cli: Optional[SpackCLI],
        target: str,
        out_dir: str,
        jobs: int = 2,
        timeout: float = 600.0,
        on_event: Event = _noop,
        executor=None,
        run_id: Optional[str] = None,
        install: Optional[JobInstall] = None,
    ):
        if jobs < 1:
            raise PesoError("-j/--jobs must be at least 1")
        if timeout <= 0:
            raise PesoError("--timeout must be positive")
        self.cli, self.target = cli, target
        self.run_id = run_id or records.new_run_id()
        self.run_dir = os.path.join(os.path.abspath(out_dir), "runs", self.run_id)
        self.jobs, self.timeout, self.on_event = jobs, timeout, on_event
        self.executor = executor or LocalExecutor(jobs, timeout)
        self.record_path = os.path.join(self.run_dir, "record.json")
        self.record: dict = {}
        #: ``--install-local`` in batch jobs: each job installs its root before testing it
        self.install = install

    @property
    def spack(self) -> SpackCLI:
        """The Spack that runs the tests: a run collected with ``--attach`` has none."""
        if self.cli is None:
            raise PesoError("this run was attached to: it starts no Spack")
        return self.cli

    # -- bookkeeping -------------------------------------------------------------------
    def save(self):
        records.write_record(self.record, self.record_path)

    def replace_row(self, row):
        specs = self.record["specs"]
        for i, old in enumerate(specs):
            if old["hash"] == row["hash"] and old["target"] == row["target"]:
                specs[i] = row
                break
        else:
            specs.append(row)
        self.save()

    # -- shards ------------------------------------------------------------------------
    def shard(self, root: dict, index: int) -> Shard:
        """The ``spack test run`` of one root: own test stage and alias, by DAG hash."""
        name = "peso-%s-%s-%s" % (self.target, root["package"], root["hash"][:7])
        stage = os.path.join(self.run_dir, "stage", name)
        config = ["config:test_stage:" + stage]
        if self.install is not None:
            config.append(self.install.tree_config)  # the tree the job installs into
        argv = self.spack.argv(
            "test",
            "run",
            "--explicit",
            "--alias",
            "%s-%s" % (name, self.run_id),
            "/" + root["hash"],
            config=config,
        )
        shard = Shard(
            index,
            name,
            root["package"],
            root["hash"],
            stage,
            argv,
            list(root.get("tests", [])),
            1 if needs_gpu(root) else 0,
        )
        if self.install is not None:
            shard.install_argv = self.install.install_argv(self.spack, root["hash"])
            shard.install_local = self.install.folder
        return shard

    def finish_row(
        self, row: dict, root: dict, stage: str, rc: Optional[int], timed_out: bool, wall: Optional[float]
    ) -> dict:
        """The row of a shard that ended, from what its test stage holds."""
        row = dict(row)
        row["wall"] = wall
        suite = testlog.find_suite_dir(stage)
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
        if timed_out:
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
            vacuous = testlog.mark_vacuous(parts, log_text) if spack_status == "PASSED" else None
            if vacuous:
                row["status"] = "PASSED_VACUOUS"
                row["reason"] = vacuous
            failed = [p for p in parts if p["status"] == "FAILED"]
            if failed:
                cause = " ".join(x for x in (failed[0]["message"], failed[0].get("detail")) if x)
                row["reason"] = "%s: %s" % (failed[0]["name"], cause)
                row["log_excerpt"] = failed[0]["excerpt"]
        else:
            output = ""
            output_path = os.path.join(stage, "spack-output.txt")
            if os.path.exists(output_path):
                with open(output_path, encoding="utf-8", errors="replace") as f:
                    output = f.read()
            row["status"] = "ERROR"
            row["reason"] = "spack test run exited %s without a result" % rc
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
        roots = self.spack.inventory(require_current=True)
        if self.install is not None:  # installed by their jobs, on the nodes
            roots = [dict(r, installed=not r.get("external")) for r in roots]
        decided, to_run = select_specs(roots, self.target, only, skip, build_record, rerun_record)
        offer = self.install.plan(self.spack, [r["hash"] for r, _ in to_run]) if self.install and to_run else None
        self.record = records.new_record("test", self.target, self.spack.env_dir, options or {}, self.run_id)
        if offer is not None:
            self.record["buildcache"] = offer
            self.on_event("cache_offer", **offer)
        if rerun_record is not None:
            self.record["rerun_of"] = rerun_record["run_id"]
        self.record["specs"] = decided + [row for _, row in to_run]
        self.save()
        self.on_event("planned", total=len(self.record["specs"]), to_run=len(to_run), record=self.record)
        for row in decided:
            self.on_event("done", row=row)
        if self.executor.run(self, to_run) == "detached":
            return self.record
        return self.complete()

    def complete(self) -> dict:
        self.record["complete"] = True
        self.record["finished"] = records.now_iso()
        self.save()
        return self.record

    @classmethod
    def attach(
        cls, record_path: str, on_event: Event = _noop, poll: Optional[float] = None, cancel: bool = False
    ) -> "TestRun":
        """Collect a batch run's results: a detached run, or one whose driver was killed.

        The run record holds the executor, its facts and every job id; the manifest holds
        the shards. Nothing else (no Spack, no environment) is needed to finish the run.
        """
        from .executors import adapter
        from .executors.batch import BatchExecutor

        record = records.load_record(record_path)
        info = record.get("executor")
        if not info or info.get("kind", "local") == "local":
            raise PesoError("not a batch run: nothing to attach to (run with --scheduler slurm|pbs|flux)", record_path)
        if record.get("dry_run"):
            raise PesoError("a --dry-run: its jobs were never submitted", record_path)
        run_dir = os.path.dirname(os.path.abspath(record_path))
        executor = BatchExecutor.from_record(adapter(info["kind"]), record, poll=poll)
        run = cls(
            None,
            record["target"],
            os.path.dirname(os.path.dirname(run_dir)),
            timeout=info["timeout"],
            on_event=on_event,
            executor=executor,
            run_id=record["run_id"],
        )
        run.run_dir, run.record_path, run.record = run_dir, os.path.abspath(record_path), record
        run.on_event(
            "planned",
            total=len(record["specs"]),
            to_run=sum(1 for r in record["specs"] if r["status"] == "PENDING"),
            record=record,
        )
        for row in record["specs"]:
            if row["status"] != "PENDING":
                run.on_event("done", row=row)
        if cancel:
            executor.cancel(run)
        executor.attach(run)
        run.complete()
        return run
