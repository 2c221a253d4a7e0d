"""``--compare OLD``: what improved or regressed between two policy reports.

Reports are compared on their JSON form (``report.json``, written next to the Markdown
and HTML), or on a folder of E4S compatibility YAML files, so an old report made by an
older spack-peso, or by hand in the upstream format, can still be the baseline.
Rank: fail < needs-evidence < pass; a move up is an improvement, down a regression.
A cell that evidence decided (needs-evidence -> pass or fail, by a build, a test run, a
source tree or a prefix rather than by the recipe) is listed as *decided*, with the
evidence that decided it, and is not a regression: nothing about the product got worse,
we only learned more. A cell the recipe newly fails is still a regression.
"""

import dataclasses
import glob
import json
import os
from typing import Dict, List, Optional

from ..errors import PesoError
from .evaluate import FAIL, NEEDS_EVIDENCE, PASS, PolicyReport

RANK = {FAIL: 0, NEEDS_EVIDENCE: 1, PASS: 2}
#: upstream enum -> our status, for reading compatibility documents
FROM_E4S = {0: NEEDS_EVIDENCE, 1: FAIL, 2: PASS}

#: product -> policy id -> status
StatusTable = Dict[str, Dict[str, str]]


@dataclasses.dataclass
class Change:
    product: str
    policy: str
    old: str
    new: str
    #: what decided the new status ("evidence", "recipe", "recipe+evidence") and its sources
    by: str = ""
    sources: List[str] = dataclasses.field(default_factory=list)

    @property
    def improved(self) -> bool:
        return RANK[self.new] > RANK[self.old]


@dataclasses.dataclass
class Comparison:
    improved: List[Change]
    regressed: List[Change]
    added: List[str]
    removed: List[str]
    #: needs-evidence -> pass/fail decided by evidence (new builds, test runs, sources, prefixes)
    decided: List[Change] = dataclasses.field(default_factory=list)

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressed)


def table_of(report: PolicyReport) -> StatusTable:
    return {p.product: {pid: r.status for pid, r in p.results.items()} for p in report.products}


def sources_of(report: PolicyReport) -> Dict[str, Dict[str, tuple]]:
    """product -> policy -> (decided_by, [evidence sources]) of a new report."""
    return {
        p.product: {
            pid: (r.decided_by, [o["source"] for o in r.observations if o.get("effect") in (PASS, FAIL)])
            for pid, r in p.results.items()
        }
        for p in report.products
    }


def load_table(path: str) -> StatusTable:
    """Statuses of an old report: its ``report.json`` (file or folder) or a folder of YAML."""
    if os.path.isdir(path):
        candidate = os.path.join(path, "report.json")
        if os.path.isfile(candidate):
            return _from_json(candidate)
        docs = sorted(glob.glob(os.path.join(path, "*.yaml")) + glob.glob(os.path.join(path, "*", "*.yaml")))
        if not docs:
            raise PesoError("no report.json and no compatibility YAML files in the folder", path=path)
        return _from_yaml(docs)
    if path.endswith((".yaml", ".yml")):
        return _from_yaml([path])
    return _from_json(path)


def _from_json(path: str) -> StatusTable:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return {p["product"]: {pid: r["status"] for pid, r in p["results"].items()} for p in data["products"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise PesoError("not a policy report JSON (%s)" % str(e).splitlines()[0], path=path)


def _from_yaml(paths) -> StatusTable:
    from .compat import claims, read_document

    table = {}
    for path in paths:
        doc = read_document(path)
        statuses = {pid: FROM_E4S[s] for pid, s in claims(doc, path).items()}
        for entry in doc.get("xsdk_policies") or ():
            if entry.get("peso_status") in RANK:
                statuses[entry["id"]] = entry["peso_status"]
        tags = {"Official": "P", "Future": "FP", "FutureLibrary": "FLP"}
        for group in doc["policy_groups"]:
            for name, body in group.items():
                for entry in (body or {}).get("policies") or ():
                    # peso_status, when present, is more precise than the 0/1/2 enum
                    if name in tags and entry.get("peso_status") in RANK:
                        statuses["E4S-%s%s" % (tags[name], entry["id"])] = entry["peso_status"]
        table[str(doc["product_name"])] = statuses
    return table


def compare(old: StatusTable, new: StatusTable, sources: Optional[Dict[str, Dict[str, tuple]]] = None) -> Comparison:
    improved: list = []
    regressed: list = []
    decided: list = []
    sources = sources or {}
    for product in sorted(set(old) & set(new)):
        for policy in sorted(set(old[product]) & set(new[product])):
            a, b = old[product][policy], new[product][policy]
            if a == b or a not in RANK or b not in RANK:
                continue
            by, where = sources.get(product, {}).get(policy, ("", []))
            change = Change(product, policy, a, b, by, list(where))
            if a == NEEDS_EVIDENCE and by == "evidence":
                decided.append(change)
            else:
                (improved if change.improved else regressed).append(change)
    return Comparison(
        improved=improved,
        regressed=regressed,
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
        decided=decided,
    )


def summary_lines(c: Comparison) -> List[str]:
    lines = [
        "%d improved, %d regressed, %d decided by new evidence, %d products added, %d removed"
        % (len(c.improved), len(c.regressed), len(c.decided), len(c.added), len(c.removed))
    ]
    for change in c.regressed:
        lines.append(
            "regressed %s %s: %s -> %s%s" % (change.product, change.policy, change.old, change.new, _by(change))
        )
    for change in c.improved:
        lines.append(
            "improved  %s %s: %s -> %s%s" % (change.product, change.policy, change.old, change.new, _by(change))
        )
    for change in c.decided:
        lines.append(
            "decided   %s %s: %s -> %s%s" % (change.product, change.policy, change.old, change.new, _by(change))
        )
    for name in c.added:
        lines.append("added     %s" % name)
    for name in c.removed:
        lines.append("removed   %s" % name)
    return lines


def _by(change: Change) -> str:
    if not change.sources:
        return ""
    more = " +%d more" % (len(change.sources) - 2) if len(change.sources) > 2 else ""
    return " (by %s%s)" % ("; ".join(change.sources[:2]), more)
