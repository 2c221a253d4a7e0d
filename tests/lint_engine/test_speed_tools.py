"""The lint speed tools run on a small repository (the project's ``repo/``): the findings
check accepts an unchanged lint and names what differs, the profile prints its table,
the benchmark its ratios. They are run by hand on the builtin repository; these tests
keep them working through restructures."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPO = os.path.join(ROOT, "repo", "spack_repo", "peso")


def run(script, *args):
    cmd = [sys.executable, os.path.join(ROOT, "benchmarks", script), "--repo", REPO, *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_lint_same_accepts_the_same_findings_and_names_a_lost_one(tmp_path):
    reference = tmp_path / "before.json"
    written = run("lint_same.py", "--write", str(reference))
    assert written.returncode == 0, written.stderr
    findings = json.loads(reference.read_text())
    assert findings and all(not os.path.isabs(f["path"]) for f in findings)
    lost = findings.pop()
    reference.write_text(json.dumps(findings))
    compared = run("lint_same.py", "--against", str(reference))
    assert compared.returncode == 1
    assert "1 only here" in compared.stdout and lost["message"] in compared.stdout
    assert compared.stdout.count("only here") == 3  # no cache, cold and warm


def test_profile_prints_the_breakdown_table():
    profiled = run("profile_lint.py", "--rules", "2")
    assert profiled.returncode == 0, profiled.stderr
    assert "| **parse floor** (read + parse + free) |" in profiled.stdout
    assert "cold worker CPU / parse floor:" in profiled.stdout


def test_bench_prints_ratios_against_the_floor_of_the_same_round():
    bench = run("bench_lint.py", "--repeat", "1", "--no-audit", "--jobs", "1")
    assert bench.returncode in (0, 1), bench.stderr
    assert "files seen 10 == files reported on 10: True" in bench.stdout
    for target in ("cold_ratio", "warm_ratio", "peak_mib"):
        assert "target %s" % target in bench.stdout
