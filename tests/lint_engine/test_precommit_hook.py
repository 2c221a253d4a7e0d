"""The pre-commit hook definition runs the real command on the files it is given."""

import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_hook_lints_the_changed_recipes(project, tmp_path):
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml")) as f:
        (hook,) = yaml.safe_load(f)
    assert hook["id"] == "spack-peso-lint" and hook["language"] == "python"
    assert hook["pass_filenames"] is True
    good = project.add("good")
    bad = project.add("bad", raw="def f(:\n")
    files = re.compile(hook["files"])
    assert files.search("repo/spack_repo/demo/packages/bad/package.py") and not files.search("setup.py")
    entry = shlex.split(hook["entry"])
    assert entry[:3] == ["python", "-m", "peso"]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"))
    cmd = [sys.executable] + entry[1:] + ["--cache-dir", str(tmp_path / "c"), "--select", "PESO-E001"]
    ok = subprocess.run(cmd + [good], capture_output=True, text=True, env=env, cwd=project.root)
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run(cmd + [good, bad], capture_output=True, text=True, env=env, cwd=project.root)
    assert failed.returncode == 1 and "bad/package.py:1:" in failed.stdout
