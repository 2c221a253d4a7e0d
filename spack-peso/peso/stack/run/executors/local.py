"""The ``local`` executor: shards as process groups on this machine (the default runner).

Why no threads: the driver polls its shards, so Ctrl-C lands in one place. Each shard
runs under ``shard_guard.py`` in its own session, so a timeout (SIGTERM, then SIGKILL of
the group) takes every process of the shard down, and so does the driver's death.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Dict

from .. import records

GUARD_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shard_guard.py")
#: Seconds between SIGTERM and SIGKILL of a timed-out shard's process group.
KILL_GRACE = 1.0
POLL = 0.1


class _Running:
    def __init__(self, root, row, shard, proc, output):
        self.root, self.row, self.shard, self.proc, self.output = root, row, shard, proc, output
        self.started = time.monotonic()
        self.term_sent = None
        self.timed_out = False


def _killpg(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class LocalExecutor:
    kind = "local"

    def __init__(self, jobs: int, timeout: float):
        self.jobs, self.timeout = jobs, timeout

    def _start(self, run, root, row) -> _Running:
        shard = run.shard(root, 0)
        os.makedirs(shard.stage, exist_ok=True)
        output = open(os.path.join(shard.stage, "spack-output.txt"), "wb")
        proc = subprocess.Popen(
            [sys.executable, GUARD_SCRIPT, str(os.getpid()), "--", *shard.argv],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=run.cli.process_env,
            start_new_session=True,
        )
        run.on_event("start", row=row)
        return _Running(root, row, shard, proc, output)

    def run(self, run, to_run) -> None:
        """Run ``to_run`` (``(root, row)`` pairs) ``jobs`` at a time; rows land in ``run``."""
        queue = list(to_run)
        running: Dict[int, _Running] = {}
        try:
            while queue or running:
                while queue and len(running) < self.jobs:
                    item = self._start(run, *queue.pop(0))
                    running[item.proc.pid] = item
                time.sleep(POLL)
                for pid, item in list(running.items()):
                    rc = item.proc.poll()
                    if rc is not None:
                        _killpg(item.proc, signal.SIGKILL)  # stragglers of a finished shard
                        del running[pid]
                        item.output.close()
                        row = run.finish_row(
                            item.row,
                            item.root,
                            item.shard.stage,
                            rc,
                            item.timed_out,
                            round(time.monotonic() - item.started, 3),
                        )
                        run.replace_row(row)
                        run.on_event("done", row=row)
                        continue
                    elapsed = time.monotonic() - item.started
                    if item.term_sent is None and elapsed > self.timeout:
                        item.timed_out = True
                        item.term_sent = time.monotonic()
                        _killpg(item.proc, signal.SIGTERM)
                    elif item.term_sent is not None and time.monotonic() - item.term_sent > KILL_GRACE:
                        _killpg(item.proc, signal.SIGKILL)
        except KeyboardInterrupt:
            for item in running.values():
                _killpg(item.proc, signal.SIGKILL)
            for item in running.values():
                item.proc.wait()
                item.output.close()
                row = dict(item.row, status="NOT_RUN", reason="run interrupted while this spec ran")
                run.record["specs"] = [r for r in run.record["specs"] if r["hash"] != row["hash"]] + [row]
            for _, row in queue:
                row = dict(row, status="NOT_RUN", reason="run interrupted before this spec ran")
                run.record["specs"] = [r for r in run.record["specs"] if r["hash"] != row["hash"]] + [row]
            run.record["interrupted"] = True
            run.record["finished"] = records.now_iso()
            run.save()
            raise
