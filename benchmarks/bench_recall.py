"""Recall of the lint rules on real fixes from spack-packages history.

``benchmarks/recall/cases.yaml`` holds recipes before and after real commits of
spack/spack-packages that fixed something a rule detects. The commits were found by
their diff, not by the linter (a language dependency added to a recipe that had none,
``"+x" in spec`` rewritten to ``spec.satisfies``, ``maintainers = [...]`` turned into
the directive, an ``http://`` source made ``https://``, a non-SPDX licence corrected),
so a rule that misses a kind of defect shows up as lost recall. Each recipe is an
excerpt: the copyright header dropped and, where versions are not the point, the
version list cut to three.

For every case the recipe before the fix must be flagged by the case's rule (recall)
and one of the flagged lines must no longer be flagged after it (the fix is recognised;
lines are compared by their text, as commits also add versions and dependencies). Recipes
are linted as files of a throw-away ``spack_repo/builtin`` whose build systems are
those of the provisioned reference repository, so base classes resolve as in builtin.

    python benchmarks/bench_recall.py [--check]
"""

import argparse
import collections
import os
import shutil
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "spack-peso"))

from peso.lint.registry import RULES, all_rules  # noqa: E402
from peso.recipe.parse import load_recipe  # noqa: E402

CASES = os.path.join(HERE, "recall", "cases.yaml")
TARGET = 0.95


def builtin_build_systems() -> str:
    from peso.spackcall import provision

    found = provision.locate(with_packages=True)
    if found is None or not getattr(found, "builtin", None):
        sys.exit("no reference builtin repository: run 'python -m peso bootstrap' first")
    return os.path.join(found.builtin, "build_systems")


def flagged(rule_id: str, path: str) -> list:
    """The stripped text of every line the rule flags (a fix removes one of them; line
    numbers move when a commit also adds versions or dependencies)."""
    recipe = load_recipe(path)
    return [recipe.line_text(f.line).strip() for f in RULES[rule_id].check(recipe)]


def evaluate(cases, build_systems):
    """Per kind: cases, before flagged, fix recognised; and the cases that failed."""
    all_rules()
    work = tempfile.mkdtemp(prefix="peso-recall-")
    try:
        repo = os.path.join(work, "spack_repo", "builtin")
        os.makedirs(os.path.join(repo, "packages"))
        os.symlink(build_systems, os.path.join(repo, "build_systems"))
        per_kind = collections.defaultdict(lambda: {"cases": 0, "flagged": 0, "fixed": 0})
        failures = []
        for case in cases:
            folder = os.path.join(repo, "packages", case["package"].replace("-", "_"))
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "package.py")
            lines = []
            for state in ("before", "after"):
                with open(path, "w", encoding="utf-8") as f:
                    f.write(case[state])
                lines.append(flagged(case["rule"], path))
            before, after = lines
            recognised = bool(before) and any(text not in after for text in before)
            entry = per_kind[(case["kind"], case["rule"])]
            entry["cases"] += 1
            entry["flagged"] += bool(before)
            entry["fixed"] += recognised
            if not recognised:
                failures.append((case, [len(before), len(after)]))
        return per_kind, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 below the target")
    parser.add_argument("--cases", default=CASES, help="cases file (default recall/cases.yaml)")
    args = parser.parse_args(argv)
    with open(args.cases, encoding="utf-8") as f:
        cases = yaml.safe_load(f)["cases"]
    per_kind, failures = evaluate(cases, builtin_build_systems())
    print("%-24s %-10s %6s %8s %7s %7s" % ("kind", "rule", "cases", "flagged", "recall", "fixed"))
    missed = []
    for (kind, rule), e in sorted(per_kind.items()):
        recall = e["flagged"] / e["cases"]
        if recall < TARGET or e["fixed"] < e["flagged"]:
            missed.append(kind)
        print(
            "%-24s %-10s %6d %8d %6.0f%% %4d/%d"
            % (kind, rule, e["cases"], e["flagged"], 100 * recall, e["fixed"], e["flagged"])
        )
    for case, counts in failures:
        print(
            "  not recognised: %s %s %s (%s) findings before/after %s"
            % (case["kind"], case["package"], case["commit"][:10], case["subject"][:60], counts)
        )
    print(
        "%d cases, %d kinds below %d%% recall or with an unrecognised fix%s"
        % (len(cases), len(missed), 100 * TARGET, (": " + ", ".join(missed)) if missed else "")
    )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
