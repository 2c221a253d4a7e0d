"""The community policies as data: which policies exist and which rules serve each.

The policy files themselves (``peso/policy/data/policies/e4s-1.0.yaml``, ``xsdk-1.0.yaml``) are
written once, as data; this module only loads them into :class:`Policy` objects. Which
rules serve a policy is not in them: the rule docs (``peso/lint/data/rules*.yaml``, each
rule's ``policies``) are the one source of that mapping, and the rules are added here
(a test keeps the policy files free of ``rules:`` lists).
"""

import dataclasses
import glob
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

from .. import yamlio
from ..errors import PesoError

#: the policy package's data: how policies are decided (ladders, decisions), headlines, ...
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
#: the policy documents themselves, one file per policy set
POLICY_DIR = os.path.join(DATA_DIR, "policies")

#: E4S-P2 -> ("E4S", "P", 2); xSDK-M16 -> ("xSDK", "M", 16)
_ID = re.compile(r"^(E4S|xSDK)-([A-Z]+)(\d+)$")


#: E4S policy tag -> the upstream group key of e4s-policies-1.0.yaml
E4S_GROUPS = {"P": "Official", "FP": "Future", "FLP": "FutureLibrary"}


@dataclasses.dataclass
class Policy:
    """One policy clause, e.g. E4S-P2 "Minimal Validation Testing"."""

    id: str
    title: str
    framework: str  # "E4S" or "xSDK"
    tag: str  # P, FP, FLP, M, R
    number: int
    rules: Tuple[str, ...] = ()
    description: str = ""
    group: str = ""
    #: what else (beyond the recipe) decides the policy, from the policy file
    needs: str = ""

    @property
    def short(self) -> str:
        """``P2``, ``M16``: the id as the policy documents print it."""
        return "%s%d" % (self.tag, self.number)


def parse_policy_id(policy_id: str) -> Tuple[str, str, int]:
    m = _ID.match(policy_id or "")
    if not m:
        raise ValueError("not a policy id: %r" % policy_id)
    return m.group(1), m.group(2), int(m.group(3))


def load_policy_file(path: str) -> List[Policy]:
    """Policies of one file; a clear one-line error for anything malformed."""
    data = yamlio.load(path)
    entries = data.get("policies") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise PesoError("expected a list of policies under 'policies'", path=path)
    policies = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "id" not in entry:
            raise PesoError("entry %d has no 'id'" % i, path=path, key="policies")
        try:
            framework, tag, number = parse_policy_id(entry["id"])
        except ValueError as e:
            raise PesoError(str(e), path=path, key=entry.get("id"))
        policies.append(
            Policy(
                id=entry["id"],
                title=str(_first(entry, ("title", "name"), "")),
                framework=framework,
                tag=tag,
                number=number,
                rules=tuple(entry.get("rules") or ()),
                description=str(entry.get("description") or "").strip(),
                group=str(entry.get("group") or (E4S_GROUPS.get(tag, "") if framework == "E4S" else "")),
                needs=str(entry.get("evidence") or "").strip(),
            )
        )
    return policies


def _first(entry: dict, keys: Sequence[str], default):
    for key in keys:
        if key in entry:
            return entry[key]
    return default


def load_policies(paths: Optional[Sequence[str]] = None, rules: Optional[Dict] = None) -> List[Policy]:
    """Every policy of ``peso/policy/data/policies/*.yaml`` with the rules serving it.

    ``rules`` (rule id -> Rule, default: the registry) gives each policy the rules that
    list it in their own ``policies`` key.
    """
    if paths is None:
        # ladders.yaml and decisions.yaml beside the policy files hold how policies are
        # decided (.ladder, .decisions), not policies
        paths = sorted(p for p in glob.glob(os.path.join(POLICY_DIR, "*.yaml")))
    if not paths:
        raise PesoError("no policy files found", path=POLICY_DIR)
    policies: Dict[str, Policy] = {}
    for path in paths:
        for policy in load_policy_file(path):
            policies[policy.id] = policy
    if rules is None:
        from ..lint.registry import RULES

        rules = RULES
    for rule in rules.values():
        for pid in rule.policies:
            if pid in policies and rule.id not in policies[pid].rules:
                policies[pid].rules = policies[pid].rules + (rule.id,)
    return sorted(policies.values(), key=lambda p: (p.framework != "E4S", _TAG_ORDER.get(p.tag, 9), p.number))


_TAG_ORDER = {"P": 0, "FP": 1, "FLP": 2, "M": 0, "R": 1}
