"""Gate benchmark: would spack-packages maintainers keep `peso lint` on every pull request?

Replays real merged commits of spack/spack-packages through PR mode, the way a pull
request's CI job would run it: the tree at the merged commit, ``spack peso lint
--profile spack --new-since <parent>`` over the builtin packages, so only the findings
the change introduced count and the exit status is the gate. spack-packages merges
pull requests as single squashed commits on ``develop``, so one first-parent commit is
one merged pull request.

The range: the ``--count`` first-parent commits ending at ``--end`` (default: the
spack-packages commit spack-peso is pinned to, ``spackcall/data/pins.yaml``), oldest first;
commits that touch no recipe are counted apart (a gate never runs on them). A commit the
gate blocks (exit 1) is listed with its findings; ``gate/judged.yaml`` holds a verdict
for each block read by hand (``real``: the finding is a defect the commit introduced;
``false``: it is not), keyed by commit. ``--check`` fails when more than 1% of the
replayed recipe commits are blocked, when a block has no verdict, or when one is judged
false. Results (counts, every block and warning) go to
``benchmarks/results/gate-<date>.json``.

    python benchmarks/bench_gate.py --git-dir SPACK_PACKAGES_GIT [--count 300] [--end REV] [--check]

SPACK_PACKAGES_GIT is a clone of https://github.com/spack/spack-packages (bare or not)
that holds ``--end``; the clone is not changed (a temporary detached worktree is used).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = os.path.join(os.path.dirname(HERE), "spack-peso")
sys.path.insert(0, EXT)

from peso.fsutil import atomic_write  # noqa: E402
from peso.spackcall.provision import load_pins  # noqa: E402

JUDGED = os.path.join(HERE, "gate", "judged.yaml")
RESULTS = os.path.join(HERE, "results")
TARGET = 0.01


def git(git_dir, *args, cwd=None) -> str:
    argv = ["git"] + (["--git-dir", git_dir] if git_dir else []) + list(args)
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=True).stdout


def commits(git_dir: str, end: str, count: int):
    """``(sha, subject)`` of the ``count`` first-parent commits ending at ``end``, oldest first."""
    out = git(git_dir, "log", "--first-parent", "--format=%H %s", "-n", str(count), end)
    return [tuple(line.split(" ", 1)) for line in reversed(out.splitlines())]


def touched_recipes(worktree: str, sha: str, builtin: str):
    out = git(None, "diff", "--name-only", sha + "^", sha, "--", builtin + "/packages", cwd=worktree)
    return [p for p in out.splitlines() if p.endswith("/package.py")]


def gate(worktree: str, parent: str, builtin: str, profile: str):
    """Exit status and findings of PR mode on the tree at the merged commit."""
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "lint", "--profile", profile, "--new-since", parent, "--format", "json"]
        + [os.path.join(builtin, "packages")],
        cwd=worktree,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=EXT),
        timeout=600,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit("peso lint exited %d at %s: %s" % (proc.returncode, parent, proc.stderr.strip()[-500:]))
    return proc.returncode, json.loads(proc.stdout or "[]")


def main(argv=None):
    pins = load_pins()["spack-packages"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git-dir", required=True, help="a clone of spack/spack-packages holding --end")
    parser.add_argument("--end", default=pins["commit"], help="newest commit of the range (default: the pinned one)")
    parser.add_argument("--count", type=int, default=300, help="first-parent commits to replay (default 300)")
    parser.add_argument("--profile", default="spack", help="lint profile (default: spack, the maintainers')")
    parser.add_argument("--check", action="store_true", help="fail above 1%% blocked or on an unjudged/false block")
    args = parser.parse_args(argv)
    builtin = pins.get("builtin", "repos/spack_repo/builtin")
    judged = (yaml.safe_load(open(JUDGED)) or {}) if os.path.exists(JUDGED) else {}
    worktree = tempfile.mkdtemp(prefix="peso-gate-")
    git(args.git_dir, "worktree", "add", "--detach", "-q", worktree, args.end)
    rows, skipped = [], 0
    try:
        chosen = commits(args.git_dir, args.end, args.count)
        for i, (sha, subject) in enumerate(chosen, 1):
            git(None, "checkout", "-q", "--detach", sha, cwd=worktree)
            recipes = touched_recipes(worktree, sha, builtin)
            if not recipes:
                skipped += 1
                continue
            status, findings = gate(worktree, sha + "^", builtin, args.profile)
            row = {"commit": sha[:10], "subject": subject, "recipes": len(recipes), "exit": status}
            row["errors"] = [_short(f) for f in findings if f["severity"] == "error"]
            row["warnings"] = [_short(f) for f in findings if f["severity"] == "warning"]
            rows.append(row)
            if status:
                print("[%d/%d] BLOCKED %s %s: %s" % (i, len(chosen), sha[:10], subject, row["errors"]), flush=True)
    finally:
        git(args.git_dir, "worktree", "remove", "--force", worktree)
    blocked = [r for r in rows if r["exit"]]
    warned = [r for r in rows if not r["exit"] and r["warnings"]]
    verdicts = {r["commit"]: (judged.get(r["commit"]) or {}).get("verdict") for r in blocked}
    share = len(blocked) / len(rows) if rows else 0.0
    print()
    print("range: %d first-parent commits of spack-packages ending at %s" % (len(chosen), args.end[:10]))
    print("  %d touch no recipe (no gate run), %d replayed" % (skipped, len(rows)))
    print("profile %s, PR mode: blocked %d (%.1f%%, target <= %.0f%%), warned %d (%.1f%%)"
          % (args.profile, len(blocked), 100 * share, 100 * TARGET, len(warned), 100 * len(warned) / max(len(rows), 1)))  # fmt: skip
    for r in blocked:
        print(
            "  %s %s -> %s [%s]"
            % (r["commit"], r["subject"], "; ".join(r["errors"]), verdicts[r["commit"]] or "NOT JUDGED")
        )
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": args.end,
        "count": len(chosen),
        "profile": args.profile,
        "replayed": len(rows),
        "no_recipe": skipped,
        "blocked": len(blocked),
        "warned": len(warned),
        "blocked_share": round(share, 4),
        "rows": [r for r in rows if r["errors"] or r["warnings"]],
        "verdicts": verdicts,
    }
    os.makedirs(RESULTS, exist_ok=True)
    out = os.path.join(RESULTS, "gate-%s-%s.json" % (result["date"][:10], args.end[:10]))
    atomic_write(out, json.dumps(result, indent=1, sort_keys=True) + "\n")
    print("results: %s" % os.path.relpath(out))
    if args.check:
        problems = []
        if share > TARGET:
            problems.append("blocked %.1f%% > %.0f%%" % (100 * share, 100 * TARGET))
        problems += ["block %s not judged" % c for c, v in verdicts.items() if v is None]
        problems += ["block %s judged false" % c for c, v in verdicts.items() if v == "false"]
        if problems:
            print("CHECK FAILED: " + "; ".join(problems))
            return 1
    return 0


def _short(finding: dict) -> str:
    return "%s %s:%s %s" % (finding["rule"], finding.get("package", "?"), finding.get("line", "?"), finding["message"])


if __name__ == "__main__":
    sys.exit(main())
