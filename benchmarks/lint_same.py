"""Check that speed work changed no finding: lint a whole repository with this checkout and
compare the findings with a reference taken before the change (and cold with warm).

    python benchmarks/lint_same.py --write before.json [--repo PATH]   # before the change
    python benchmarks/lint_same.py --against before.json [--repo PATH] # after it

``--write`` lints without a cache (``--policy all``, JSON) and stores the findings with
paths relative to the repository. ``--against`` lints three times: without a cache, then
cold and warm through one fresh cache folder, and requires all three to equal the reference
(a warm run must give what a cold one gives), listed in report order (path, line, column,
rule, message). Differences are printed (first 20 of each side) and the exit status is 1. The repository defaults to the provisioned builtin one.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = os.path.join(os.path.dirname(HERE), "spack-peso")
#: every field of a finding that a user sees
FIELDS = ("rule", "name", "severity", "policies", "package", "path", "line", "column", "message")


def default_repo() -> str:
    sys.path.insert(0, EXT)
    from peso.spackcall import provision

    found = provision.locate(with_packages=True)
    if found is None or not getattr(found, "builtin", None):
        sys.exit("no reference builtin repository: run 'python -m peso bootstrap' or pass --repo")
    return found.builtin


def run_lint(repo: str, work: str, cache_dir=None, jobs: int = 2) -> list:
    """Findings of one ``peso lint`` run of this checkout, paths relative to ``repo``."""
    out = os.path.join(work, "findings.json")
    cmd = [
        sys.executable,
        "-m",
        "peso",
        "lint",
        repo,
        "--policy",
        "all",
        "--jobs",
        str(jobs),
        "--format",
        "json",
        "--output",
        out,
    ]
    cmd += ["--cache-dir", cache_dir] if cache_dir else ["--no-cache"]
    env = dict(os.environ, PYTHONPATH=EXT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        sys.exit("peso lint failed (exit %d): %s" % (proc.returncode, proc.stderr.strip()[-2000:]))
    with open(out) as f:
        findings = json.load(f)
    os.unlink(out)
    for f in findings:
        f["path"] = os.path.relpath(f["path"], repo)
    return findings


def as_rows(findings: list) -> list:
    return sorted(json.dumps([f.get(k) for k in FIELDS]) for f in findings)


def report_order(f: dict) -> tuple:
    """The order a report lists findings in (``Finding.sort_key``)."""
    return (f["path"], f["line"], f["column"], f["rule"], f["message"])


def compare(name: str, reference: list, findings: list) -> bool:
    ref, new = as_rows(reference), as_rows(findings)
    keys = [report_order(f) for f in findings]
    if keys != sorted(keys):
        print("%s: findings not in report order (path, line, column, rule, message)" % name)
        return False
    if ref == new:
        print("%s: %d findings, identical to the reference, in report order" % (name, len(new)))
        return True
    ref_set, new_set = set(ref), set(new)
    gone, added = sorted(ref_set - new_set), sorted(new_set - ref_set)
    print(
        "%s: %d findings, reference %d: %d only in the reference, %d only here%s"
        % (name, len(new), len(ref), len(gone), len(added), "" if gone or added else " (duplicates differ)")
    )
    for row in gone[:20]:
        print("  - " + row)
    for row in added[:20]:
        print("  + " + row)
    return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=os.environ.get("PESO_BENCH_REPO"))
    parser.add_argument("--jobs", type=int, default=2)
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument("--write", metavar="FILE", help="store this checkout's findings as the reference")
    side.add_argument("--against", metavar="FILE", help="compare this checkout's findings with FILE")
    args = parser.parse_args(argv)
    repo = os.path.abspath(args.repo or default_repo())
    with tempfile.TemporaryDirectory(prefix="peso-same-") as work:
        if args.write:
            findings = run_lint(repo, work, jobs=args.jobs)
            tmp = args.write + ".tmp"
            with open(tmp, "w") as f:
                json.dump(findings, f)
            os.replace(tmp, args.write)
            print("%d findings of %s written to %s" % (len(findings), repo, args.write))
            return 0
        try:
            with open(args.against) as f:
                reference = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit("%s: cannot read the reference findings: %s" % (args.against, e))
        cache = os.path.join(work, "cache")
        ok = compare("no cache", reference, run_lint(repo, work, jobs=args.jobs))
        ok &= compare("cold cache", reference, run_lint(repo, work, cache, jobs=args.jobs))
        ok &= compare("warm cache", reference, run_lint(repo, work, cache, jobs=args.jobs))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
