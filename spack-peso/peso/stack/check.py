"""``stack generate --check``: ask the real Spack whether a rendered stack is valid.

Two steps, both answered by Spack itself rather than by our own idea of its format:

1. schema: ``spack.schema.env.schema`` with Spack's vendored jsonschema validator, then
   loading the folder as a Spack environment (which applies override keys, includes and
   the packages/concretizer sub-schemas). Inside Spack this runs in-process; outside it
   runs through ``spack python``.
2. concretize: ``spack -e DIR concretize`` (opt-in: a 200-root stack takes many minutes),
   summarised from ``spack.lock``; on failure the ``Error:`` blocks are returned, one per
   failing spec where Spack names it.
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


#: Python run by ``spack python`` worker processes: concretize the env's root specs one at a
#: time (every ``stride``-th from ``offset``) with the env's configuration, one JSON line each
_EACH_PROBE = r"""
import json, os, time, traceback
import spack.environment as ev, spack.concretize, spack.spec
env = ev.Environment(os.environ["PESO_CHECK_DIR"])
ev.activate(env)
specs = [str(s) for s in env.user_specs]
offset, stride = int(os.environ["PESO_OFFSET"]), int(os.environ["PESO_STRIDE"])
for spec in specs[offset::stride]:
    start = time.time()
    try:
        spack.concretize.concretize_one(spack.spec.Spec(spec))
        ok, error = True, ""
    except Exception as e:
        ok, error = False, " ".join(str(e).split())[:600]
    print("PESO-SPEC " + json.dumps({"spec": spec, "ok": ok, "error": error,
                                     "seconds": round(time.time() - start, 1)}), flush=True)
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


def concretize_each(env_dir, spack=None, jobs=2, timeout=7200, env=None, record=None):
    """Concretize every root on its own, in ``jobs`` worker processes: one failing spec
    does not hide the others (``spack concretize`` stops at the first error). Returns the
    list of ``{spec, ok, error, seconds}``; with ``record``, appends each as a JSON line
    there as soon as it is known (useful when the run is cut short by ``timeout``)."""
    import tempfile

    spack = spack or require_spack()
    jobs = max(1, jobs or 1)
    fd, script = tempfile.mkstemp(prefix="peso-each-", suffix=".py")
    with os.fdopen(fd, "w") as f:
        f.write(_EACH_PROBE)
    procs = []
    try:
        for i in range(jobs):
            extra = dict(env or {}, PESO_CHECK_DIR=os.path.abspath(env_dir), PESO_OFFSET=str(i),
                         PESO_STRIDE=str(jobs))
            procs.append(subprocess.Popen([spack, "python", script], stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True, env=spack_env(extra)))
        results = []
        deadline = time.time() + timeout
        import selectors

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
                if line.startswith("PESO-SPEC "):
                    item = json.loads(line[len("PESO-SPEC "):])
                    results.append(item)
                    if record:
                        with open(record, "a", encoding="utf-8") as out:
                            out.write(json.dumps(item) + "\n")
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        os.unlink(script)


def check_environment(env_dir, concretize=True, jobs=None, timeout=7200, spack=None, env=None):
    """Schema check, then (optionally) concretize with the real Spack."""
    ok, error = check_schema(env_dir, spack=spack, env=env)
    result = CheckResult(schema_ok=ok, schema_error=error)
    if ok and concretize:
        (result.concretized, result.roots, result.specs, result.seconds, result.failures,
         result.log) = run_concretize(env_dir, spack=spack, jobs=jobs, timeout=timeout, env=env)
    return result
