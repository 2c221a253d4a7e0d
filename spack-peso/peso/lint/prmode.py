"""``--new-since REV`` (PR mode): only the findings a change introduces.

``--changed-since`` lints the recipes a change touches and reports everything in them:
a one-line version bump would inherit every old finding of the recipe. PR mode lints the
same recipes as they were at ``REV`` too, and keeps only the findings whose fingerprint
(``baseline.fingerprints``: rule, package, the flagged line's text, occurrence) was not
there before. A recipe that did not exist at ``REV`` is new: all its findings count.

The old versions come from one ``git cat-file --batch`` (``REV:path`` for every touched
recipe) and are linted *at their own paths* with their old bytes
(``engine.lint(contents=...)``): package names, the repository's build-system sources and
so every base-class fact are the same on both sides, and the lint cache keeps a recipe's
previous version, so the old side is usually a cache hit (what the last lint saw before
the edit).
"""

import collections
import os
import subprocess
from typing import Callable, Dict, List, Sequence, Tuple

from .baseline import LineReader, fingerprints
from .changed import repo_root


def old_contents(rev: str, recipes: Sequence[str]) -> Dict[str, bytes]:
    """``{path: bytes at rev}`` for the recipes that existed at ``rev`` (one git call per
    repository)."""
    by_root: Dict[str, List[str]] = collections.defaultdict(list)
    roots: Dict[str, str] = {}  # packages folder -> its git work tree (one git call each)
    for path in recipes:
        folder = os.path.dirname(os.path.dirname(path))
        if folder not in roots:
            roots[folder] = repo_root(path)
        by_root[roots[folder]].append(path)
    found: Dict[str, bytes] = {}
    for root, paths in by_root.items():
        real_root = os.path.realpath(root)
        names = [os.path.relpath(os.path.realpath(p), real_root).replace(os.sep, "/") for p in paths]
        request = "".join("%s:%s\n" % (rev, name) for name in names).encode()
        proc = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=root, input=request, capture_output=True, timeout=300, check=False
        )
        out, at = proc.stdout, 0
        for path in paths:
            # "<sha> blob <size>\n<bytes>\n", or "<name> missing\n" for a new recipe
            end = out.find(b"\n", at)
            if end < 0:
                break
            header = out[at:end].split()
            at = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                found[path] = out[at : at + size]
                at += size + 1
    return found


def introduced(rev: str, result, lint_old: Callable[[List[str], Dict[str, bytes]], list]) -> Tuple[List, int]:
    """The findings of ``result`` that the change since ``rev`` introduced, and how many
    older ones were left out. ``lint_old(paths, contents)`` lints the old versions (same
    config, ``engine.lint(contents=...)``)."""
    recipes = sorted({f.path for f in result.findings} | {path for path, _ in result.files})
    contents = old_contents(rev, recipes)
    before = lint_old(sorted(contents), contents) if contents else []
    old_prints = collections.Counter(fingerprints(before, LineReader(contents)))
    new = []
    for finding, print_ in zip(result.findings, fingerprints(result.findings, LineReader())):
        if old_prints[print_] > 0:
            old_prints[print_] -= 1
        else:
            new.append(finding)
    return new, len(result.findings) - len(new)
