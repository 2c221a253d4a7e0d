"""`peso policy stack`: untested roots, GPU backends a recipe lacks, conflicting GPU archs."""

import json
import subprocess
import sys

import yaml
from policy_data import EXT, REPO

from peso.policy import stacklint


def write_env(tmp_path, specs, definitions=None):
    env = {"spack": {"specs": specs}}
    if definitions:
        env["spack"]["definitions"] = definitions
    path = tmp_path / "spack.yaml"
    path.write_text(yaml.safe_dump(env))
    return str(path)


def test_stack_problems(tmp_path):
    env = write_env(
        tmp_path,
        [
            "szx +cuda cuda_arch=80",  # szx inherits CudaPackage: fine
            "exampm +rocm amdgpu_target=gfx90a",  # exampm has no rocm variant
            "alpaka",
            {"matrix": [["szx"], ["+cuda cuda_arch=90"]]},  # a second cuda_arch in the stack
            "nosuchpkg",
        ],
    )
    problems = stacklint.lint_stack(env, [REPO])
    by_rule = {}
    for p in problems:
        by_rule.setdefault(p.rule, []).append(p)
    assert sorted(p.package for p in by_rule["STACK-T001"]) == ["alpaka", "exampm", "szx"]
    (g1,) = by_rule["STACK-G001"]
    assert g1.package == "exampm" and "rocm/amdgpu_target" in g1.message
    (g2,) = by_rule["STACK-G002"]
    assert "cuda_arch=80" in g2.message and "cuda_arch=90" in g2.message
    assert [p.package for p in by_rule["STACK-R001"]] == ["nosuchpkg"]
    # findings point at the line that lists the spec (a stack-wide one at the file)
    lines = open(env).read().splitlines()
    assert "exampm +rocm" in lines[g1.line - 1] and g1.path == env
    assert "nosuchpkg" in lines[by_rule["STACK-R001"][0].line - 1]
    assert g2.line == 0


def test_both_backends_on_one_root(tmp_path):
    env = write_env(tmp_path, ["szx +cuda +rocm"])
    problems = stacklint.lint_stack(env, [REPO])
    g = [p for p in problems if p.rule in ("STACK-G001", "STACK-G002")]
    assert {p.rule for p in g} == {"STACK-G001", "STACK-G002"}  # no rocm variant, and both


def test_cli_exit_status_and_json(tmp_path):
    env = write_env(tmp_path, ["$cpu"], definitions=[{"cpu": ["szx"]}])
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "policy", "stack", env, "--repo", REPO, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=EXT,
    )
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)
    assert [(p["rule"], p["package"]) for p in problems] == [("STACK-T001", "szx")]
    clean = write_env(tmp_path, [])
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "policy", "stack", clean, "--repo", REPO],
        capture_output=True,
        text=True,
        cwd=EXT,
    )
    assert proc.returncode == 0, proc.stderr


def test_computed_variants_are_not_guessed(tmp_path):
    pkg = tmp_path / "repo" / "packages" / "dyn"
    pkg.mkdir(parents=True)
    pkg.joinpath("package.py").write_text(
        "from spack.package import *\n\n\nclass Dyn(CMakePackage):\n"
        '    """computed backend variants"""\n\n'
        '    for backend in ("sycl", "openmp"):\n'
        "        variant(backend, default=False, description=backend)\n\n"
        "    def test_run(self):\n"
        '        """runs"""\n'
        '        which("dyn")()\n'
    )
    env = write_env(tmp_path, ["dyn +sycl"])
    assert stacklint.lint_stack(env, [str(tmp_path / "repo")]) == []


def test_root_arch_conflicting_with_packages_all(tmp_path):
    path = tmp_path / "spack.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "spack": {
                    "packages": {"all": {"variants": "+mpi cuda_arch=80", "require": [{"spec": "target=zen3"}]}},
                    "specs": ["szx +cuda cuda_arch=90"],
                }
            }
        )
    )
    problems = stacklint.lint_stack(str(path), [REPO])
    (g2,) = [p for p in problems if p.rule == "STACK-G002"]
    assert "cuda_arch=80 (packages:all)" in g2.message and "cuda_arch=90 (szx)" in g2.message
    path.write_text(
        yaml.safe_dump(
            {"spack": {"packages": {"all": {"variants": "+mpi cuda_arch=80"}}, "specs": ["szx +cuda cuda_arch=80"]}}
        )
    )
    assert [p.rule for p in stacklint.lint_stack(str(path), [REPO])] == ["STACK-T001"]
