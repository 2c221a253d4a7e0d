"""Findings -> per-product, per-policy status: pass / fail / needs-evidence.

Why three states: most policies cannot be *proven* from a recipe (P3 sustainability,
P8 error handling), but a recipe can still *disprove* some of them. So:

* a finding of warning or error severity from a rule serving the policy -> ``fail``
  (info findings are kept as evidence but do not fail);
* otherwise, if the policy is decidable from the recipe -> ``pass``;
* otherwise -> ``needs-evidence`` (a human or an external document must say).

A product's own compatibility document (:mod:`.compat`) can then fill in
needs-evidence policies as self-reported, and is checked for claims the findings
contradict.
"""

import dataclasses
import datetime
from typing import Dict, Iterable, List, Optional, Sequence

from .. import __version__
from .catalog import Policy

PASS = "pass"
FAIL = "fail"
NEEDS_EVIDENCE = "needs-evidence"
STATUSES = (PASS, FAIL, NEEDS_EVIDENCE)

#: severities that fail a policy
FAILING = ("warning", "error")


@dataclasses.dataclass
class Evidence:
    """One finding as evidence for (or against) a policy."""

    rule: str
    severity: str
    message: str
    location: str  # "path:line" ("path" when the whole file)
    name: str = ""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class PolicyResult:
    policy: str
    status: str
    evidence: List[Evidence] = dataclasses.field(default_factory=list)
    explanation: str = ""
    #: "automated" (from findings) or "self-reported" (from the product's own document)
    source: str = "automated"
    #: the product's own claim (0/1/2) when it shipped a compatibility document
    claimed: Optional[int] = None
    contradiction: str = ""

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d


@dataclasses.dataclass
class ProductReport:
    product: str
    package: str
    recipe: str
    results: Dict[str, PolicyResult]
    error: str = ""

    def status(self, policy_id: str) -> str:
        r = self.results.get(policy_id)
        return r.status if r else NEEDS_EVIDENCE

    def contradictions(self) -> List[PolicyResult]:
        return [r for r in self.results.values() if r.contradiction]

    def to_dict(self) -> dict:
        return {
            "product": self.product,
            "package": self.package,
            "recipe": self.recipe,
            "error": self.error,
            "results": {k: v.to_dict() for k, v in self.results.items()},
        }


@dataclasses.dataclass
class PolicyReport:
    """Every product against every policy, plus where and when it was made."""

    policies: List[Policy]
    products: List[ProductReport]
    tool: str = "spack-peso " + __version__
    date: str = ""
    spack: str = ""

    def counts(self) -> Dict[str, Dict[str, int]]:
        """policy id -> status -> number of products."""
        table = {p.id: {s: 0 for s in STATUSES} for p in self.policies}
        for product in self.products:
            for p in self.policies:
                table[p.id][product.status(p.id)] += 1
        return table

    def to_dict(self) -> dict:
        return {
            "tool": self.tool,
            "date": self.date,
            "spack": self.spack,
            "policies": [dataclasses.asdict(p) for p in self.policies],
            "products": [p.to_dict() for p in self.products],
        }


def evidence_of(finding) -> Evidence:
    location = finding.path + (":%d" % finding.line if finding.line else "")
    return Evidence(finding.rule, finding.severity, finding.message, location, getattr(finding, "name", ""))


def evaluate_product(
    product: str,
    package: str,
    recipe: str,
    findings: Iterable,
    policies: Sequence[Policy],
    error: str = "",
    ran: Optional[Iterable[str]] = None,
) -> ProductReport:
    """Status of every policy for one product from its lint findings.

    ``ran`` is the set of rule IDs that actually ran (default: assume all did); a
    decidable policy none of whose rules ran cannot pass.
    """
    findings = list(findings)
    ran = set(ran) if ran is not None else None
    results = {}
    for policy in policies:
        serving = set(policy.rules)
        checked = [r for r in policy.rules if ran is None or r in ran]
        relevant = [f for f in findings if f.rule in serving or policy.id in tuple(f.policies or ())]
        evidence = [evidence_of(f) for f in sorted(relevant, key=lambda f: (f.line, f.rule))]
        failing = [f for f in relevant if f.severity in FAILING]
        if error:
            status, why = NEEDS_EVIDENCE, "recipe could not be analysed: " + error
        elif failing:
            rules = sorted({f.rule for f in failing})
            status, why = FAIL, "%d finding(s) of %s" % (len(failing), ", ".join(rules))
        elif policy.decidable and checked:
            status, why = PASS, "no finding from the %d recipe rule(s) serving it (%s)" % (len(checked), ", ".join(checked))
        else:
            status = NEEDS_EVIDENCE
            why = "not decidable from the recipe"
            if policy.needs:
                why += ": " + policy.needs
            if checked:
                why += " (%d recipe rule(s) found nothing against it)" % len(checked)
        results[policy.id] = PolicyResult(policy.id, status, evidence, why)
    return ProductReport(product, package, recipe, results, error)


def new_report(policies: Sequence[Policy], products: Sequence[ProductReport], spack: str = "") -> PolicyReport:
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return PolicyReport(list(policies), list(products), date=now.isoformat(), spack=spack)
