"""``spack peso curate``: overlays of builtin recipes with provenance, their diff and the
``git am``-able patch for spack-packages; the curation repository lints clean."""

import os
import shutil
import subprocess
import sys

import pytest

from peso.curate import overlay, upstream
from peso.errors import PesoError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPO = os.path.join(ROOT, "repo")
CURATED = os.path.join(REPO, "spack_repo", "peso")
PATCHES = os.path.join(REPO, "upstream-patches")
REL = "repos/spack_repo/builtin/packages"

RECIPE = '''from spack_repo.builtin.build_systems.makefile import MakefilePackage

from spack.package import *


class Foo(MakefilePackage):
    """Foo."""

    homepage = "https://example.org"
    url = "https://example.org/foo-1.0.tar.gz"

    version("1.0", sha256="%s")

    @run_after("install")
    def cache_tests(self):
        with open("examples/make.inc", "w") as inc:
            inc.write(f"CC = {env['CC']}")
        cache_extra_test_sources(self, "examples")

    def test_example(self):
        """build and run the cached example"""
        make("-C", join_path(self.test_suite.current_test_cache_dir, "examples"))
''' % ("0" * 64)


def _peso(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "peso", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
        timeout=600,
    )


@pytest.fixture
def bench(tmp_path):
    """A builtin tree holding ``foo`` (recipe and a patch file) and an empty curation repo."""
    builtin = tmp_path / "spack-packages" / REL
    (builtin / "foo").mkdir(parents=True)
    (builtin / "foo" / "package.py").write_text(RECIPE)
    (builtin / "foo" / "fix.patch").write_text("--- a\n+++ b\n")
    repo = tmp_path / "repo"
    (repo / "packages").mkdir(parents=True)
    (repo / "repo.yaml").write_text("repo:\n  namespace: peso\n")
    return builtin, repo


def test_curate_copies_the_folder_with_provenance_once(bench):
    builtin, repo = bench
    made = overlay.curate("foo", str(repo), str(builtin), "c" * 40, REL)
    assert sorted(os.listdir(made.folder)) == ["curation.yaml", "fix.patch", "package.py"]
    assert made.upstream_path == REL + "/foo/package.py"
    assert made.provenance["builtin"]["sha256"] == overlay.sha256_of(str(builtin / "foo" / "package.py"))
    assert [o.package for o in overlay.overlays(str(repo))] == ["foo"]
    with pytest.raises(PesoError, match="already curated"):
        overlay.curate("foo", str(repo), str(builtin), "c" * 40, REL)
    with pytest.raises(PesoError, match="no builtin recipe named 'bar'"):
        overlay.curate("bar", str(repo), str(builtin), "c" * 40, REL)


def test_patch_applies_to_the_builtin_and_names_what_it_fixes(bench, tmp_path):
    builtin, repo = bench
    made = overlay.curate("foo", str(repo), str(builtin), "c" * 40, REL)
    with open(made.recipe) as f:
        text = f.read()
    with open(made.recipe, "w") as f:
        f.write(text.replace('inc.write(f"CC = {env[' + "'CC'" + ']}")', 'inc.write("CC = cc")'))
    made.provenance["summary"] = "foo: no build compiler in cached tests"
    original = made.original(str(builtin))
    rules = upstream.fixed_rules(made, original)
    assert "PESO-T008" in [r for r, _, _ in rules]  # computed by linting both recipes
    message = upstream.commit_message(made, rules, None, {"PESO-T008": "build-compiler-in-test-sources"})
    patch = upstream.patch_text(made, original, message, "A <a@b.c>")
    assert "Subject: [PATCH] foo: no build compiler in cached tests" in patch
    assert "PESO-T008 build-compiler-in-test-sources (1 -> 0)" in patch
    tree = tmp_path / "checkout"
    shutil.copytree(str(tmp_path / "spack-packages"), str(tree))
    (tmp_path / "foo.patch").write_text(patch)
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    applied = subprocess.run(
        ["git", "apply", "--check", str(tmp_path / "foo.patch")], cwd=str(tree), capture_output=True, text=True
    )
    assert applied.returncode == 0, applied.stderr
    # the builtin recipe moved on: the overlay must be rebased, never silently diffed
    (builtin / "foo" / "package.py").write_text(RECIPE + "\n# upstream change\n")
    with pytest.raises(PesoError, match="changed since it was curated"):
        made.original(str(builtin))


def test_outcome_from_two_run_records():
    made = overlay.Overlay("hypre", "/x/hypre", {"summary": "s", "builtin": {"path": "p", "commit": "c" * 40}})
    before = {"specs": [{"package": "hypre", "status": "FAILED", "target": "debian12", "parts": []}]}
    after = {
        "specs": [
            {
                "package": "hypre",
                "status": "PASSED",
                "target": "debian12",
                "parts": [{"name": "test_bigint_ex5big", "status": "PASSED"}],
            }
        ]
    }
    assert upstream.test_outcome(made, before, after) == "FAILED -> PASSED on debian12 (test_bigint_ex5big PASSED)"
    assert upstream.test_outcome(made, before, None) is None


def _without_test_line(text):
    return "\n".join(line for line in text.splitlines() if not line.startswith("Stand-alone tests"))


def test_committed_patches_are_fresh_and_apply_to_the_pinned_builtin(builtin_packages, tmp_path):
    """``curate --patch`` over the committed overlays writes the committed patches (their
    test-outcome line comes from run records, see tests/real_stack), and each applies
    cleanly to the pinned spack-packages."""
    out = tmp_path / "patches"
    proc = _peso("curate", "--patch", str(out), "--builtin", os.path.dirname(builtin_packages))
    assert proc.returncode == 0, proc.stderr
    written = sorted(os.listdir(str(out)))
    assert written == sorted(p for p in os.listdir(PATCHES) if p.endswith(".patch"))
    tree = tmp_path / "checkout"
    for name in written:
        with open(os.path.join(PATCHES, name)) as f:
            committed = f.read()
        assert _without_test_line((out / name).read_text()) == _without_test_line(committed), name
        package_folder = name[: -len(".patch")]
        target = tree / REL / package_folder
        target.mkdir(parents=True)
        shutil.copy(os.path.join(builtin_packages, package_folder, "package.py"), str(target / "package.py"))
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    for name in written:
        applied = subprocess.run(
            ["git", "apply", "--check", os.path.join(PATCHES, name)], cwd=str(tree), capture_output=True, text=True
        )
        assert applied.returncode == 0, (name, applied.stderr)
    hypre = (out / "hypre.patch").read_text()
    assert "PESO-T009" in hypre and "PESO-T008" in hypre  # the two defects it fixes, found by lint
    assert "PESO-T008" in (out / "superlu.patch").read_text()


def test_curation_repository_lints_clean_with_every_rule():
    proc = _peso(
        "lint",
        "--policy",
        "all",
        "--fail-on",
        "info",
        "--no-cache",
        "--waivers",
        os.path.join(REPO, "peso-waivers.yaml"),
        REPO,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "0 errors, 0 warnings, 0 info" in proc.stdout + proc.stderr


def test_curate_errors_are_one_line(tmp_path):
    proc = _peso("curate", "--repo", str(tmp_path), "--diff", "hypre")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "not curated here: hypre" in proc.stderr
    proc = _peso("curate", "--repo", CURATED)
    assert proc.returncode == 2 and "name the builtin packages" in proc.stderr
