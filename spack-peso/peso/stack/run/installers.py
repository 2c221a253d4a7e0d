"""``stack build --installers N``: N cooperating ``spack install`` over one install tree.

Why several ``spack install`` processes and not a scheduler of ours: Spack's installer is
made for this (Spack's "distributed builds", since v0.14: ``srun -N 2 -n 6 spack install``).
Each process walks the same DAG, takes a write lock on a spec's prefix before building it
and a read lock on its dependencies; a spec another process holds is requeued and, once
free, found installed in the shared database and skipped. A failure is marked in the
database's failure tracker, so the others drop its dependents instead of retrying it. A
process that dies loses its locks with it (they are ``fcntl`` locks), so the spec it was
building is taken up by a survivor, which removes the partial prefix and builds it again.

Inside a Slurm allocation the installers are the tasks of one ``srun`` step (one per
allocated task, across the job's nodes; ``--kill-on-bad-exit=0`` so a lost task does not
end the others); elsewhere they are local processes. Each writes its own log
(``installers/installer-<task>.log``) that starts with a header naming its task, host
and pid; who built what is read from its ``Successfully installed <name>-<version>-<hash>``
lines, and the logs feed the same output followers as one ``spack install``.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from typing import Callable, Dict, List, Optional, Sequence

from ...errors import PesoError

POLL = 0.5
HEADER = "==> peso installer"
_HEADER = re.compile(r"^==> peso installer (?P<task>\d+) on (?P<host>\S+) pid (?P<pid>\d+)\s*$")
_BUILT = re.compile(r"^==> .*?Successfully installed (?P<id>\S+)-(?P<hash>[a-z0-9]{32})\b")
# srun's word for a task that ended badly: "srun: error: node1: task 1: Killed"
_SRUN_TASK = re.compile(r"srun: error: (?P<host>\S+): tasks? (?P<tasks>[\d,\-]+): (?P<what>.+)$")
#: the wrapper each installer runs: the header, then ``exec`` (the pid stays Spack's)
_WRAPPER = 'echo "%s ${PESO_INSTALLER_TASK:-${SLURM_PROCID:-0}} on $(hostname) pid $$"; exec "$@"' % HEADER


def in_slurm_allocation(env: dict) -> bool:
    return bool(env.get("SLURM_JOB_ID")) and shutil.which("srun") is not None


class Installer:
    """One installer's log, read as it grows."""

    def __init__(self, task: int, log: str):
        self.task, self.log = task, log
        self.offset = 0
        self.partial = ""
        self.host: Optional[str] = None
        self.pid: Optional[int] = None
        self.built: Dict[str, str] = {}  # hash -> name-version
        self.exit_status: Optional[int] = None
        self.lost: Optional[str] = None
        self.last_error: Optional[str] = None
        self.retry = False  # the pass after the others, for what they left (``Cooperating.retry``)

    def new_lines(self) -> List[str]:
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8", errors="replace") as f:
            f.seek(self.offset)
            text = f.read()
            self.offset = f.tell()
        text, self.partial = self.partial + text, ""
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            self.partial = lines.pop()
        for line in lines:
            header = _HEADER.match(line)
            if header:
                self.host, self.pid = header.group("host"), int(header.group("pid"))
            if line.startswith("==> Error:"):
                self.last_error = line.strip()
            built = _BUILT.match(line)
            if built:
                self.built.setdefault(built.group("hash"), built.group("id"))
        return lines

    def flush(self) -> List[str]:
        lines = self.new_lines()
        if self.partial:
            lines.append(self.partial + "\n")
            self.partial = ""
        return lines

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "node": self.host,
            "pid": self.pid,
            "log": self.log,
            "exit_status": self.exit_status,
            "lost": self.lost,
            "last_error": self.last_error,
            "built": sorted(self.built.values()),
            "retry": self.retry,
        }


class Cooperating:
    """Run ``count`` installers of ``spack_argv``; feed their output lines to ``feed``."""

    def __init__(self, spack_argv: Sequence[str], out_dir: str, count: int, env: dict):
        if count < 2:
            raise PesoError("--installers must be at least 2 to cooperate (1 is the plain build)")
        self.spack_argv, self.count, self.env = list(spack_argv), count, dict(env)
        self.folder = os.path.join(out_dir, "installers")
        shutil.rmtree(self.folder, ignore_errors=True)
        os.makedirs(self.folder)
        self.installers = [Installer(t, os.path.join(self.folder, "installer-%d.log" % t)) for t in range(count)]
        self.launcher = "srun" if in_slurm_allocation(self.env) else "local"
        self.srun_log = os.path.join(self.folder, "srun.log")

    def srun_argv(self) -> List[str]:
        return [
            "srun",
            "--ntasks=%d" % self.count,
            "--kill-on-bad-exit=0",  # a lost task does not end the others
            "--wait=0",  # nor does the first to finish (a site's WaitTime would)
            *(["--cpus-per-task=" + self.env["SLURM_CPUS_PER_TASK"]] if self.env.get("SLURM_CPUS_PER_TASK") else []),
            "--output=" + os.path.join(self.folder, "installer-%t.log"),
            "sh",
            "-c",
            _WRAPPER,
            "peso-installer",
            *self.spack_argv,
        ]

    def run(self, feed: Callable[[str], None]) -> int:
        """Start them, follow their logs until all have ended; return the worst exit status
        (0 when every installer ended 0)."""
        if self.launcher == "srun":
            with open(self.srun_log, "w", encoding="utf-8") as srun_out:
                step = subprocess.Popen(
                    self.srun_argv(), stdout=srun_out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env
                )
                self._follow(feed, lambda: step.poll() is not None)
                rc = step.wait()
            self._srun_outcome(rc)
        else:
            procs = []
            for installer in self.installers:
                with open(installer.log, "w", encoding="utf-8") as log:
                    procs.append(
                        subprocess.Popen(
                            ["sh", "-c", _WRAPPER, "peso-installer", *self.spack_argv],
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL,
                            env=dict(self.env, PESO_INSTALLER_TASK=str(installer.task)),
                        )
                    )
            self._follow(feed, lambda: all(p.poll() is not None for p in procs))
            for installer, proc in zip(self.installers, procs):
                installer.exit_status = proc.wait()
                if installer.exit_status < 0:
                    installer.lost = "killed by %s" % signal.Signals(-installer.exit_status).name
        for installer in self.installers:
            for line in installer.flush():
                feed(line)
        statuses = [i.exit_status for i in self.installers if i.exit_status]
        return max((abs(s) for s in statuses), default=0)

    def troubled(self) -> bool:
        """Did an installer end other than by finishing (0) or by reporting failed builds (1)?"""
        return any(i.lost or i.exit_status not in (0, 1) for i in self.installers)

    def retry(self, spack_argv: Sequence[str], feed: Callable[[str], None]) -> int:
        """One more installer, here, for roots the others left neither built nor failed.

        Why a pass of our own: a survivor should take over a lost installer's spec (its
        locks died with it), but the Spack this was written against stops with
        ``LockUpgradeError`` / ``Can't call poll() before start()`` when a spec it waited
        for ends up not installed. This pass is one plain ``spack install`` of what is
        left, after every installer has ended, so nothing races with it."""
        installer = Installer(
            len(self.installers), os.path.join(self.folder, "installer-%d.log" % len(self.installers))
        )
        installer.retry = True
        self.installers.append(installer)
        with open(installer.log, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                ["sh", "-c", _WRAPPER, "peso-installer", *spack_argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(self.env, PESO_INSTALLER_TASK=str(installer.task)),
            )
            self._follow(feed, lambda: proc.poll() is not None, [installer])
            installer.exit_status = proc.wait()
        for line in installer.flush():
            feed(line)
        return installer.exit_status

    def _follow(
        self, feed: Callable[[str], None], ended: Callable[[], bool], which: Optional[List[Installer]] = None
    ) -> None:
        while True:
            done = ended()
            for installer in self.installers if which is None else which:
                for line in installer.new_lines():
                    feed(line)
            if done:
                return
            time.sleep(POLL)

    def _srun_outcome(self, rc: int) -> None:
        """Per-task exit from srun's own messages: it names only the tasks that ended badly."""
        with open(self.srun_log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        bad: Dict[int, str] = {}
        for line in text.splitlines():
            found = _SRUN_TASK.search(line)
            if found:
                for task in _tasks(found.group("tasks")):
                    bad[task] = found.group("what").strip()
        for installer in self.installers:
            what = bad.get(installer.task)
            if what is None:
                installer.exit_status = 0 if installer.pid is not None or rc == 0 else rc
                if installer.pid is None and rc != 0:
                    installer.lost = "never started (srun exit %d; see %s)" % (rc, self.srun_log)
                continue
            code = re.match(r"Exited with exit code (\d+)", what)
            installer.exit_status = int(code.group(1)) if code else -1
            if not code:
                installer.lost = what  # Killed, Terminated, Segmentation fault...

    def built_by(self) -> Dict[str, dict]:
        """hash -> {task, node} of the installer that built it (the first, should two have)."""
        owners: Dict[str, dict] = {}
        for installer in self.installers:
            for dag_hash in installer.built:
                owners.setdefault(dag_hash, {"task": installer.task, "node": installer.host})
        return owners

    def duplicates(self) -> List[str]:
        """name-version-hash of every spec more than one installer says it built."""
        seen: Dict[str, int] = {}
        for installer in self.installers:
            for dag_hash in installer.built:
                seen[dag_hash] = seen.get(dag_hash, 0) + 1
        ids = {h: i for inst in self.installers for h, i in inst.built.items()}
        return sorted("%s-%s" % (ids[h], h) for h, n in seen.items() if n > 1)

    def describe(self) -> str:
        return shlex.join(self.srun_argv()) if self.launcher == "srun" else "%d local processes" % self.count


def _tasks(expr: str) -> List[int]:
    out: List[int] = []
    for part in expr.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def not_built_reason(cooperating: Cooperating, rc: int) -> str:
    """Why a root is neither built nor failed: name the installers that were lost."""
    lost = [
        "task %d%s (%s)" % (i.task, " on " + i.host if i.host else "", i.lost) for i in cooperating.installers if i.lost
    ]
    if lost:
        return "not built: installer %s lost and no surviving installer built it" % ", ".join(lost)
    return "the cooperating installers ended (worst exit %d) before building it" % rc
