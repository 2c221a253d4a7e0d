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

from ..spackenv import in_spack, require_spack

_SCHEMA_PROBE = r"""
import json, os
import spack.schema, spack.schema.env, spack.util.spack_yaml as syaml
path = os.environ["PESO_CHECK_DIR"]
result = {"ok": True, "error": ""}
try:
    with open(path + "/spack.yaml") as f:
        data = syaml.load(f)
    spack.schema.Validator(spack.schema.env.schema).validate(data)
    import spack.environment as ev
    env = ev.Environment(path)
    with env:
        import spack.config
        spack.config.get("packages")
        spack.config.get("concretizer")
except Exception as e:  # report, do not crash: the caller prints one line
    result = {"ok": False, "error": (type(e).__name__ + ": " + str(e)).splitlines()[0][:400]}
print("PESO-CHECK " + json.dumps(result))
"""


#: Python run by ``spack python`` worker processes. Roots are solved in batches the way
#: ``unify: when_possible`` does (Spack's ``Solver.solve_in_rounds``): one setup and one
#: grounding for a batch instead of one per root, about ten times less solver time for
#: E4S-sized roots. A root solved in a batch has a valid concretization under the stack's
#: configuration, which is what ``unify: false`` asks of each root. A root the rounds leave
#: unsolved is concretized alone, so its verdict and error message are Spack's own
#: ``concretize_one``; a batch that raises before solving anything (one root failing the
#: solver's setup) is halved until the culprit stands alone. Worker ``offset`` takes every
#: ``stride``-th batch; ``PESO_SKIP`` names a file of roots already recorded (``--resume``).
#: A verdict needs a model, not the best one: a batch's solve stops improving after
#: ``PESO_BATCH_TIMEOUT`` seconds (Spack's ``concretizer:timeout`` with
#: ``error_on_timeout: false``) and keeps the best model found, which, when Spack accepts it
#: (no error atoms, each root's candidate satisfies the root), is a valid concretization.
#: Roots it leaves unsolved are concretized alone, without a time limit.
#: Each root is given the stack's ``all: require: target=T`` explicitly: the same constraint
#: for Spack, but only targets named in root specs join the solver's candidates when they
#: are of another family than the host's (neoverse_v2 checked from an x86_64 machine).
_EACH_PROBE = r"""
import json, os, re, time
import spack.config, spack.environment as ev, spack.concretize, spack.spec
from spack.solver.asp import Solver
env = ev.Environment(os.environ["PESO_CHECK_DIR"])
ev.activate(env)
required = spack.config.get("packages:all:require", [])
required = [r for r in (required if isinstance(required, list) else [required])
            if isinstance(r, str) and re.match(r"^target=[\w.]+$", r)]

def abstract(text):
    spec = spack.spec.Spec(text)
    if required and not (spec.architecture and spec.architecture.target):
        spec.constrain(required[0])
    return spec

skip = set()
if os.environ.get("PESO_SKIP"):
    with open(os.environ["PESO_SKIP"]) as f:
        skip = set(json.load(f))
roots = [str(s) for s in env.user_specs]
if os.environ["PESO_OFFSET"] == "0":
    print("PESO-ROOTS " + json.dumps(roots), flush=True)
specs = [s for s in roots if s not in skip]
size = max(1, int(os.environ["PESO_BATCH"]))
offset, stride = int(os.environ["PESO_OFFSET"]), int(os.environ["PESO_STRIDE"])
batches = [specs[i:i + size] for i in range(0, len(specs), size)][offset::stride]
deprecated = spack.config.get("config:deprecated", False)
timeout = int(os.environ["PESO_BATCH_TIMEOUT"])
version = spack.get_version()

def emit(spec, ok, error, seconds, mode, concrete=None):
    facts = {"target": str(concrete.target), "nodes": len(list(concrete.traverse()))} if concrete else {}
    print("PESO-SPEC " + json.dumps(dict({"spec": spec, "ok": ok, "error": error, "mode": mode,
                                          "seconds": round(seconds, 1), "spack": version},
                                         **facts)), flush=True)

def alone(spec):
    start = time.time()
    try:
        concrete = spack.concretize.concretize_one(abstract(spec))
        emit(spec, True, "", time.time() - start, "alone", concrete)
    except Exception as e:
        emit(spec, False, " ".join(str(e).split())[:600], time.time() - start, "alone")

def solve(batch):
    if len(batch) == 1:
        return alone(batch[0])
    start, solved, raised = time.time(), {}, False
    inputs = {str(abstract(s)): s for s in batch}
    try:
        with spack.config.override("concretizer:timeout", timeout), \
                spack.config.override("concretizer:error_on_timeout", False):
            rounds = Solver().solve_in_rounds([spack.spec.Spec(s) for s in inputs],
                                              allow_deprecated=deprecated)
            for result in rounds:
                solved.update((inputs.get(str(s)), c) for s, c in result.specs_by_input.items())
    except Exception:
        raised = True  # the roots left unsolved are retried alone below
    if raised and not solved and time.time() - start < timeout:
        # e.g. one root fails the solver setup: halve the batch until it stands alone
        solve(batch[:len(batch) // 2])
        return solve(batch[len(batch) // 2:])
    share = (time.time() - start) / len(batch)
    for spec in batch:
        if spec in solved:
            emit(spec, True, "", share, "batch", solved[spec])
        else:
            alone(spec)

for batch in batches:
    solve(batch)
"""


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


def spack_env(extra=None):
    """Environment for Spack subprocesses: no ~/.spack, caller's overrides kept."""
    env = dict(os.environ)
    env.setdefault("SPACK_DISABLE_LOCAL_CONFIG", "1")
    env.update(extra or {})
    return env


def run_spack_python(spack, code, env=None, timeout=600):
    """``spack python SCRIPT`` (``-c`` accepts a single statement only)."""
    import tempfile

    fd, script = tempfile.mkstemp(prefix="peso-probe-", suffix=".py")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(code)
        return subprocess.run([spack, "python", script], capture_output=True, text=True,
                              env=env, timeout=timeout)
    finally:
        os.unlink(script)


def _check_schema_in_process(env_dir):
    """Inside Spack: the same probe, run in this process (no subprocess, same Spack)."""
    import contextlib
    import io

    buf = io.StringIO()
    old = os.environ.get("PESO_CHECK_DIR")
    os.environ["PESO_CHECK_DIR"] = os.path.abspath(env_dir)
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(_SCHEMA_PROBE, "<peso schema probe>", "exec"), {"__name__": "peso_probe"})
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
    out = run_spack_python(spack, _SCHEMA_PROBE, env=spack_env(extra), timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("PESO-CHECK "):
            result = json.loads(line[len("PESO-CHECK "):])
            return result["ok"], result["error"]
    tail = (out.stderr or out.stdout).strip().splitlines()
    return False, tail[-1] if tail else "spack python failed (%d)" % out.returncode


def parse_failures(output):
    """The ``Error:`` blocks of a failed concretization, one string each."""
    failures = []
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


def read_record(record, fingerprint):
    """Results already in ``record`` for this stack (last line per spec wins)."""
    if not record or not os.path.exists(record):
        return {}
    known = {}
    with open(record, encoding="utf-8") as f:
        for line in f:
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut short when the run was killed
            if item.get("stack") == fingerprint:
                known[item["spec"]] = item
    return known


def concretize_each(env_dir, spack=None, jobs=2, timeout=7200, env=None, record=None, batch=16,
                    resume=False, batch_timeout=300):
    """Give every root its own verdict, in ``jobs`` worker processes: one failing spec does
    not hide the others (``spack concretize`` stops at the first error). Roots are solved
    ``batch`` at a time (see ``_EACH_PROBE``); ``batch=1`` solves each alone.

    Returns the list of ``{spec, ok, error, seconds, mode, stack}``. With ``record``, each is
    appended there as a JSON line as soon as it is known, so a run cut short by ``timeout``
    or by the end of a session keeps what it found; with ``resume``, roots already recorded
    for the same configuration (``stack_fingerprint``) are taken from the record instead of
    solved again."""
    import selectors
    import tempfile

    spack = spack or require_spack()
    jobs = max(1, jobs or 1)
    fingerprint = stack_fingerprint(env_dir)
    results = list(read_record(record, fingerprint).values()) if resume else []
    roots = None  # the stack's roots, as Spack spells them: told by worker 0
    fd, script = tempfile.mkstemp(prefix="peso-each-", suffix=".py")
    with os.fdopen(fd, "w") as f:
        f.write(_EACH_PROBE)
    sfd, skip = tempfile.mkstemp(prefix="peso-skip-", suffix=".json")
    with os.fdopen(sfd, "w") as f:
        json.dump([r["spec"] for r in results], f)
    procs = []
    try:
        for i in range(jobs):
            extra = dict(env or {}, PESO_CHECK_DIR=os.path.abspath(env_dir), PESO_OFFSET=str(i),
                         PESO_STRIDE=str(jobs), PESO_BATCH=str(batch), PESO_SKIP=skip,
                         PESO_BATCH_TIMEOUT=str(batch_timeout))
            procs.append(subprocess.Popen([spack, "python", script], stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True, env=spack_env(extra)))
        deadline = time.time() + timeout
        sel = selectors.DefaultSelector()
        for p in procs:
            sel.register(p.stdout, selectors.EVENT_READ, p)
        open_streams = len(procs)
        while open_streams and time.time() < deadline:
            for key, _ in sel.select(timeout=5):
                line = key.fileobj.readline()
                if not line:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                if line.startswith("PESO-ROOTS "):
                    roots = set(json.loads(line[len("PESO-ROOTS "):]))
                if line.startswith("PESO-SPEC "):
                    item = dict(json.loads(line[len("PESO-SPEC "):]), stack=fingerprint)
                    results.append(item)
                    if record:
                        with open(record, "a", encoding="utf-8") as out:
                            out.write(json.dumps(item) + "\n")
        # a resumed verdict counts only for a root this stack still has
        return [r for r in results if roots is None or r["spec"] in roots]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        os.unlink(script)
        os.unlink(skip)


def check_environment(env_dir, concretize=True, jobs=None, timeout=7200, spack=None, env=None):
    """Schema check, then (optionally) concretize with the real Spack."""
    ok, error = check_schema(env_dir, spack=spack, env=env)
    result = CheckResult(schema_ok=ok, schema_error=error)
    if ok and concretize:
        (result.concretized, result.roots, result.specs, result.seconds, result.failures,
         result.log) = run_concretize(env_dir, spack=spack, jobs=jobs, timeout=timeout, env=env)
    return result
