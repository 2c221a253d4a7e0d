"""From a curated overlay to what spack-packages can take: a unified diff and a
``git am``-able patch whose commit message names the lint rules the change fixes and the
stand-alone test outcomes it changes.

The lint part is computed, not written by hand: the builtin recipe and the curated one are
both linted with every rule (``--policy all``), and the rules that fire on the original
but not on the overlay are the ones the patch fixes. The test part comes from two
``stack test`` run records, before (builtin) and after (curated), when given.
"""

import difflib
import os
import tempfile
from typing import Dict, List, Optional, Tuple

from ..fsutil import safe_name
from ..lint.config import LintConfig
from ..lint.engine import lint
from .overlay import Overlay


def unified_diff(overlay: Overlay, original: str) -> str:
    """``git diff``-shaped diff of the builtin recipe -> the curated one, paths relative
    to the spack-packages root (apply with ``git apply`` or ``patch -p1`` there)."""
    with open(original, encoding="utf-8") as f:
        before = f.read().splitlines(keepends=True)
    with open(overlay.recipe, encoding="utf-8") as f:
        after = f.read().splitlines(keepends=True)
    path = overlay.upstream_path
    body = "".join(difflib.unified_diff(before, after, "a/" + path, "b/" + path))
    if not body:
        return ""
    return "diff --git a/%s b/%s\n%s" % (path, path, body)


def _rules_firing(path: str) -> Dict[str, int]:
    """``{rule ID: count}`` over every rule, no cache, no waivers (a neutral folder)."""
    with tempfile.TemporaryDirectory() as neutral:
        result = lint([path], LintConfig(policy="all", jobs=1), use_cache=False, cwd=neutral)
    counts: Dict[str, int] = {}
    for finding in result.findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    return counts


def fixed_rules(overlay: Overlay, original: str) -> List[Tuple[str, int, int]]:
    """``(rule, before, after)`` for each rule with fewer findings in the overlay."""
    before, after = _rules_firing(original), _rules_firing(overlay.recipe)
    return sorted((rule, n, after.get(rule, 0)) for rule, n in before.items() if after.get(rule, 0) < n)


def test_outcome(overlay: Overlay, before: Optional[dict], after: Optional[dict]) -> Optional[str]:
    """``"FAILED -> PASSED (test_bigint ...)"`` from two run records, or None."""

    def row(record):
        for spec in (record or {}).get("specs", []):
            if spec["package"] == overlay.package:
                return spec
        return None

    old, new = row(before), row(after)
    if not old or not new:
        return None
    parts = ", ".join("%s %s" % (p["name"], p["status"]) for p in new.get("parts", []) if p["status"] != "RUNNING")
    return "%s -> %s on %s%s" % (old["status"], new["status"], new["target"], " (%s)" % parts if parts else "")


def commit_message(overlay: Overlay, rules: List[Tuple[str, int, int]], outcome: Optional[str], rule_names) -> str:
    lines = [overlay.provenance["summary"].strip(), ""]
    why = (overlay.provenance.get("why") or "").strip()
    if why:
        lines += [why, ""]
    if rules:
        lines.append("Lint (spack peso lint --policy all) no longer reports:")
        for rule, n, m in rules:
            lines.append("- %s %s (%d -> %d)" % (rule, rule_names.get(rule, ""), n, m))
        lines.append("")
    if outcome:
        lines += ["Stand-alone tests (spack test run): %s" % outcome, ""]
    lines.append(
        "Curated with spack-peso from %s@%s." % (overlay.upstream_path, overlay.provenance["builtin"]["commit"][:12])
    )
    return "\n".join(lines)


def patch_text(overlay: Overlay, original: str, message: str, author: str) -> str:
    """``git format-patch`` layout: ``git am`` takes it in a spack-packages checkout."""
    title, _, body = message.partition("\n")
    return (
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        "From: %s\n"
        "Subject: [PATCH] %s\n\n%s\n---\n%s" % (author, title, body.strip() + "\n", unified_diff(overlay, original))
    )


def patch_name(overlay: Overlay) -> str:
    return "%s.patch" % safe_name(os.path.basename(overlay.folder), "curated package folder", overlay.folder)
