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
