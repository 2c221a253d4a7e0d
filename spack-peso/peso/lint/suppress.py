"""Inline suppressions: ``# peso: ignore[RULE-ID, ...] reason`` on the finding's line.

A suppression is an exception a reviewer must be able to judge, so it needs a reason
(without one it still suppresses, but is itself reported as PESO-X001), and one that no
longer suppresses anything is reported as PESO-X002 so that stale exceptions get removed.
A whole-file finding (line 0) has no line to carry the comment; any line of the file may
then suppress it by naming its rule.

Suppressions are parsed in the worker from the recipe's comments (``Recipe.comments``)
and travel as compact tuples ``(line, (rule IDs...), reason)``; applying them happens in
the parent after the profile and selection are known.
"""

import re
from typing import Dict, Iterable, List, Sequence, Tuple

from .registry import rule

SUPPRESSION = re.compile(r"\bpeso:\s*ignore\[([^\]]*)\]\s*(.*)$", re.IGNORECASE)

#: (line, rule IDs, reason)
Suppression = Tuple[int, Tuple[str, ...], str]

WITHOUT_REASON = "PESO-X001"
UNUSED = "PESO-X002"
#: engine findings that an inline comment cannot hide
UNSUPPRESSIBLE = frozenset({WITHOUT_REASON, UNUSED})


def parse_suppressions(comments: Dict[int, str]) -> Tuple[Suppression, ...]:
    """Every ``peso: ignore[...]`` comment of a recipe, by line."""
    found = []
    for line, text in comments.items():
        if "peso" not in text:
            continue
        m = SUPPRESSION.search(text)
        if not m:
            continue
        ids = tuple(i.strip().upper() for i in m.group(1).split(",") if i.strip())
        reason = m.group(2).strip()
        found.append((line, ids, reason))
    found.sort()
    return tuple(found)


@rule(WITHOUT_REASON, kind="engine")
@rule(UNUSED, kind="engine")
def apply_suppressions(
    findings: Sequence, suppressions: Sequence[Suppression], active_ids: Iterable[str], known_ids: Iterable[str]
) -> Tuple[List, List[Tuple[str, int, int, str]]]:
    """Drop suppressed findings; return the kept ones and the engine's own problems.

    The problems are ``(rule_id, line, column, message)`` for suppressions without a
    reason and for rule IDs in a suppression that suppressed nothing. An ID of a known
    rule that is not running in this lint (not selected, ignored) is not "unused": it may
    well be needed under another profile.
    """
    if not suppressions:
        return list(findings), []
    by_line: Dict[int, List[Suppression]] = {}
    for sup in suppressions:
        by_line.setdefault(sup[0], []).append(sup)
    used = set()  # (line, rule)
    kept = []
    for f in findings:
        if f.rule in UNSUPPRESSIBLE:
            kept.append(f)
            continue
        candidates = by_line.get(f.line, ()) if f.line else suppressions
        hit = None
        for line, ids, _reason in candidates:
            if f.rule in ids:
                hit = (line, f.rule)
                break
        if hit:
            used.add(hit)
        else:
            kept.append(f)
    active = set(active_ids)
    known = set(known_ids)
    problems = []
    for line, ids, reason in suppressions:
        if not reason and WITHOUT_REASON in active:
            problems.append(
                (WITHOUT_REASON, line, 1, "suppression of %s gives no reason" % ", ".join(ids or ("nothing",)))
            )
        if UNUSED not in active:
            continue
        for rule_id in ids:
            if (line, rule_id) in used:
                continue
            if rule_id not in known:
                problems.append((UNUSED, line, 1, "suppression names unknown rule %s" % rule_id))
            elif rule_id in active:
                problems.append((UNUSED, line, 1, "%s reported nothing here; remove the suppression" % rule_id))
    return kept, problems
