"""The lint flags of issue 5 through the command line: --fix/--diff, --baseline,
--update-baseline, --changed-since (and --deep's clear error without Spack)."""

import os
import subprocess
import sys

from policy_data import EXT


def peso(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "peso", "lint", "--no-cache", *args],
        capture_output=True,
        text=True,
        cwd=cwd or EXT,
        env=env,
        timeout=600,
    )


def test_diff_shows_fixes_without_writing_then_fix_writes(repo_copy):
    before = {p: open(p).read() for p in map(str, repo_copy.glob("packages/*/package.py"))}
    proc = peso(str(repo_copy), "--fix", "--diff")
    assert proc.returncode == 1  # there is something to fix
    assert '+    maintainers("robertu94")' in proc.stdout
    assert 'self.spec.satisfies("+shared")' in proc.stdout
    assert {p: open(p).read() for p in before} == before
    proc = peso(str(repo_copy), "--fix", "--select", "PESO-M002,PESO-S006,PESO-R003")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # clean for the fixed rules
    assert "fixed" in proc.stdout + proc.stderr
    assert {p: open(p).read() for p in before} != before


def test_baseline_cycle(repo_copy, tmp_path):
    base = str(tmp_path / "peso-baseline.json")
    proc = peso(str(repo_copy), "--policy", "all", "--fail-on", "info", "--baseline", base, "--update-baseline")
    assert proc.returncode == 0 and os.path.exists(base)
    # nothing new: passes even with --fail-on info
    proc = peso(str(repo_copy), "--policy", "all", "--fail-on", "info", "--baseline", base)
    assert proc.returncode == 0, proc.stdout
    # shift lines and add one new problem: only that one is reported
    recipe = repo_copy / "packages" / "szx" / "package.py"
    text = "# shifted\n" * 5 + recipe.read_text().replace('    git = "https://github.com/szcompressor/szx"\n', "")
    recipe.write_text(text)
    proc = peso(str(repo_copy), "--policy", "all", "--fail-on", "info", "--baseline", base, "--format", "json")
    assert proc.returncode == 1
    import json

    new = json.loads(proc.stdout)
    assert new and {f["package"] for f in new} == {"szx"}
    assert "PESO-S001" in {f["rule"] for f in new}  # no git any more
    assert "known, 0 fixed" in proc.stderr + proc.stdout


def test_update_baseline_needs_a_file(repo_copy):
    proc = peso(str(repo_copy), "--update-baseline")
    assert proc.returncode == 2 and "--baseline" in proc.stderr


def test_changed_since_lints_only_changed_recipes(repo_copy):
    env = dict(
        os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t"
    )
    run = lambda *a: subprocess.run(["git", *a], cwd=repo_copy, check=True, capture_output=True, env=env)  # noqa: E731
    run("init", "-q")
    run("add", ".")
    run("commit", "-q", "-m", "base")
    proc = peso(str(repo_copy), "--changed-since", "HEAD", env=env)
    assert proc.returncode == 0 and "no recipes changed" in proc.stdout + proc.stderr
    recipe = repo_copy / "packages" / "exampm" / "package.py"
    recipe.write_text(recipe.read_text() + "\n")
    proc = peso(str(repo_copy), "--changed-since", "HEAD", "--format", "json", "--fail-on", "error", env=env)
    import json

    assert {f["package"] for f in json.loads(proc.stdout)} == {"exampm"}


def test_deep_without_spack_is_a_clear_error(repo_copy, tmp_path):
    """No SPACK_ROOT, no spack on PATH, an empty user cache and an archive folder
    without the pinned archives: one line naming what is missing, exit 2."""
    empty = tmp_path / "no-archives"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SPACK_ROOT"}
    env["PATH"] = os.path.dirname(sys.executable) + ":/usr/bin:/bin"
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["PESO_SPACK_ARCHIVES"] = str(empty)
    assert not any(os.path.exists(os.path.join(d, "spack")) for d in env["PATH"].split(":"))
    proc = peso(str(repo_copy), "--deep", env=env)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert str(empty) in proc.stderr and "spack-" in proc.stderr and ".tar.gz" in proc.stderr
