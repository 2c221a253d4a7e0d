"""``spack peso policy explain ID``: one policy, its decision model and its evidence ladder.

Why a command: a cell's status is only as good as the reasoning behind it. This prints
the decision model (``policy/data/decisions.yaml``: what a pass and a fail need, which rules
decide and which are only concerns) and the ladder exactly as the report applies them,
so a curator can check a rung before trusting a matrix built on it.
"""

import textwrap

from ..errors import PesoError
from .decisions import default_decisions
from .definitions import load_policies
from .ladder import default_ladders


def text(policy_id: str) -> str:
    policies = {p.id: p for p in load_policies()}
    policy = policies.get(policy_id) or next((p for p in policies.values() if p.id.lower() == policy_id.lower()), None)
    if policy is None:
        raise PesoError("unknown policy %r (known: %s ...)" % (policy_id, ", ".join(list(policies)[:5])))
    decision = default_decisions()[policy.id]
    ladder = default_ladders().get(decision.canonical)
    out = ["%s  %s" % (policy.id, policy.title), ""]
    out += _wrap(policy.description)
    if decision.canonical != policy.id:
        out += [""] + _wrap("one verdict with %s: %s" % (decision.canonical, decision.same_reason))
    elif len(decision.group) > 1:
        out += [""] + _wrap("one verdict with %s (the same requirement)" % ", ".join(decision.group[1:]))
    out += ["", "a pass needs:"] + _wrap(decision.needs_pass, "  ")
    out += ["", "a fail needs:"] + _wrap(decision.needs_fail, "  ")
    out += ["", "deciding rules (a finding fails the cell): %s" % (", ".join(decision.deciding) or "none")]
    out += ["indicators (shown as concerns, never deciding): %s" % (", ".join(decision.indicators) or "none")]
    out += ["", "decision model:"] + _wrap(decision.reasoning, "  ")
    if ladder is None:
        out += ["", "evidence ladder: none"]
        return "\n".join(out) + "\n"
    out += ["", "evidence ladder:"] + _wrap(ladder.reasoning, "  ")
    for kind, title in (
        ("fail", "fails when"),
        ("pass", "passes when"),
        ("partial", "partial support (decides nothing) when"),
    ):
        rungs = ladder.of_kind(kind)
        if rungs:
            out += ["", title + ":"]
            out += ["  - %s: %s" % (r.describe(), r.why) for r in rungs]
    if ladder.to_decide:
        out += ["", "to decide an undecided cell:"]
        from .ladder import _fill

        where = {"policy": policy.id, "group": "policy_groups/%s/policies" % policy.group, "number": str(policy.number)}
        if policy.framework != "E4S":
            where.update(group="xsdk_policies", number=policy.id)
        out += ["  - %s: %s" % (t["evidence"], _fill(t["produce"], where)) for t in ladder.to_decide]
    return "\n".join(out) + "\n"


def _wrap(text: str, indent: str = "") -> list:
    return textwrap.wrap(text, 92, initial_indent=indent, subsequent_indent=indent) if text else []
