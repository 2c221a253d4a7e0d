"""``--new-since REV`` (PR mode): only the findings a change introduces.

``--changed-since`` lints the recipes a change touches and reports everything in them:
a one-line version bump would inherit every old finding of the recipe. PR mode lints the
same recipes as they were at ``REV`` too, and keeps only the findings whose fingerprint
(``baseline.fingerprints``: rule, package, the flagged line's text, occurrence) was not
there before. A recipe that did not exist at ``REV`` is new: all its findings count.

The old versions come from ``git show REV:path`` into a temporary tree with the same
``spack_repo/<ns>/packages/<name>/package.py`` layout, so package names are the same; the
repository's build-system sources are linked in from the working tree, so base-class
facts (and the findings that depend on them) are the same on both sides.
"""

import collections
import os
import subprocess
import tempfile
from typing import Dict, List, Sequence, Tuple

from .baseline import LineReader, fingerprints
from .changed import repo_root


def _old_text(rev: str, path: str) -> Tuple[str, bytes]:
    """(repository-relative path, content at ``rev``; ``b''`` when it did not exist)."""
    root = repo_root(path)
    relative = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    proc = subprocess.run(["git", "show", "%s:%s" % (rev, relative)], cwd=root, capture_output=True, timeout=300)
    return relative, proc.stdout if proc.returncode == 0 else b""


def old_tree(rev: str, recipes: Sequence[str], folder: str) -> Dict[str, str]:
    """Write the recipes as they were at ``rev`` under ``folder``; ``{new path: old path}``
    for the recipes that existed then."""
    mapping = {}
    for path in recipes:
        relative, data = _old_text(rev, path)
        if not data:
            continue
        old = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(old), exist_ok=True)
        with open(old, "wb") as f:
            f.write(data)
        repo = os.path.dirname(os.path.dirname(os.path.dirname(path)))  # spack_repo/<ns>
        systems = os.path.join(repo, "build_systems")
        linked = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(old))), "build_systems")
        if os.path.isdir(systems) and not os.path.exists(linked):
            os.symlink(systems, linked)
        mapping[path] = old
    return mapping


def introduced(rev: str, result, lint_old) -> Tuple[List, int]:
    """The findings of ``result`` that the change since ``rev`` introduced, and how many
    older ones were left out. ``lint_old(paths)`` lints the old versions (same config)."""
    recipes = sorted({f.path for f in result.findings} | {path for path, _ in result.files})
    with tempfile.TemporaryDirectory(prefix="peso-new-since-") as folder:
        mapping = old_tree(rev, recipes, folder)
        before = lint_old(sorted(mapping.values())) if mapping else []
        old_prints = collections.Counter(fingerprints(before, LineReader()))
    new = []
    for finding, print_ in zip(result.findings, fingerprints(result.findings, LineReader())):
        if old_prints[print_] > 0:
            old_prints[print_] -= 1
        else:
            new.append(finding)
    return new, len(result.findings) - len(new)
