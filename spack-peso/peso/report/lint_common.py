"""Small helpers shared by the lint writers: display paths and finding counts."""

import collections
import os
from typing import Dict, Iterable, List, Tuple

from ..lint.registry import SEVERITIES


def display_path(path: str, base: str) -> str:
    """``path`` relative to ``base`` when it lies inside it (what CI tools expect), else as is."""
    key = (path, base)
    shown = _DISPLAYED.get(key)
    if shown is None:
        shown = _DISPLAYED[key] = _display_path(path, base)
    return shown


#: (path, base) -> shown path; a report names each of thousands of files many times
_DISPLAYED: Dict[Tuple[str, str], str] = {}


def _display_path(path: str, base: str) -> str:
    prefix = base.rstrip(os.sep) + os.sep
    if path.startswith(prefix) and os.sep + os.pardir not in path:  # the common, cheap case
        return path[len(prefix) :].replace(os.sep, "/")
    if os.path.isabs(path) and os.path.isabs(base) and os.sep + os.pardir not in path:
        return path  # outside base: relpath would only climb out with "..", shown as is
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return path
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return rel.replace(os.sep, "/")


def count_by_severity(findings: Iterable) -> Dict[str, int]:
    counts = collections.Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITIES}


def count_by_rule(findings: Iterable) -> List[Tuple[str, str, int]]:
    """(rule ID, rule name, count), most frequent first."""
    counts = collections.Counter((f.rule, f.name) for f in findings)
    return [(rid, name, n) for (rid, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def count_by_policy(findings: Iterable) -> List[Tuple[str, int]]:
    """(policy ID, count), most frequent first; findings of no policy count as 'none'."""
    counts: collections.Counter = collections.Counter()
    for f in findings:
        for policy in f.policies or ("(no policy)",):
            counts[policy] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
