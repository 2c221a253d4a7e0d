"""Findings and evidence -> per-product, per-policy status: pass / fail / needs-evidence.

Why three states: most policies cannot be *proven* from a recipe (P3 sustainability,
P8 error handling), but a recipe can still *disprove* some of them, and records of
concretization, builds and test runs, the source tree and the installed prefix
(:mod:`.evidence`, judged by the ladders of :mod:`.ladder`) decide more. The decision
model (:mod:`.decisions`) says which lint rules decide a policy and which are only
indicators. So:

* a finding of a *deciding* rule (at the rule's own severity, warning or error: a
  profile that caps or raises it for lint noise changes nothing here), or a fail rung
  of the policy's ladder -> ``fail``;
* otherwise a pass rung of the ladder (positive evidence: a recipe fact, a record, the
  source, the prefix) -> ``pass``; a clean lint passes nothing;
* otherwise -> ``needs-evidence``, with the concerns (indicator findings), the partial
  support found and what would decide it.

Policies the documents call the same requirement (``same_verdict``) are judged by one
model and one ladder from one evidence set, so they cannot disagree. A product's own
compatibility document (:mod:`.compat`) can then fill in needs-evidence policies as
self-reported, and is checked for claims the findings contradict.
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

#: severities a deciding rule's finding needs to fail a policy
FAILING = ("warning", "error")
#: the role of a finding in a cell
DECIDING = "deciding"
INDICATOR = "concern"


@dataclasses.dataclass
class Evidence:
    """One finding as evidence for (or against) a policy."""

    rule: str
    severity: str
    message: str
    location: str  # "path:line" ("path" when the whole file)
    name: str = ""
    #: "deciding" (the finding fails the cell) or "concern" (an indicator, shown only)
    role: str = INDICATOR

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


def evidence_of(finding, role: str = INDICATOR) -> Evidence:
    location = finding.path + (":%d" % finding.line if finding.line else "")
    return Evidence(finding.rule, finding.severity, finding.message, location, getattr(finding, "name", ""), role)


def _default_severity(finding, rules: Dict) -> str:
    """The rule's own severity: what a profile caps or raises is lint noise, not evidence."""
    rule = rules.get(finding.rule)
    return rule.severity if rule is not None else finding.severity


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
    decisions: Optional[Dict] = None,
) -> ProductReport:
    """Status of every policy for one product from its lint findings and observations.

    ``ran`` is the set of rule IDs that actually ran (default: assume all did); a
    deciding rule that did not run is named in the cell. ``observations`` are the
    product's evidence (:class:`.evidence.Observation`), judged by ``ladders``
    (default: ``policy/data/ladders.yaml``); ``decisions`` (default:
    ``policy/data/decisions.yaml``) sorts the rules; ``fill`` names the target and run
    folder in the "to decide" commands.
    """
    from ..lint.registry import all_rules
    from .decisions import default_decisions
    from .ladder import climb, default_ladders

    findings = list(findings)
    ran = set(ran) if ran is not None else None
    ladders = default_ladders() if ladders is None else ladders
    decisions = default_decisions() if decisions is None else decisions
    rules = {r.id: r for r in all_rules(True)}
    fill = dict({"product": product, "target": "<target>", "run": "<run>"}, **(fill or {}))
    recipe_only = [o for o in observations if o.fact.startswith("recipe.")]
    by_id = {p.id: p for p in policies}
    results = {}
    for policy in policies:
        decision = decisions[policy.id]
        deciding, indicators = set(decision.deciding), set(decision.indicators)
        members = set(decision.group)
        relevant = [f for f in findings if f.rule in deciding | indicators or members & set(tuple(f.policies or ()))]
        failing = [f for f in relevant if f.rule in deciding and _default_severity(f, rules) in FAILING]
        evidence = [
            evidence_of(f, DECIDING if f in failing else INDICATOR)
            for f in sorted(relevant, key=lambda f: (f.line, f.rule))
        ]
        not_run = sorted(r for r in decision.deciding if ran is not None and r not in ran)
        head = by_id.get(decision.canonical, policy)
        where = (
            {"group": "policy_groups/%s/policies" % policy.group, "number": str(policy.number)}
            if policy.framework == "E4S"
            else {"group": "xsdk_policies", "number": policy.id}
        )
        ladder = ladders.get(decision.canonical)
        verdict = climb(ladder, observations, dict(fill, policy=policy.id, **where))
        by_recipe = climb(ladder, recipe_only, {})
        used = [dict(o.to_dict(), effect=kind, why=why) for o, kind, why in verdict.used]
        used += [dict(o.to_dict(), effect="stale", why=o.stale) for o in observations if _stale_for(o, ladder)]
        decided_by = ""
        concerns = sorted({f.rule for f in relevant if f not in failing})
        if error:
            status, why = NEEDS_EVIDENCE, "recipe could not be analysed: " + error
            used = []
        elif failing or verdict.status == FAIL:
            status, parts = FAIL, []
            if failing:
                names = sorted({f.rule for f in failing})
                parts.append("%d finding(s) of %s, which decide(s) it" % (len(failing), ", ".join(names)))
            if verdict.status == FAIL:
                parts += verdict.why
            why = "; ".join(parts)
            from_evidence = verdict.status == FAIL and by_recipe.status != FAIL
            decided_by = "+".join(
                x for x, on in (("recipe", failing or by_recipe.status == FAIL), ("evidence", from_evidence)) if on
            )
        elif verdict.status == PASS:
            status, why = PASS, "; ".join(verdict.why)
            beyond = any(kind == PASS and not o.fact.startswith("recipe.") for o, kind, _ in verdict.used)
            decided_by = "+".join(x for x, on in (("recipe", by_recipe.status == PASS), ("evidence", beyond)) if on)
        else:
            status = NEEDS_EVIDENCE
            why = "undecided: a pass needs %s" % decision.needs_pass
            if verdict.status == "partial":
                why += "; partial evidence: " + "; ".join(verdict.why)
            if verdict.to_decide:
                why += "; to decide: " + "; ".join("%s (%s)" % (t["evidence"], t["produce"]) for t in verdict.to_decide)
        if concerns and not error:
            why += "; concerns (indicators, never deciding): " + ", ".join(concerns)
        if not_run and not error and status != FAIL:
            why += "; deciding rule(s) not run (lint profile, or no --deep): %s" % ", ".join(not_run)
        if head.id != policy.id:
            why += "; one verdict with %s (the same requirement)" % head.id
        if error:
            recipe_status = NEEDS_EVIDENCE
        elif failing or by_recipe.status == FAIL:
            recipe_status = FAIL
        else:
            recipe_status = PASS if by_recipe.status == PASS else NEEDS_EVIDENCE
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


def _stale_for(observation, ladder) -> bool:
    """A stale observation of a fact the ladder reads: shown in the cell, deciding nothing."""
    if not getattr(observation, "stale", "") or ladder is None:
        return False
    return any(observation.fact in rung.when for rung in ladder.rungs)


def new_report(policies: Sequence[Policy], products: Sequence[ProductReport], spack: str = "") -> PolicyReport:
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return PolicyReport(list(policies), list(products), date=now.isoformat(), spack=spack)
