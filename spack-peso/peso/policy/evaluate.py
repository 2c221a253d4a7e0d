"""Findings and evidence -> per-product, per-policy status: pass / fail / needs-evidence.

Why three states: most policies cannot be *proven* from a recipe (P3 sustainability,
P8 error handling), but a recipe can still *disprove* some of them, and records of
concretization, builds and test runs, the source tree and the installed prefix
(:mod:`.evidence`, judged by the ladders of :mod:`.ladder`) decide more. So:

* a finding of warning or error severity from a rule serving the policy, or a fail
  rung of the policy's ladder -> ``fail`` (info findings are kept but do not fail);
* otherwise a pass rung of the ladder -> ``pass``; or, if the policy is decidable from
  the recipe, a clean lint -> ``pass``;
* otherwise -> ``needs-evidence``, with the partial support found and what would
  decide it (a command, or a line for the product's own document).

A product's own compatibility document (:mod:`.compat`) can then fill in
needs-evidence policies as self-reported, and is checked for claims the findings
contradict.
"""

import dataclasses
import datetime
from typing import Dict, Iterable, List, Optional, Sequence

from .. import __version__
from .definitions import Policy

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
    #: observations the ladder used: Observation fields + effect (pass/fail/partial) + why
    observations: List[dict] = dataclasses.field(default_factory=list)
    #: what decided it: "recipe", "evidence", "recipe+evidence" or "" (undecided)
    decided_by: str = ""
    #: for undecided cells: [{evidence, produce}] that would decide it
    to_decide: List[dict] = dataclasses.field(default_factory=list)
    #: the status the recipe lint alone gives (what the report said before evidence was read)
    recipe_status: str = ""

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d


def _plain(report, **converted) -> dict:
    """A report's fields as plain data, with the nested ones already converted."""
    return {f.name: converted.get(f.name, getattr(report, f.name)) for f in dataclasses.fields(report)}


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
        return _plain(self, results={k: v.to_dict() for k, v in self.results.items()})


@dataclasses.dataclass
class PolicyReport:
    """Every product against every policy, plus where and when it was made."""

    policies: List[Policy]
    products: List[ProductReport]
    tool: str = "spack-peso " + __version__
    date: str = ""
    spack: str = ""
    #: kind of evidence -> how many files/folders were read (beyond the recipes)
    evidence_sources: Dict[str, int] = dataclasses.field(default_factory=dict)

    def cells(self):
        """``(policy id, product report, result or None)`` for every cell of the matrix."""
        for product in self.products:
            for p in self.policies:
                yield p.id, product, product.results.get(p.id)

    def decided(self, recipe_alone: bool = False) -> Dict[str, int]:
        """policy id -> number of products with a pass or fail (by the recipe lint alone, if asked)."""
        table = {p.id: 0 for p in self.policies}
        for pid, _product, r in self.cells():
            status = (r.recipe_status or r.status) if (r and recipe_alone) else (r.status if r else NEEDS_EVIDENCE)
            table[pid] += status in (PASS, FAIL)
        return table

    def self_reported(self) -> Dict[str, int]:
        """policy id -> undecided cells the product's own document reports (kept apart from decided)."""
        table = {p.id: 0 for p in self.policies}
        for pid, _product, r in self.cells():
            table[pid] += bool(r and r.status == NEEDS_EVIDENCE and r.source == "self-reported")
        return table

    def counts(self) -> Dict[str, Dict[str, int]]:
        """policy id -> status -> number of products."""
        table = {p.id: {s: 0 for s in STATUSES} for p in self.policies}
        for pid, product, _r in self.cells():
            table[pid][product.status(pid)] += 1
        return table

    def to_dict(self) -> dict:
        return _plain(
            self, policies=[dataclasses.asdict(p) for p in self.policies], products=[p.to_dict() for p in self.products]
        )


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
    observations: Sequence = (),
    ladders: Optional[Dict] = None,
    fill: Optional[Dict[str, str]] = None,
) -> ProductReport:
    """Status of every policy for one product from its lint findings and observations.

    ``ran`` is the set of rule IDs that actually ran (default: assume all did); a
    decidable policy none of whose rules ran cannot pass. ``observations`` are the
    product's evidence (:class:`.evidence.Observation`), judged by ``ladders``
    (default: ``policies/ladders.yaml``); ``fill`` names the target and run folder
    in the "to decide" commands.
    """
    from .ladder import climb, default_ladders

    findings = list(findings)
    ran = set(ran) if ran is not None else None
    ladders = default_ladders() if ladders is None else ladders
    fill = dict({"product": product, "target": "<target>", "run": "<run>"}, **(fill or {}))
    results = {}
    for policy in policies:
        serving = set(policy.rules)
        checked = [r for r in policy.rules if ran is None or r in ran]
        relevant = [f for f in findings if f.rule in serving or policy.id in tuple(f.policies or ())]
        evidence = [evidence_of(f) for f in sorted(relevant, key=lambda f: (f.line, f.rule))]
        failing = [f for f in relevant if f.severity in FAILING]
        where = (
            {"group": "policy_groups/%s/policies" % policy.group, "number": str(policy.number)}
            if policy.framework == "E4S"
            else {"group": "xsdk_policies", "number": policy.id}
        )
        verdict = climb(ladders.get(policy.id), observations, dict(fill, policy=policy.id, **where))
        used = [dict(o.to_dict(), effect=kind, why=why) for o, kind, why in verdict.used]
        decided_by = ""
        if error:
            status, why = NEEDS_EVIDENCE, "recipe could not be analysed: " + error
            used = []
        elif failing or verdict.status == FAIL:
            status, parts = FAIL, []
            if failing:
                rules = sorted({f.rule for f in failing})
                parts.append("%d finding(s) of %s" % (len(failing), ", ".join(rules)))
            if verdict.status == FAIL:
                parts += verdict.why
            why = "; ".join(parts)
            decided_by = "+".join(x for x, on in (("recipe", failing), ("evidence", verdict.status == FAIL)) if on)
        elif verdict.status == PASS:
            status, why, decided_by = PASS, "; ".join(verdict.why), "evidence"
            if policy.decidable and checked:
                why += " (and no finding from the %d recipe rule(s))" % len(checked)
                decided_by = "recipe+evidence"
        elif policy.decidable and checked:
            status, decided_by = PASS, "recipe"
            why = "no finding from the %d recipe rule(s) serving it (%s)" % (len(checked), ", ".join(checked))
            if verdict.status == "partial":
                why += "; evidence: " + "; ".join(verdict.why)
        else:
            status = NEEDS_EVIDENCE
            why = "not decidable from the recipe"
            if policy.needs:
                why += ": " + policy.needs
            if checked:
                why += " (%d recipe rule(s) found nothing against it)" % len(checked)
            if verdict.status == "partial":
                why += "; partial evidence: " + "; ".join(verdict.why)
            if verdict.to_decide:
                why += "; to decide: " + "; ".join("%s (%s)" % (t["evidence"], t["produce"]) for t in verdict.to_decide)
        if error:
            recipe_status = NEEDS_EVIDENCE
        elif failing:
            recipe_status = FAIL
        else:
            recipe_status = PASS if policy.decidable and checked else NEEDS_EVIDENCE
        result = PolicyResult(
            policy.id, status, evidence, why, observations=used, decided_by=decided_by, recipe_status=recipe_status
        )
        if status == NEEDS_EVIDENCE:
            result.to_decide = verdict.to_decide
            if error or not result.to_decide:
                # without a readable recipe nothing is decided: the recipe comes first
                result.to_decide = [
                    {
                        "evidence": "the product's Spack recipe",
                        "produce": "a package.py in a repository given with --repo (or configured in Spack)",
                    }
                ] + ([] if error else result.to_decide)
        results[policy.id] = result
    return ProductReport(product, package, recipe, results, error)


def new_report(policies: Sequence[Policy], products: Sequence[ProductReport], spack: str = "") -> PolicyReport:
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return PolicyReport(list(policies), list(products), date=now.isoformat(), spack=spack)
