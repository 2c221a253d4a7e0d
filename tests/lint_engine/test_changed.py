"""--changed-since REV: committed, uncommitted and untracked changes; deletions dropped."""

import shutil
import subprocess

import pytest
from policy_data import REPO

from peso.errors import PesoError
from peso.lint.changed import changed_recipes


def git(cwd, *args):
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
        },
    )


@pytest.fixture
def gitrepo(tmp_path):
    work = tmp_path / "checkout"
    shutil.copytree(REPO, work / "repo")
    (work / "README").write_text("x\n")
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "base")
    return work


def test_changes_since_rev(gitrepo):
    pkgs = gitrepo / "repo" / "packages"
    # committed change
    p = pkgs / "szx" / "package.py"
    p.write_text(p.read_text() + "\n# committed\n")
    git(gitrepo, "commit", "-q", "-am", "szx")
    # unstaged change
    p = pkgs / "alpaka" / "package.py"
    p.write_text(p.read_text() + "\n# unstaged\n")
    # untracked new recipe
    (pkgs / "newpkg").mkdir()
    (pkgs / "newpkg" / "package.py").write_text("class Newpkg:\n    pass\n")
    # a patch beside a recipe selects that recipe
    (pkgs / "exampm" / "fix.patch").write_text("--- a\n+++ b\n")
    # a change outside the targets is ignored
    (gitrepo / "README").write_text("y\n")
    found = changed_recipes("HEAD~1", [str(gitrepo / "repo")])
    names = sorted(path.split("/")[-2] for path in found)
    assert names == ["alpaka", "exampm", "newpkg", "szx"]
    tracked_only = changed_recipes("HEAD~1", [str(gitrepo / "repo")], untracked=False)
    assert sorted(path.split("/")[-2] for path in tracked_only) == ["alpaka", "szx"]


def test_deleted_recipe_is_dropped(gitrepo):
    shutil.rmtree(gitrepo / "repo" / "packages" / "szx")
    assert changed_recipes("HEAD", [str(gitrepo / "repo")]) == []


def test_bad_revision_and_no_git_are_one_line_errors(gitrepo, tmp_path):
    with pytest.raises(PesoError) as e:
        changed_recipes("no-such-rev", [str(gitrepo / "repo")])
    assert "\n" not in str(e.value)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(PesoError):
        changed_recipes("HEAD", [str(plain)])


def _lint_json(cwd, *args, cache=None):
    """``peso lint --format json`` in ``cwd``: (exit status, findings, process); with the
    lint cache in ``cache``, else none."""
    import json
    import os
    import sys

    from peso_testing import ROOT

    proc = subprocess.run(
        [sys.executable, "-m", "peso", "lint", "--format", "json", *args]
        + (["--cache-dir", str(cache)] if cache else ["--no-cache"]),
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
        timeout=300,
    )
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip().startswith("[") else None), proc


def test_new_since_reports_only_what_the_change_introduced(gitrepo):
    """PR mode: a version bump in a recipe full of old findings reports nothing; a
    duplicated version line reports exactly that finding."""
    recipe = gitrepo / "repo" / "packages" / "szx" / "package.py"
    rc, before, proc = _lint_json(gitrepo, "repo/packages/szx", "--policy", "all")
    assert before, proc.stderr  # the recipe has findings already
    text = recipe.read_text()
    import re

    first_version = next(line for line in text.splitlines() if re.match(r'\s*version\("\d', line))
    bumped = re.sub(r'version\("[^"]+"', 'version("99.0.0"', first_version, count=1)
    recipe.write_text(text.replace(first_version, bumped + "\n" + first_version, 1))
    rc, found, proc = _lint_json(gitrepo, "repo", "--policy", "all", "--new-since", "HEAD")
    assert (rc, found) == (0, []), proc.stdout + proc.stderr
    assert "already there left out" in proc.stderr

    git(gitrepo, "commit", "-q", "-am", "bump")
    recipe.write_text(recipe.read_text().replace(bumped, bumped + "\n" + bumped, 1))  # a defect
    rc, found, proc = _lint_json(gitrepo, "repo", "--policy", "all", "--new-since", "HEAD")
    assert rc == 1, proc.stderr
    assert [f["rule"] for f in found] == ["PESO-S009"], found


def test_new_since_counts_every_finding_of_a_new_recipe(gitrepo):
    new = gitrepo / "repo" / "packages" / "brandnew"
    new.mkdir()
    (new / "package.py").write_text("from spack.package import *\n\n\nclass Brandnew(Package):\n    pass\n")
    rc, found, proc = _lint_json(gitrepo, "repo", "--policy", "all", "--new-since", "HEAD")
    assert rc == 1 and found and {f["package"] for f in found} == {"brandnew"}, proc.stderr


def test_new_since_over_commits_with_a_warm_cache(gitrepo, tmp_path):
    """PR mode over committed changes, the way CI runs it (``--new-since <base>``), with
    the lint cache warm from a run before the change: a commit that bumps a version in a
    recipe with findings reports nothing (exit 0), a commit that duplicates a version
    line reports exactly that finding (exit 1) - the old side comes from the cache's
    previous version of the recipe, the answer is the same as without a cache."""
    import re

    cache = tmp_path / "cache"
    recipe = gitrepo / "repo" / "packages" / "szx" / "package.py"
    rc, before, proc = _lint_json(gitrepo, "repo", "--policy", "all", cache=cache)
    assert rc == 1 and any(f["package"] == "szx" for f in before), proc.stderr  # old findings
    text = recipe.read_text()
    first = next(line for line in text.splitlines() if re.match(r'\s*version\("\d', line))
    bumped = re.sub(r'version\("[^"]+"', 'version("99.0.0"', first, count=1)
    recipe.write_text(text.replace(first, bumped + "\n" + first, 1))
    git(gitrepo, "commit", "-q", "-am", "szx: add 99.0.0")
    for _ in range(2):  # first run: the new side linted; second: both from the cache
        rc, found, proc = _lint_json(gitrepo, "repo", "--policy", "all", "--new-since", "HEAD~1", cache=cache)
        assert (rc, found) == (0, []), proc.stdout + proc.stderr
    recipe.write_text(recipe.read_text().replace(bumped, bumped + "\n" + bumped, 1))
    git(gitrepo, "commit", "-q", "-am", "szx: 99.0.0 twice")
    for since in ("HEAD~1", "HEAD~2"):
        rc, found, proc = _lint_json(gitrepo, "repo", "--policy", "all", "--new-since", since, cache=cache)
        assert rc == 1, proc.stderr
        assert [(f["rule"], f["package"]) for f in found] == [("PESO-S009", "szx")], found
    rc, found, proc = _lint_json(gitrepo, "repo", "--policy", "all", "--new-since", "HEAD~2")
    assert [f["rule"] for f in found] == ["PESO-S009"], proc.stderr  # no cache: the same answer
