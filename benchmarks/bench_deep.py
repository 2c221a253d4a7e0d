#!/usr/bin/env python3
"""Benchmark: `spack peso lint --deep` over a whole repository vs `spack audit packages`.

Both run in this one process tree, one after the other, with the same Spack and
configuration, so the ratio is meaningful even on a busy machine. Reports:

* wall time and CPU time (children's user+sys) of each;
* whether every error `spack audit packages` prints is among the deep findings
  (matched on audit's summary line), each with a line number.

Note that `spack audit packages` stops printing after the first failing tag; the deep
run shows the later tags' errors too (printed here as "beyond audit's output").

    python benchmarks/bench_deep.py [--jobs N] [PKG ...]

Exit status 1 when an audit error is missing from the deep findings or lacks a line.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "spack-peso"))

from peso.spackcall.runtime import require_spack  # noqa: E402

_ERROR = re.compile(r"^\d+\. (.+)$")


def timed(argv, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu


def audit_errors(output: str):
    """(summary, details) of the numbered errors `spack audit` prints."""
    errors = []
    for line in output.splitlines():
        m = _ERROR.match(line)
        if m:
            errors.append((m.group(1).strip(), []))
        elif errors and line.startswith("    ") and line.strip():
            errors[-1][1].append(line.strip())
    return errors


def matches(error, finding) -> bool:
    """The finding carries audit's summary and every detail (bar the file name)."""
    summary, details = error
    message = finding["message"]
    return summary in message and all(d in message for d in details if not d.startswith(("in /", "happening in ")))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="default: every package of the configured repositories")
    parser.add_argument("--jobs", "-j", type=int, default=0)
    args = parser.parse_args(argv)
    spack = require_spack()  # provisioned from the pinned archives when none is at hand
    env = dict(os.environ)

    audit, audit_wall, audit_cpu = timed([spack, "audit", "packages", *args.packages], env)
    errors = audit_errors(audit.stdout + audit.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "deep.json")
        cmd = [spack, "peso", "lint", "--deep", "--no-cache", "--format", "json", "--output", out, "--fail-on", "error"]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        deep, deep_wall, deep_cpu = timed(cmd + list(args.packages), env)
        if not os.path.exists(out):
            print("deep lint failed (%d):\n%s" % (deep.returncode, deep.stderr[-3000:]), file=sys.stderr)
            return 1
        with open(out) as f:
            report = json.load(f)
    findings = report["findings"] if isinstance(report, dict) else report
    deep_findings = [f for f in findings if f["rule"].startswith(("PESO-A", "PESO-K"))]

    missing, unlocated, located = [], [], []
    for error in errors:
        hits = [f for f in deep_findings if matches(error, f)]
        if not hits:
            missing.append(error[0])
        elif not all(f.get("line") for f in hits):
            unlocated.append(error[0])
        else:
            located.extend((error, f) for f in hits)
    matched = {id(f) for _, f in located}
    beyond = [f for f in deep_findings if id(f) not in matched and f["rule"] != "PESO-K001"]

    scope = " ".join(args.packages) or "all packages"
    print("scope: %s" % scope)
    print(
        "spack audit packages : %7.1f s wall  %7.1f s CPU  exit %d  %d errors printed"
        % (audit_wall, audit_cpu, audit.returncode, len(errors))
    )
    print(
        "spack peso lint --deep: %7.1f s wall  %7.1f s CPU  exit %d  %d findings (%d from Spack-loaded checks)"
        % (deep_wall, deep_cpu, deep.returncode, len(findings), len(deep_findings))
    )
    print(
        "wall-time ratio deep/audit: %.2f  (%s)"
        % (deep_wall / audit_wall, "faster" if deep_wall < audit_wall else "SLOWER")
    )
    for (summary, details), f in located:
        print(
            "  audit error at %s:%s  %s  %s | %s"
            % (os.path.basename(os.path.dirname(f["path"])), f["line"], f["rule"], summary, "; ".join(details[:1]))
        )
    if beyond:
        print("%d findings of Spack's audit checks beyond audit's output (later tags):" % len(beyond))
        for f in beyond[:20]:
            print("  %s:%s %s %s" % (f["path"], f["line"], f["rule"], f["message"][:140]))
    for s in missing:
        print("MISSING from --deep: %s" % s)
    for s in unlocated:
        print("NO LINE for: %s" % s)
    return 1 if (missing or unlocated) else 0


if __name__ == "__main__":
    sys.exit(main())
