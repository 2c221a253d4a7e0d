"""``spack peso policy explain ID``: one policy, its recipe rules and its evidence ladder.

Why a command: a cell's status is only as good as the reasoning behind it. This prints
the ladder exactly as the report applies it (from ``policies/ladders.yaml``), so a
curator can check a rung before trusting a matrix built on it.
"""

import textwrap

from ..errors import PesoError
from .definitions import load_policies
from .ladder import default_ladders


def text(policy_id: str) -> str:
    policies = {p.id: p for p in load_policies()}
    policy = policies.get(policy_id) or next((p for p in policies.values() if p.id.lower() == policy_id.lower()), None)
    if policy is None:
        raise PesoError("unknown policy %r (known: %s ...)" % (policy_id, ", ".join(list(policies)[:5])))
    ladder = default_ladders().get(policy.id)
    out = ["%s  %s" % (policy.id, policy.title), ""]
    out += _wrap(policy.description)
    out.append("")
    out.append(
        "recipe: %s; rules: %s"
        % (
            "decidable (a clean lint passes)" if policy.decidable else "not decidable alone (a failing finding fails)",
            ", ".join(policy.rules) or "none",
        )
    )
    if ladder is None:
        out += ["", "evidence ladder: none (the recipe lint alone decides it)"]
        return "\n".join(out) + "\n"
    out += ["", "why:"] + _wrap(ladder.reasoning, "  ")
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
