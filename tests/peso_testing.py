"""Helpers shared by test modules and conftest files (importable as ``peso_testing``:
the tests folder is on ``sys.path``)."""

import os
import re
from collections import Counter

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(reason: str):
    """Fail under CI, skip elsewhere: what a test needs is not on this machine."""
    if IN_CI:
        pytest.fail("CI=true and %s" % reason, pytrace=False)
    pytest.skip(reason)


#: the checkout's root folder
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_peso(*argv, cwd, env=None, timeout=300):
    """``python -m peso ARGV`` from this checkout, in ``cwd``, with ``env`` added."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "peso", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), **(env or {})),
        timeout=timeout,
    )


def record_of(output: str) -> str:
    """The run record path ``stack test`` prints (``==> run record: PATH``)."""
    for line in output.splitlines():
        if "run record:" in line:
            return line.split("run record:", 1)[1].strip()
    raise AssertionError("no run record path in output:\n" + output)


def load_json(path: str):
    import json

    with open(path) as f:
        return json.load(f)


def dump_dom(browser, url, profile_dir, timeout=180):
    """The DOM of ``url`` after its scripts ran, from headless Chromium (one invocation for
    every HTML report test: no network, no first-run work, a throw-away profile)."""
    import subprocess

    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    return subprocess.run(
        [browser, *flags, "--user-data-dir=%s" % profile_dir, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


#: what one run of the demo stack (``repo/`` packages built to pass, fail, hang, ...)
#: gives each package, locally or through a scheduler
DEMO_STATUSES = {
    "peso-demo-lib": "PASSED",
    "peso-demo-app": "PASSED",
    "peso-demo-fail": "FAILED",
    "peso-demo-hang": "TIMEOUT",
    "peso-demo-data": "NO_TESTS",
    "peso-demo-broken": "BUILD_FAILED",
    "peso-demo-docs": "NOT_INSTALLED",
}


def statuses(record):
    """``{package: status}`` of a ``stack test`` run record."""
    return {r["package"]: r["status"] for r in record["specs"]}


def built_counts(folder):
    """``{name-version-hash: how many installer logs say they built it}``, read from the logs."""
    counts = Counter()
    for name in os.listdir(folder):
        if name.startswith("installer-") and name.endswith(".log"):
            with open(os.path.join(folder, name)) as f:
                counts.update(re.findall(r"Successfully installed (\S+-[a-z0-9]{32})", f.read()))
    return counts


def spack_python_answers(spack, folder, data, script: str) -> list:
    """What Spack itself answers for ``data``: ``script`` (Python run by ``spack python``
    with ``data``, JSON-loaded, as ``DATA``) prints one JSON value last; the reference
    the tests compare this project's readings of versions and specs against."""
    import json

    cases = os.path.join(str(folder), "spack-cases.json")
    with open(cases, "w") as f:
        json.dump(data, f)
    program = os.path.join(str(folder), "spack-answers.py")
    with open(program, "w") as f:
        f.write("import json, sys\nDATA = json.load(open(sys.argv[1]))\n" + script)
    out = spack("python", program, cases)
    return json.loads(out.stdout.strip().splitlines()[-1])
