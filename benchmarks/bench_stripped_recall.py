"""Recall of PESO-D002 on builtin recipes whose maintainers declared language dependencies.

spack-packages maintainers added ``depends_on("c"/"cxx"/"fortran")`` to the recipes they
saw compile. Taking those lines out again gives hundreds of real positives per
ecosystem, far more than the history fixes of ``bench_recall.py``: this script strips
them from every builtin recipe whose directory starts with ``--prefix`` (``r_`` by
default: R packages, where compiling is CRAN's ``NeedsCompilation``, not in the recipe),
lints each stripped recipe in a throw-away ``spack_repo/builtin`` (build systems of the
reference repository, as ``bench_recall.py`` does) and prints the share flagged and the
kind of evidence that decided. It then lints the same ecosystem's recipes that declare
no language dependency, as they are: what the rule reports there is what a precision
sample must judge (``benchmarks/precision/language_deps_evidence.yaml``).

    python benchmarks/bench_stripped_recall.py [--prefix r_]
"""

import argparse
import collections
import glob
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "spack-peso"))

from peso.lint.registry import RULES, all_rules  # noqa: E402
from peso.recipe.parse import load_recipe  # noqa: E402

#: a whole depends_on line of a language virtual (the form every builtin recipe uses)
LANGUAGE_LINE = re.compile(r'^[ \t]*depends_on\(\s*"(?:c|cxx|fortran)"[^\n]*\n', re.M)
#: evidence kinds, by the words of the finding's message (lint/rules/compiles.py)
KINDS = (
    ("R library", "R package compiling against"),
    ("tooling", "builds with"),
    ("Perl XS", "Perl XS module"),
    ("Debian", "Debian ships it"),
    ("compiler use", "it uses"),
    ("build tool", "runs "),
    ("library", "links against"),
)


def builtin_repo() -> str:
    from peso.spackcall import provision

    found = provision.locate(with_packages=True)
    if found is None or not getattr(found, "builtin", None):
        sys.exit("no reference builtin repository: run 'python -m peso bootstrap' first")
    return found.builtin


def kind_of(message: str) -> str:
    return next((kind for kind, words in KINDS if words in message), "other")


def evaluate(builtin: str, prefix: str):
    """(declared, flagged once stripped, evidence kinds) and the findings on recipes
    declaring no language dependency."""
    all_rules()
    check = RULES["PESO-D002"].check
    work = tempfile.mkdtemp(prefix="peso-stripped-")
    try:
        repo = os.path.join(work, "spack_repo", "builtin")
        os.makedirs(os.path.join(repo, "packages"))
        os.symlink(os.path.join(builtin, "build_systems"), os.path.join(repo, "build_systems"))
        declared = flagged = 0
        kinds: collections.Counter = collections.Counter()
        undeclared = []
        for path in sorted(glob.glob(os.path.join(builtin, "packages", prefix + "*", "package.py"))):
            with open(path, encoding="utf-8") as f:
                source = f.read()
            if not LANGUAGE_LINE.search(source):
                undeclared.extend(check(load_recipe(path)))
                continue
            declared += 1
            folder = os.path.join(repo, "packages", os.path.basename(os.path.dirname(path)))
            os.makedirs(folder)
            stripped = os.path.join(folder, "package.py")
            with open(stripped, "w", encoding="utf-8") as f:
                f.write(LANGUAGE_LINE.sub("", source))
            found = list(check(load_recipe(stripped)))
            if found:
                flagged += 1
                kinds[kind_of(found[0].message)] += 1
        return declared, flagged, kinds, undeclared
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="r_", help="package directory prefix (default r_: R packages)")
    args = parser.parse_args(argv)
    declared, flagged, kinds, undeclared = evaluate(builtin_repo(), args.prefix)
    if not declared:
        sys.exit("no builtin recipe %s* declares a language dependency" % args.prefix)
    print(
        "%s* recipes declaring language dependencies: %d; flagged with them taken out: %d (%.0f%%)"
        % (args.prefix, declared, flagged, 100.0 * flagged / declared)
    )
    for kind, count in kinds.most_common():
        print("  %-14s %4d (%.0f%% of flagged)" % (kind, count, 100.0 * count / flagged))
    print("%s* recipes declaring none, as they are: %d findings" % (args.prefix, len(undeclared)))
    for f in undeclared:
        print("  %s: %s" % (f.package, f.message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
