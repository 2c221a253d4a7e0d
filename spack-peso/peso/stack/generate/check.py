"""``stack generate --check``: ask the real Spack whether a rendered stack is valid.

Two steps, both answered by Spack itself rather than by our own idea of its format:

1. schema: ``spack.schema.env.schema`` with Spack's vendored jsonschema validator, then
   loading the folder as a Spack environment (which applies override keys, includes and
   the packages/concretizer sub-schemas). Inside Spack this runs in-process; outside it
   runs through ``spack python``.
2. concretize: a verdict per root (``concretize_each``: batched solves with Spack's own
   solver, failures retried alone for Spack's message, resumable from a record), or with
   ``--lock`` the plain ``spack -e DIR concretize`` summarised from ``spack.lock`` (it
   stops at the first failing root; its ``Error:`` blocks are returned).
"""

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from typing import List, Optional

from ...errors import PesoError
from ...spackcall.process import probe_text, run_spack_python, spack_env
from ...spackcall.runtime import in_spack, require_spack


@dataclass
class CheckResult:
    schema_ok: bool
    schema_error: str = ""
    concretized: Optional[bool] = None
    roots: int = 0
    specs: int = 0
    seconds: float = 0.0
    failures: List[str] = field(default_factory=list)
    log: str = ""

    @property
    def ok(self):
        return self.schema_ok and self.concretized is not False


def _check_schema_in_process(env_dir):
    """Inside Spack: the same probe, run in this process (no subprocess, same Spack)."""
    import contextlib
    import io

    buf = io.StringIO()
    old = os.environ.get("PESO_CHECK_DIR")
    os.environ["PESO_CHECK_DIR"] = os.path.abspath(env_dir)
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(probe_text("schema"), "<peso schema probe>", "exec"), {"__name__": "peso_probe"})
    finally:
        if old is None:
            os.environ.pop("PESO_CHECK_DIR", None)
        else:
            os.environ["PESO_CHECK_DIR"] = old
    result = json.loads(buf.getvalue().split("PESO-CHECK ", 1)[1])
    return result["ok"], result["error"]


def check_schema(env_dir, spack=None, env=None):
    """``(ok, one-line error)`` from Spack's own schema and config loading."""
    if spack is None and env is None and in_spack():
        return _check_schema_in_process(env_dir)
    spack = spack or require_spack()
    extra = dict(env or {}, PESO_CHECK_DIR=os.path.abspath(env_dir))
    out = run_spack_python(spack, probe_text("schema"), env=spack_env(extra), timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("PESO-CHECK "):
            result = json.loads(line[len("PESO-CHECK ") :])
            return result["ok"], result["error"]
    tail = (out.stderr or out.stdout).strip().splitlines()
    return False, tail[-1] if tail else "spack python failed (%d)" % out.returncode


def parse_failures(output):
    """The ``Error:`` blocks of a failed concretization, one string each."""
    failures: list = []
    lines = output.splitlines()
    i = 0
    while i < len(lines):
        if re.match(r"^==> Error:", lines[i]) or re.match(r"^\s*\d+\. ", lines[i]) and failures:
            block = [lines[i].strip()]
            i += 1
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                if lines[i].strip():
                    block.append(lines[i].strip())
                i += 1
            failures.append(" ".join(block)[:600])
            continue
        i += 1
    return failures


def lock_summary(env_dir):
    """``(roots, unique concrete specs)`` from ``spack.lock``."""
    with open(os.path.join(env_dir, "spack.lock"), encoding="utf-8") as f:
        lock = json.load(f)
    return len(lock.get("roots", [])), len(lock.get("concrete_specs", {}))


def run_concretize(env_dir, spack=None, jobs=None, timeout=7200, env=None):
    """``(ok, roots, specs, seconds, failures, log)`` of ``spack -e DIR concretize``."""
    spack = spack or require_spack()
    argv = [spack, "-e", os.path.abspath(env_dir), "concretize", "--force"]
    if jobs:
        argv += ["-j", str(jobs)]
    start = time.time()
    try:
        out = subprocess.run(argv, capture_output=True, text=True, env=spack_env(env), timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, 0, 0, time.time() - start, ["timeout after %d s" % timeout], ""
    seconds = time.time() - start
    log = out.stdout + out.stderr
    if out.returncode != 0:
        return False, 0, 0, seconds, parse_failures(log) or [log.strip().splitlines()[-1:]], log
    roots, specs = lock_summary(env_dir)
    return True, roots, specs, seconds, [], log


def stack_fingerprint(env_dir):
    """sha256 of what a root's verdict depends on besides the root itself: the stack's
    configuration. With ``unify: false`` each root is solved on its own, so adding, removing
    or skipping other roots (a new known issue, say) keeps the recorded verdicts valid. The
    root lists (``definitions``, a ``specs`` list of plain strings) are left out; a stack
    with spec groups, whose ``override`` is configuration, is hashed whole."""
    import hashlib

    import yaml

    with open(os.path.join(env_dir, "spack.yaml"), "rb") as f:
        raw = f.read()
    try:
        doc = yaml.safe_load(raw) or {}
        config = dict(doc["spack"])
    except (yaml.YAMLError, KeyError, TypeError, ValueError):
        return hashlib.sha256(raw).hexdigest()[:16]
    if all(isinstance(x, str) for x in config.get("specs", [])):
        config.pop("specs", None)
        config.pop("definitions", None)
        raw = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def read_record(record, fingerprint=None, missing_ok=True):
    """``{spec: result}`` from a ``--record`` file, the last line per spec winning; only
    the results recorded under ``fingerprint`` when one is given. A line cut short (the run
    was killed while writing it) is skipped; any other malformed line is an error."""
    if missing_ok and (not record or not os.path.exists(record)):
        return {}
    known = {}
    try:
        with open(record, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(item, dict) or "spec" not in item or "ok" not in item:
                    raise PesoError("line %d: not a --record line (needs spec and ok)" % n, path=record)
                if fingerprint is None or item.get("stack") == fingerprint:
                    known[item["spec"]] = item
    except OSError as e:
        raise PesoError("cannot read: %s" % e.strerror, path=record)
    return known


def _quiet(event, **info):
    pass


#: seconds between two progress reports while solves run (a batch can take minutes)
PROGRESS_EVERY = 15


class Verdicts(list):
    """The verdicts of ``concretize_each`` (a list of ``{spec, ok, error, ...}``), with what
    a caller needs to explain a shortfall: ``total``, the stack's roots as Spack counts
    them (``None`` when no worker got as far as reading the environment), and ``why``,
    the reason some roots have no verdict ("" when every root has one). "0 of 7 roots
    have a verdict" must never be the whole message."""

    def __init__(self, items=(), total: Optional[int] = None, why: str = ""):
        super().__init__(items)
        self.total, self.why = total, why


def _error_line(path: str) -> str:
    """The last line of a worker's stderr that names an error (Spack's ``==> Error:`` or
    an exception's ``...Error: message``), else its last line: a syntax error ends with
    a ``^^^`` marker line that says nothing alone."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return ""
    named = [line for line in lines if re.search(r"(Error|Exception)\b.*:", line)]
    return (named or lines or [""])[-1][:300]


def _shortfall(timed_out: bool, timeout: float, procs, errors, env_dir) -> str:
    """Why roots were left without a verdict: the time limit, or the worker that ended
    early with its exit status and the last line it wrote (Spack's own error)."""
    if timed_out:
        return "the --timeout of %g s ran out before Spack answered for them" % timeout
    for proc, err in zip(procs, errors):
        if proc.returncode:
            last = _error_line(err)
            return "a Spack solver process exited with status %d%s" % (
                proc.returncode,
                ": " + last if last else " without a message",
            )
    return "Spack's solver processes ended without answering for them (try 'spack -e %s concretize')" % env_dir


def concretize_each(
    env_dir,
    spack=None,
    jobs=2,
    timeout=7200,
    env=None,
    record=None,
    batch=16,
    resume=False,
    batch_timeout=300,
    on_progress=_quiet,
):
    """Give every root its own verdict, in ``jobs`` worker processes: one failing spec does
    not hide the others (``spack concretize`` stops at the first error). Roots are solved
    ``batch`` at a time (see ``spack_each_probe.py``); ``batch=1`` solves each alone.

    Returns ``Verdicts``, the list of ``{spec, ok, error, seconds, mode, stack}`` with the
    root count and the reason for any root left without one. With ``record``, each is
    appended there as a JSON line as soon as it is known, so a run cut short by ``timeout``
    or by the end of a session keeps what it found; with ``resume``, roots already recorded
    for the same configuration (``stack_fingerprint``) are taken from the record instead of
    solved again.

    ``on_progress(event, **info)`` hears ``"verdict"`` for each root as it is decided,
    ``"batch"`` when a batch is finished (``batch``, ``batches``: the n-th of m) and
    ``"progress"`` at least every ``PROGRESS_EVERY`` seconds; each with ``done``, ``total``
    once Spack has told it, ``failed``, ``elapsed``: a solve of 200 roots takes minutes
    and must not look hung."""
    import selectors
    import tempfile

    spack = spack or require_spack()
    jobs = max(1, jobs or 1)
    fingerprint = stack_fingerprint(env_dir)
    results = list(read_record(record, fingerprint).values()) if resume else []
    roots = None  # the stack's roots, as Spack spells them: told by worker 0
    batches_done = 0
    fd, script = tempfile.mkstemp(prefix="peso-each-", suffix=".py")
    with os.fdopen(fd, "w") as f:
        f.write(probe_text("each"))
    sfd, skip = tempfile.mkstemp(prefix="peso-skip-", suffix=".json")
    with os.fdopen(sfd, "w") as f:
        json.dump([r["spec"] for r in results], f)
    procs, errors = [], []
    try:
        for i in range(jobs):
            extra = dict(
                env or {},
                PESO_CHECK_DIR=os.path.abspath(env_dir),
                PESO_OFFSET=str(i),
                PESO_STRIDE=str(jobs),
                PESO_BATCH=str(batch),
                PESO_SKIP=skip,
                PESO_BATCH_TIMEOUT=str(max(1, int(batch_timeout))),
            )
            efd, err_path = tempfile.mkstemp(prefix="peso-each-", suffix=".err")
            errors.append(err_path)
            with os.fdopen(efd, "w") as err:  # a file, not a pipe: nobody reads it until the end
                procs.append(
                    subprocess.Popen(
                        [spack, "python", script],
                        stdout=subprocess.PIPE,
                        stderr=err,
                        text=True,
                        env=spack_env(extra),
                    )
                )
        started = time.time()
        deadline = started + timeout
        last_report = started

        def report(event, **info):
            done = [r for r in results if roots is None or r["spec"] in roots]
            on_progress(
                event,
                done=len(done),
                total=len(roots) if roots is not None else None,
                failed=sum(not r["ok"] for r in done),
                elapsed=time.time() - started,
                **info,
            )

        sel = selectors.DefaultSelector()
        for p in procs:
            if p.stdout is not None:
                sel.register(p.stdout, selectors.EVENT_READ, p)
        open_streams = len(procs)
        while open_streams and time.time() < deadline:
            if time.time() - last_report >= PROGRESS_EVERY:
                report("progress")
                last_report = time.time()
            for key, _ in sel.select(timeout=5):
                line = key.data.stdout.readline()
                if not line:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                if line.startswith("PESO-ROOTS "):
                    roots = set(json.loads(line[len("PESO-ROOTS ") :]))
                if line.startswith("PESO-SPEC "):
                    item = dict(json.loads(line[len("PESO-SPEC ") :]), stack=fingerprint)
                    results.append(item)
                    if record:
                        with open(record, "a", encoding="utf-8") as out:
                            out.write(json.dumps(item) + "\n")
                    report("verdict", item=item)
                if line.startswith("PESO-BATCH "):
                    batches_done += 1
                    report("batch", batch=batches_done, batches=json.loads(line[len("PESO-BATCH ") :])["batches"])
                    last_report = time.time()
        timed_out = bool(open_streams)
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        # a resumed verdict counts only for a root this stack still has
        answered = [r for r in results if roots is None or r["spec"] in roots]
        complete = roots is not None and {r["spec"] for r in answered} >= roots
        why = "" if complete else _shortfall(timed_out, timeout, procs, errors, env_dir)
        return Verdicts(answered, total=len(roots) if roots is not None else None, why=why)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        for path in [script, skip, *errors]:
            os.unlink(path)


def check_environment(env_dir, concretize=True, jobs=None, timeout=7200, spack=None, env=None):
    """Schema check, then (optionally) concretize with the real Spack."""
    ok, error = check_schema(env_dir, spack=spack, env=env)
    result = CheckResult(schema_ok=ok, schema_error=error)
    if ok and concretize:
        (result.concretized, result.roots, result.specs, result.seconds, result.failures, result.log) = run_concretize(
            env_dir, spack=spack, jobs=jobs, timeout=timeout, env=env
        )
    return result
