"""Benchmark: ``stack test -j 2`` against one sequential ``spack test run``, same specs.

What it measures, in one run on this machine, with real Spack and the demo recipes:

1. reference: ONE ``spack -e ENV test run --explicit`` over every root (Spack runs the
   specs one after the other), wall time;
2. ``python -m peso stack test -j 2`` over the same roots, wall time (including its
   inventory call and every shard's Spack start-up);
3. a hung test: ``stack test --timeout T`` on a spec whose test outlasts T; the shard
   must be stopped within T + 2 s.

The roots are ``peso-demo-hang test_seconds=N`` variants: tests that take N seconds
(waiting, like a test waiting on an MPI launch or a device). Parallel shards pay one
Spack start-up (about 2-3 s) per spec, so the speed-up grows with test length; the
defaults (2 specs, 45 s) are the kind of tests worth sharding.

Usage: ``python benchmarks/bench_stack_test.py [--specs 2] [--seconds 30] [--work DIR]``
Exit status 0 when both targets (>= 1.7x; stopped within timeout + 2 s) are met.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "demo"))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))

import make_tarballs  # noqa: E402
import spack_scope  # noqa: E402

from peso.spackcall.runtime import require_spack  # noqa: E402

SPEEDUP_TARGET = 1.7
HANG_SLACK = 2.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--timeout", type=float, default=8.0, help="timeout for the hung-test check")
    parser.add_argument("--work", help="work directory (default: a new temporary one)")
    args = parser.parse_args()

    spack = require_spack()  # provisioned from the pinned archives when none is at hand
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="peso-bench-"))
    make_tarballs.build_all()
    scope = spack_scope.write_scope(work, with_peso_repo=True)
    env = spack_scope.isolated_env(work)
    env["SPACK_ROOT"] = os.path.dirname(os.path.dirname(os.path.realpath(spack)))
    env_dir = os.path.join(work, "env")
    os.makedirs(env_dir, exist_ok=True)
    specs = ["peso-demo-hang test_seconds=%d" % (args.seconds + i) for i in range(args.specs)]
    with open(os.path.join(env_dir, "spack.yaml"), "w") as f:
        f.write("spack:\n  specs: %s\n  view: false\n  concretizer:\n    unify: false\n" % json.dumps(specs))
    out = os.path.join(work, "out")
    common = ["--target", "host", "--env", env_dir, "-C", scope, "--out", out]

    def peso(*argv):
        return subprocess.run([sys.executable, "-m", "peso", *argv], capture_output=True, text=True, env=env)

    t = time.monotonic()
    build = peso("stack", "build", *common)
    print("build: %.1f s (exit %d)" % (time.monotonic() - t, build.returncode))
    if build.returncode != 0:
        print(build.stdout[-3000:], build.stderr[-3000:])
        return 2

    t = time.monotonic()
    seq = subprocess.run(
        [spack, "-C", scope, "-e", env_dir, "test", "run", "--explicit", "--alias", "bench-seq-%d" % os.getpid()],
        capture_output=True,
        text=True,
        env=env,
    )
    sequential = time.monotonic() - t
    print(
        "reference: one sequential 'spack test run' over %d specs: %.1f s (exit %d)"
        % (args.specs, sequential, seq.returncode)
    )

    t = time.monotonic()
    par = peso("stack", "test", "-j", "2", "--timeout", str(args.seconds * 4), *common)
    parallel = time.monotonic() - t
    record_path = [
        line.split("run record:", 1)[1].strip() for line in par.stdout.splitlines() if "run record:" in line
    ][0]
    with open(record_path) as f:
        record = json.load(f)
    statuses = sorted({r["status"] for r in record["specs"]})
    print(
        "spack-peso: 'stack test -j 2' over the same specs: %.1f s (exit %d, statuses %s)"
        % (parallel, par.returncode, statuses)
    )
    speedup = sequential / parallel
    print("speed-up: %.2fx (target >= %.1fx)" % (speedup, SPEEDUP_TARGET))

    longest = max(record["specs"], key=lambda r: r["wall"])
    t = time.monotonic()
    hung = peso("stack", "test", "-j", "1", "--timeout", str(args.timeout), "--only", longest["hash"], *common)
    total = time.monotonic() - t
    record_path = [
        line.split("run record:", 1)[1].strip() for line in hung.stdout.splitlines() if "run record:" in line
    ][0]
    with open(record_path) as f:
        row = json.load(f)["specs"][0]
    print(
        "hung test (%d s test, --timeout %g): status %s, part %s, shard stopped after %.1f s "
        "(limit %.1f s); whole command %.1f s"
        % (
            args.seconds,
            args.timeout,
            row["status"],
            row.get("hung_part"),
            row["wall"],
            args.timeout + HANG_SLACK,
            total,
        )
    )
    ok = (
        speedup >= SPEEDUP_TARGET
        and statuses == ["PASSED"]
        and row["status"] == "TIMEOUT"
        and row["wall"] <= args.timeout + HANG_SLACK
    )
    print("RESULT: %s (work dir %s)" % ("targets met" if ok else "TARGETS MISSED", work))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
