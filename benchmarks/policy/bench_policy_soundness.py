"""Soundness of decided policy cells, from a judged sample (``judged.yaml`` beside this file).

Each judged cell (product, policy, verdict) was checked by reading the evidence it cites;
``judged.yaml`` says how the sample was drawn. This script builds the policy report of
the committed frontier stack now (static: the pinned builtin recipes and the records in
``environments/``, no build), matches the judged cells against today's verdicts and
prints: judged cells still carrying their verdict, sound among them, soundness, cells no
longer decided (not counted), cells whose verdict changed (to judge again), and the
decided share of the whole stack beside it (a lower share that is true is the goal).

    python benchmarks/policy/bench_policy_soundness.py [--repo PATH] [--check]

``--check`` exits 1 below 95% sound, when a cell changed verdict (judge it again), when
fewer than 60 judged cells still decide, or when a policy that decides cells today has
no judged cell.
"""

import argparse
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))

TARGET = 0.95
MINIMUM = 60


def measure(repo: str):
    import yaml

    from peso.policy import products, run

    stack = os.path.join(ROOT, "environments", "frontier", "spack.yaml")
    with open(os.path.join(HERE, "judged.yaml"), encoding="utf-8") as f:
        judged = yaml.safe_load(f)["cells"]
    chosen = products.select([repo], stack=stack)
    report = run.build_report(chosen, evidence_dirs=[os.path.join(ROOT, "environments")])
    now = {(p.product, pid): r.status for p in report.products for pid, r in p.results.items()}
    kept, changed, undecided = [], [], []
    for cell in judged:
        status = now.get((cell["product"], cell["policy"]))
        if status == cell["verdict"]:
            kept.append(cell)
        elif status in ("pass", "fail"):
            changed.append((cell, status))
        else:
            undecided.append(cell)
    deciding = {pid for (_product, pid), status in now.items() if status in ("pass", "fail")}
    unjudged = sorted(deciding - {c["policy"] for c in kept})
    decided = sum(status in ("pass", "fail") for status in now.values())
    return kept, changed, undecided, unjudged, decided, len(now)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", help="the builtin repository (default: the one Spack is configured with)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    repo = args.repo
    if not repo:
        from peso.spackcall.runtime import configured_repos

        repos = configured_repos()
        if not repos:
            print("no builtin repository: pass --repo or run 'python3 -m peso bootstrap'", file=sys.stderr)
            return 2
        repo = repos[0]
    kept, changed, undecided, unjudged, decided, total = measure(repo)
    sound = [c for c in kept if c["judged"] == "sound"]
    share = len(sound) / len(kept) if kept else 0.0
    per_policy = collections.Counter(c["policy"] for c in kept)
    print(
        "judged cells still decided: %d (%s)"
        % (len(kept), ", ".join("%s %d" % kv for kv in sorted(per_policy.items())))
    )
    print("sound: %d of %d (%.1f%%), target %.0f%%" % (len(sound), len(kept), 100 * share, 100 * TARGET))
    for cell in kept:
        if cell["judged"] != "sound":
            print("  unsound: %s %s %s: %s" % (cell["product"], cell["policy"], cell["verdict"], cell["reason"]))
    print("no longer decided (not counted): %d" % len(undecided))
    for cell, status in changed:
        print(
            "  changed verdict, judge again: %s %s %s -> %s"
            % (cell["product"], cell["policy"], cell["verdict"], status)
        )
    if unjudged:
        print("  deciding policies without a judged cell: %s" % ", ".join(unjudged))
    print("decided share of the frontier stack: %d of %d cells (%.1f%%)" % (decided, total, 100.0 * decided / total))
    if not args.check:
        return 0
    return 0 if share >= TARGET and not changed and not unjudged and len(kept) >= MINIMUM else 1


if __name__ == "__main__":
    sys.exit(main())
