"""The curation loop on real products, end to end: lint finds the defect in the builtin
recipe, the curated recipe in repo/ fixes it, ``stack build``/``stack test`` with repo/
ahead of builtin turn FAILED into PASSED (and a vacuous pass into a real one),
``stack report --compare`` says so, and ``curate --patch`` writes the upstream patch with
those outcomes in its commit message."""

import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.e2e]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CURATED = {"hypre", "superlu"}


def _rows(record):
    return {row["package"]: row for row in record["specs"]}


def _peso(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "peso", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=900
    )


def test_lint_finds_the_defects_the_curated_recipes_fix(builtin_packages):
    for package, rule in (("hypre", "PESO-T009"), ("hypre", "PESO-T008"), ("superlu", "PESO-T008")):
        builtin = _peso(
            "lint",
            "--no-cache",
            "--policy",
            "all",
            "--select",
            rule,
            "--fail-on",
            "info",
            os.path.join(builtin_packages, package, "package.py"),
        )
        assert builtin.returncode == 1 and rule in builtin.stdout, (package, rule, builtin.stdout)
        curated = _peso(
            "lint",
            "--no-cache",
            "--policy",
            "all",
            "--select",
            rule,
            "--fail-on",
            "info",
            os.path.join(ROOT, "repo", "spack_repo", "peso", "packages", package, "package.py"),
        )
        assert curated.returncode == 0, (package, rule, curated.stdout)


def test_curated_recipes_turn_failed_into_passed(real_stack, curated_stack):
    before, after = _rows(real_stack[4]), _rows(curated_stack[4])
    for package in CURATED:
        assert before[package]["status"] == "FAILED", before[package]
        assert after[package]["status"] == "PASSED", after[package]
        ran = [p for p in after[package]["parts"] if p["status"] == "PASSED"]
        assert ran, after[package]
    # the curated rows come from the peso namespace, the others are the very same builds
    for package, row in after.items():
        assert (row["hash"] == before[package]["hash"]) == (package not in CURATED | {"py-pytest"}), package


def test_vacuous_pass_becomes_a_real_one(real_stack, curated_stack):
    before, after = _rows(real_stack[4]), _rows(curated_stack[4])
    assert before["py-pytest"]["status"] == "PASSED_VACUOUS"
    assert after["py-pytest"]["status"] == "PASSED"
    with open(after["py-pytest"]["log"], encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "import" in log and "\n_pytest\n" in log  # the test printed each module it imported


def test_report_compare_lists_fixed_and_now_tested(real_stack, curated_stack):
    stack = curated_stack[0]
    proc = _peso("stack", "report", curated_stack[3], "--compare", real_stack[3], env=stack.env)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    fixed = [entry for entry in text.splitlines() if entry.startswith("==> fixed (")][0]
    assert (
        "fixed (2)" in fixed and "hypre@debian12 FAILED->PASSED" in fixed and "superlu@debian12 FAILED->PASSED" in fixed
    )
    assert "now tested (1): py-pytest@debian12 PASSED_VACUOUS->PASSED" in text


def test_upstream_patch_names_the_test_outcome(real_stack, curated_stack, builtin_packages, tmp_path):
    proc = _peso(
        "curate",
        "--patch",
        str(tmp_path),
        "--builtin",
        os.path.dirname(builtin_packages),
        "--before",
        real_stack[3],
        "--after",
        curated_stack[3],
        "hypre",
        "superlu",
    )
    assert proc.returncode == 0, proc.stderr
    for package in CURATED:
        text = (tmp_path / ("%s.patch" % package)).read_text()
        assert "Stand-alone tests (spack test run): FAILED -> PASSED on debian12" in text, text[:2000]


def test_policy_report_shows_the_cells_the_curated_run_decides(real_stack, curated_stack, builtin_packages, tmp_path):
    """The builtin run as evidence, then the curated one: E4S-P2 (and xSDK-R1) turn from
    fail to pass for every curated product, each cell citing the curated run record."""
    env = curated_stack[0].env
    products = ["hypre", "py-pytest", "superlu"]
    before = _peso(
        "policy",
        "report",
        *products,
        "--repo",
        os.path.dirname(builtin_packages),
        "--evidence",
        real_stack[0].out,
        "-o",
        str(tmp_path / "before"),
        env=env,
    )
    assert before.returncode in (0, 1), before.stderr
    after = _peso(
        "policy",
        "report",
        *products,
        "--repo",
        os.path.join(ROOT, "repo", "spack_repo", "peso"),
        "--evidence",
        curated_stack[0].out,
        "--compare",
        str(tmp_path / "before"),
        "-o",
        str(tmp_path / "after"),
        env=env,
    )
    text = after.stdout + after.stderr
    assert after.returncode == 0, text
    run_dir = os.path.basename(os.path.dirname(curated_stack[3]))
    for package in products:
        line = [entry for entry in text.splitlines() if "improved  %s E4S-P2: fail -> pass" % package in entry]
        assert line and run_dir in line[0], (package, text[-3000:])
