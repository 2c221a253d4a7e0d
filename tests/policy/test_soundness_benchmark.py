"""The policy soundness benchmark (benchmarks/policy) in CI: its --check must pass on the
committed frontier stack and records, static, in seconds (no build)."""

import os
import subprocess
import sys

from policy_data import ROOT


def test_policy_soundness_benchmark_passes_its_check(builtin_packages):
    script = os.path.join(ROOT, "benchmarks", "policy", "bench_policy_soundness.py")
    repo = os.path.dirname(builtin_packages)
    proc = subprocess.run(
        [sys.executable, script, "--repo", repo, "--check"], capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "target 95%" in proc.stdout and "decided share of the frontier stack" in proc.stdout
