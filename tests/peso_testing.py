"""Helpers shared by test modules and conftest files (importable as ``peso_testing``:
the tests folder is on ``sys.path``)."""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(reason: str):
    """Fail under CI, skip elsewhere: what a test needs is not on this machine."""
    if IN_CI:
        pytest.fail("CI=true and %s" % reason, pytrace=False)
    pytest.skip(reason)


#: the checkout's root folder
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
