"""`python -m peso lint` and `spack peso lint` (real Spack, both registration paths):
exit statuses, formats, --output, --explain, --list-rules, discovery inside Spack."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXT = os.path.join(ROOT, "spack-peso")
ENGINE_ONLY = ["--select", "PESO-E001,PESO-X"]


def peso(*args, cwd, env=None):
    full_env = dict(os.environ, **(env or {}))
    full_env["PYTHONPATH"] = EXT + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "peso", "lint", *args], capture_output=True, text=True, cwd=cwd, env=full_env
    )


@pytest.fixture
def cache_args(tmp_path):
    return ["--cache-dir", str(tmp_path / "cache")]


def test_clean_tree_exits_0(project, cache_args):
    project.add("pkg-a")
    proc = peso(*ENGINE_ONLY, *cache_args, cwd=project.root)
    assert proc.returncode == 0, proc.stderr
    assert "Checked 1 file (1 linted, 0 from cache)" in proc.stdout


def test_error_finding_exits_1(project, cache_args):
    project.add("pkg-a", raw="def f(:\n")
    proc = peso(*ENGINE_ONLY, *cache_args, cwd=project.root)
    assert proc.returncode == 1
    assert "repo/spack_repo/demo/packages/pkg_a/package.py:1:" in proc.stdout and "PESO-E001 error" in proc.stdout


def test_fail_on_threshold(project, cache_args):
    project.add("pkg-a", body="x = 1  # peso: ignore[PESO-E001] stale\n")  # unused: a warning
    assert peso(*ENGINE_ONLY, *cache_args, cwd=project.root).returncode == 0
    assert peso(*ENGINE_ONLY, *cache_args, "--fail-on", "warning", cwd=project.root).returncode == 1
    project.write("peso.yaml", "fail-on: warning\n")
    assert peso(*ENGINE_ONLY, *cache_args, cwd=project.root).returncode == 1
    assert peso(*ENGINE_ONLY, *cache_args, "--fail-on", "error", cwd=project.root).returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "html"], "invalid choice"),
        (["--select", "PESO-NOPE"], "matches no rule"),
        (["--policy", "nope"], "unknown lint profile"),
        (["no-such-package"], "unknown package"),
        (["--waivers", "missing.yaml"], "waiver file not found"),
        (["--explain", "PESO-NOPE"], "unknown rule"),
        (["--jobs", "0"], "whole number >= 1"),
    ],
)
def test_usage_errors_exit_2_with_one_line(project, cache_args, args, message):
    project.add("pkg-a")
    proc = peso(*args, *cache_args, cwd=project.root)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_config_exits_2_naming_file_and_key(project, cache_args):
    project.add("pkg-a")
    project.write("peso.yaml", "fail-on: fatal\n")
    proc = peso(*cache_args, cwd=project.root)
    assert proc.returncode == 2
    assert "peso.yaml: fail-on: expected one of" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_output_file_is_written_and_stdout_stays_clean(project, cache_args):
    project.add("pkg-a", raw="def f(:\n")
    out = os.path.join(project.root, "reports", "lint.json")
    proc = peso(*ENGINE_ONLY, *cache_args, "--format", "json", "--output", out, cwd=project.root)
    assert proc.returncode == 1
    with open(out) as f:
        (item,) = json.load(f)
    assert item["rule"] == "PESO-E001" and item["package"] == "pkg-a"
    assert "[" not in proc.stdout


def test_second_run_comes_from_the_cache(project, cache_args):
    project.add("pkg-a")
    project.add("pkg-b")
    peso(*ENGINE_ONLY, *cache_args, cwd=project.root)
    proc = peso(*ENGINE_ONLY, *cache_args, cwd=project.root)
    assert "Checked 2 files (0 linted, 2 from cache)" in proc.stdout


def test_explain_prints_what_why_example_fix(project):
    proc = peso("--explain", "PESO-X001", cwd=project.root)
    assert proc.returncode == 0
    for heading in ("What it checks:", "Why it matters:", "Example:", "How to fix:"):
        assert heading in proc.stdout
    assert proc.stdout.startswith("PESO-X001 suppression-without-reason (error)")


def test_list_rules_shows_id_name_severity_policies(project):
    proc = peso("--list-rules", cwd=project.root)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "SEVERITY", "POLICIES"]
    row = next(line for line in lines if line.startswith("PESO-E001"))
    assert row.split()[0] == "PESO-E001" and row.split()[2] == "error" and "E4S-P1" in row
    row = next(line for line in lines if line.startswith("PESO-X002"))
    assert row.split() == ["PESO-X002", "unused-suppression", "warning", "-"]
    # what the profile does not run is shown as off: D006 is disabled in e4s, L001 serves xSDK only
    row = next(line for line in lines if line.startswith("PESO-D006"))
    assert row.split()[2] == "off"
    assert next(line for line in lines if line.startswith("PESO-L001")).split()[2] == "off"
    all_rows = peso("--list-rules", "--policy", "all", cwd=project.root).stdout.splitlines()
    assert next(line for line in all_rows if line.startswith("PESO-D006")).split()[2] == "info"


# ----------------------------------------------------------------------------- real Spack


@pytest.fixture
def spack_scope(project, tmp_path):
    """A Spack config scope whose only repository is the test project's."""
    scope = tmp_path / "scope"
    scope.mkdir()
    (scope / "repos.yaml").write_text("repos::\n  demo: %s\n" % project.repo)
    return str(scope)


def test_spack_peso_lint_through_the_entry_point(spack, project, spack_scope, cache_args):
    project.add("pkg-a", raw="def f(:\n")
    project.add("pkg-b")
    # no argument: the repositories Spack is configured with
    proc = spack("-C", spack_scope, "peso", "lint", *ENGINE_ONLY, *cache_args, check=False, cwd=str(project.root))
    assert proc.returncode == 1, proc.stderr
    assert "Checked 2 files" in proc.stdout and "pkg_a/package.py:1:" in proc.stdout
    # a bare name is looked up in those repositories
    proc = spack("-C", spack_scope, "peso", "lint", "pkg-b", *ENGINE_ONLY, *cache_args, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Checked 1 file " in proc.stdout


def python_without_spack_peso(tmp_path):
    """A venv that sees this Python's packages (PyYAML, license-expression, ...) but not the
    spack-peso distribution, so its ``spack.extensions`` entry point is out of play."""
    import site

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    deps = tmp_path / "deps"
    deps.mkdir()
    for folder in site.getsitepackages():
        for name in os.listdir(folder):
            low = name.lower()
            if low.startswith(("spack_peso", "spack-peso", "__editable__", "peso")) or low.endswith(".pth"):
                continue
            if not (deps / name).exists():
                (deps / name).symlink_to(os.path.join(folder, name))
    (site_dir,) = list(venv.glob("lib/python*/site-packages"))
    (site_dir / "deps.pth").write_text(str(deps) + "\n")
    return str(venv / "bin" / "python")


def test_spack_peso_lint_through_config_extensions(spack, project, tmp_path, cache_args):
    env = {"SPACK_PYTHON": python_without_spack_peso(tmp_path), "PYTHONPATH": ""}
    project.add("pkg-a", raw="def f(:\n")
    args = ["peso", "lint", project.packages, *ENGINE_ONLY, *cache_args, "--format", "github"]
    without = spack(*args, check=False, env=env)
    assert without.returncode != 0 and "PESO-E001" not in without.stdout  # no entry point in this Python
    proc = spack("-c", "config:extensions:[%s]" % EXT, *args, check=False, env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("::error file=") and "title=PESO-E001" in proc.stdout


def test_spack_finds_a_builtin_package_by_name(spack, tmp_path, cache_args):
    proc = spack("peso", "lint", "zlib", "--format", "json", *cache_args, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    items = json.loads(proc.stdout)
    assert all(item["package"] == "zlib" for item in items)
