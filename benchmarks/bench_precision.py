"""Precision of every lint rule on the reference builtin repository, from labelled data.

``benchmarks/precision/labels.csv`` holds findings of real builtin recipes (rule, package,
line) with a verdict (``tp``/``fp``) and the reason, judged by reading the recipe at that
line. The sample: for every rule, 12 findings drawn at random from a full
``--policy all`` run (all of them when a rule has fewer), seeded by the rule ID; findings
judged false positives were fixed in the rules and the sample redrawn, keeping the
labels (a fixed false positive stays in the file and shows up as "no longer reported").

This script lints the builtin repository now, matches the labels against today's
findings and prints, per rule: findings over builtin (and recipes), labelled findings
still reported, true/false positives, precision, and the target (errors >= 99%,
warnings >= 95%, both on >= 12 labelled findings or all of a rule's findings).

    python benchmarks/bench_precision.py [--repo PATH] [--jobs N] [--check]

``--check`` exits 1 when a target is missed or a rule has too few labels.
"""

import argparse
import collections
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "spack-peso"))

from peso.lint.config import LintConfig  # noqa: E402
from peso.lint.engine import lint  # noqa: E402

LABELS = os.path.join(HERE, "precision", "labels.csv")
TARGETS = {"error": 0.99, "warning": 0.95}
MIN_LABELS = 12


def builtin_repo() -> str:
    from peso.spackcall import provision

    found = provision.locate(with_packages=True)
    if found is None or not getattr(found, "builtin", None):
        sys.exit("no reference builtin repository: run 'python -m peso bootstrap' first")
    return found.builtin


def load_labels(path=LABELS):
    with open(path, newline="", encoding="utf-8") as f:
        return [dict(row, line=int(row["line"])) for row in csv.DictReader(f)]


def score(findings, labels):
    """Per rule: counts over the run and the labelled findings it still reports."""
    reported = collections.Counter((f.rule, f.package, f.line) for f in findings)
    per_rule = collections.defaultdict(
        lambda: {"findings": 0, "packages": set(), "severity": "", "tp": 0, "fp": 0, "gone": 0, "gone_fp": 0}
    )
    for f in findings:
        entry = per_rule[f.rule]
        entry["findings"] += 1
        entry["packages"].add(f.package)
        entry["severity"] = f.severity
    for label in labels:
        entry = per_rule[label["rule"]]
        key = (label["rule"], label["package"], label["line"])
        if reported[key]:  # a line may hold several findings of a rule: one label each
            reported[key] -= 1
            entry[label["verdict"]] += 1
        else:
            entry["gone"] += 1
            entry["gone_fp"] += label["verdict"] == "fp"
    return per_rule


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="builtin repository (default: the provisioned one)")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    repo = args.repo or builtin_repo()
    result = lint([repo], LintConfig(policy="all", jobs=args.jobs or None), use_cache=True)
    per_rule = score(result.findings, load_labels())
    print("repository: %s (%d recipes, --policy all)" % (repo, result.files_seen))
    head = "%-10s %-8s %8s %8s %7s %4s %4s %9s %7s %s"
    print(
        head
        % (
            "rule",
            "severity",
            "findings",
            "recipes",
            "labels",
            "tp",
            "fp",
            "precision",
            "target",
            "fixed FPs (no longer reported)",
        )
    )
    missed = []
    for rule in sorted(per_rule):
        e = per_rule[rule]
        if not e["findings"] and not e["gone"]:
            continue
        judged = e["tp"] + e["fp"]
        precision = e["tp"] / judged if judged else float("nan")
        target = TARGETS.get(e["severity"])
        enough = judged >= min(MIN_LABELS, e["findings"])
        ok = (target is None or (judged and precision >= target)) and enough
        if e["findings"] and not ok:
            missed.append(rule)
        print(
            head
            % (
                rule,
                e["severity"] or "-",
                e["findings"],
                len(e["packages"]),
                judged,
                e["tp"],
                e["fp"],
                "%.1f%%" % (100 * precision) if judged else "-",
                ">=%d%%" % (100 * target) if target else "-",
                "%d" % e["gone_fp"] + ("" if ok or not e["findings"] else "   <- MISSED"),
            )
        )
    labelled = sum(e["tp"] + e["fp"] for e in per_rule.values())
    print(
        "%d labelled findings still reported; %d rules miss their target%s"
        % (labelled, len(missed), (": " + ", ".join(missed)) if missed else "")
    )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
