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
        hook = yaml.safe_load(f)[0]
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


def test_new_findings_hook_ignores_what_the_commit_did_not_add(project, tmp_path):
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml")) as f:
        hook = {h["id"]: h for h in yaml.safe_load(f)}["spack-peso-lint-new"]
    entry = shlex.split(hook["entry"])
    assert entry[:3] == ["python", "-m", "peso"] and "--new-since" in entry
    old = project.add("old", raw="def f(:\n")  # broken before the commit: not this commit's finding
    git_env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t")
    git_env["GIT_COMMITTER_EMAIL"] = "t@t"
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=project.root, check=True, capture_output=True, env=git_env)
    with open(old, "a") as f:
        f.write("# touched\n")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"))
    cmd = [sys.executable] + entry[1:] + ["--cache-dir", str(tmp_path / "c"), "--select", "PESO-E001"]
    kept = subprocess.run(cmd + [old], capture_output=True, text=True, env=env, cwd=project.root)
    assert kept.returncode == 0 and "1 already there left out" in kept.stdout + kept.stderr, kept.stdout
    new = project.add("new", raw="def g(:\n")
    found = subprocess.run(cmd + [old, new], capture_output=True, text=True, env=env, cwd=project.root)
    assert found.returncode == 1 and "new/package.py:1:" in found.stdout and "old/package.py" not in found.stdout
