"""One way to start a Spack process, with one isolation.

Every subprocess that runs ``spack`` (``stack build``/``test``, ``--check``, probes) takes
its environment from :func:`spack_env`, so none of them reads the caller's ``~/.spack``:
results depend on the stack, the target profile and the ``-C`` scopes given, not on who
runs them. Probe programs (``spack_*_probe.py`` beside this module) run under Spack's
Python with Spack's import path and are never imported by ``peso``.
"""

import os
import subprocess
import tempfile
from typing import Dict, Optional

HERE = os.path.dirname(os.path.abspath(__file__))


def spack_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Environment for Spack subprocesses: no ``~/.spack``, the caller's overrides kept."""
    env = dict(os.environ)
    env.setdefault("SPACK_DISABLE_LOCAL_CONFIG", "1")
    env.update(extra or {})
    return env


def probe_path(name: str) -> str:
    """Path of ``spack_<name>_probe.py`` (or ``spack_<name>.py``) beside this module."""
    for candidate in ("spack_%s_probe.py" % name, "spack_%s.py" % name):
        path = os.path.join(HERE, candidate)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(os.path.join(HERE, "spack_%s_probe.py" % name))


def probe_text(name: str) -> str:
    """The text of a probe program, to run by ``spack python`` or exec inside Spack."""
    with open(probe_path(name), encoding="utf-8") as f:
        return f.read()


def run_spack_python(spack: str, code: str, env: Optional[Dict[str, str]] = None, timeout: int = 600):
    """``spack python SCRIPT`` (``-c`` accepts a single statement only)."""
    fd, script = tempfile.mkstemp(prefix="peso-probe-", suffix=".py")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(code)
        return subprocess.run(
            [spack, "python", script], capture_output=True, text=True, env=spack_env(env), timeout=timeout
        )
    finally:
        os.unlink(script)
