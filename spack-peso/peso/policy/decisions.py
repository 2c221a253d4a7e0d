"""The decision model: per policy, which lint rules decide it and which only point at it.

Why a model apart from the rule docs: a rule's ``policies`` (``lint/data/rules*.yaml``) says
what a finding is *about*; it does not say the finding shows the policy broken, nor that
silence shows it met. ``policy/data/decisions.yaml`` says that, policy by policy, with the
reasoning a curator can read (``spack peso policy explain ID``). This module loads and
checks it: every rule naming a policy is sorted into ``deciding`` or ``indicators``, a
deciding rule can produce a failing finding, and policies the documents call the same
requirement share one verdict (``same_verdict``).
"""

import dataclasses
import os
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from .. import yamlio
from ..errors import PesoError
from .definitions import DATA_DIR

DECISIONS = os.path.join(DATA_DIR, "decisions.yaml")
#: severities a finding must have (at the rule's default) to fail a cell
FAILING = ("warning", "error")


@dataclasses.dataclass
class Decision:
    """How one policy is decided (for a ``same_as`` member: its group's canonical model)."""

    policy: str
    needs_pass: str
    needs_fail: str
    deciding: Tuple[str, ...]
    indicators: Tuple[str, ...]
    reasoning: str
    #: the policy whose verdict this one shares (itself when it heads its group or has none)
    canonical: str
    #: every policy of its same-verdict group, canonical first
    group: Tuple[str, ...]
    #: this member's own reason for sharing the verdict ('' for the canonical one)
    same_reason: str = ""


def load_decisions(path: str = DECISIONS, policies: Optional[Sequence] = None, rules: Optional[Dict] = None):
    """``{policy id: Decision}``, checked against the policies and the rules' own mapping.

    A rule serving a policy (its ``policies`` key) that the model does not sort, a
    deciding rule that only reports info, an unknown rule or policy, or a group member
    with a model of its own is a one-line :class:`PesoError` naming the key.
    """
    if policies is None:
        from .definitions import load_policies

        policies = load_policies(rules=rules)
    if rules is None:
        from ..lint.registry import all_rules

        rules = {r.id: r for r in all_rules(True)}
    data = yamlio.load(path)
    if not isinstance(data, dict) or not isinstance(data.get("policies"), dict):
        raise PesoError("expected a 'policies' mapping", path=path)
    known = {p.id: p for p in policies}
    body = data["policies"]
    missing = sorted(set(known) - set(body))
    if missing:
        raise PesoError("no decision model for %s" % ", ".join(missing), path=path, key="policies")
    groups: Dict[str, Tuple[str, ...]] = {}
    for i, group in enumerate(data.get("same_verdict") or ()):
        if not isinstance(group, list) or len(group) < 2 or any(g not in known for g in group):
            raise PesoError("a group lists two or more known policies", path=path, key="same_verdict[%d]" % i)
        for member in group:
            if member in groups:
                raise PesoError("%s is in two groups" % member, path=path, key="same_verdict[%d]" % i)
            groups[member] = tuple(group)
    decisions: Dict[str, Decision] = {}
    for pid, entry in body.items():
        if pid not in known:
            raise PesoError("no such policy", path=path, key=pid)
        if not isinstance(entry, dict) or not str(entry.get("reasoning") or "").strip():
            raise PesoError("a model needs a 'reasoning'", path=path, key=pid)
        group = groups.get(pid, (pid,))
        if entry.get("same_as"):
            if entry["same_as"] != group[0] or pid == group[0]:
                raise PesoError("same_as must name the first policy of its same_verdict group", path=path, key=pid)
            extra = set(entry) - {"same_as", "reasoning"}
            if extra:
                raise PesoError("a same_as member has no model of its own (%s)" % ", ".join(sorted(extra)), path, pid)
            continue
        if pid != group[0]:
            raise PesoError("a group member other than the first needs same_as: %s" % group[0], path=path, key=pid)
        lists = {}
        for key in ("deciding", "indicators"):
            listed = entry.get(key) or []
            if not isinstance(listed, list):
                raise PesoError("'%s' must be a list of rule IDs" % key, path=path, key=pid)
            unknown = [r for r in listed if r not in rules]
            if unknown:
                raise PesoError("unknown rule(s) %s in %s" % (", ".join(unknown), key), path=path, key=pid)
            lists[key] = tuple(listed)
        quiet = [r for r in lists["deciding"] if rules[r].severity not in FAILING]
        if quiet:
            raise PesoError("%s only report info and cannot decide" % ", ".join(quiet), path=path, key=pid)
        both = set(lists["deciding"]) & set(lists["indicators"])
        if both:
            raise PesoError("%s both deciding and indicator" % ", ".join(sorted(both)), path=path, key=pid)
        serving = {r for member in group for r in known[member].rules}
        unsorted = sorted(serving - set(lists["deciding"]) - set(lists["indicators"]))
        if unsorted:
            raise PesoError(
                "rule(s) %s serve this policy (rules.yaml) but are neither deciding nor indicators"
                % ", ".join(unsorted),
                path=path,
                key=pid,
            )
        for key in ("pass", "fail"):
            if not str(entry.get(key) or "").strip():
                raise PesoError("a model says what a %s needs ('%s')" % (key, key), path=path, key=pid)
        decisions[pid] = Decision(
            pid,
            " ".join(str(entry["pass"]).split()),
            " ".join(str(entry["fail"]).split()),
            lists["deciding"],
            lists["indicators"],
            " ".join(str(entry["reasoning"]).split()),
            pid,
            group,
        )
    for pid, entry in body.items():
        if entry.get("same_as"):
            head = decisions[entry["same_as"]]
            decisions[pid] = dataclasses.replace(
                head, policy=pid, same_reason=" ".join(str(entry["reasoning"]).split())
            )
    return decisions


@lru_cache(maxsize=1)
def default_decisions() -> Dict[str, Decision]:
    return load_decisions()


def groups(decisions: Dict[str, Decision]) -> List[Tuple[str, ...]]:
    """The same-verdict groups (two or more policies each)."""
    return sorted({d.group for d in decisions.values() if len(d.group) > 1})
