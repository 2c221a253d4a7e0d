"""``--compare OLD``: what improved or regressed between two policy reports.

Reports are compared on their JSON form (``report.json``, written next to the Markdown
and HTML), or on a folder of E4S compatibility YAML files, so an old report made by an
older spack-peso, or by hand in the upstream format, can still be the baseline.
Rank: fail < needs-evidence < pass; a move up is an improvement, down a regression.
"""

import dataclasses
import glob
import json
import os
from typing import Dict, List

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

    @property
    def improved(self) -> bool:
        return RANK[self.new] > RANK[self.old]


@dataclasses.dataclass
class Comparison:
    improved: List[Change]
    regressed: List[Change]
    added: List[str]
    removed: List[str]

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressed)


def table_of(report: PolicyReport) -> StatusTable:
    return {p.product: {pid: r.status for pid, r in p.results.items()} for p in report.products}


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


def compare(old: StatusTable, new: StatusTable) -> Comparison:
    improved, regressed = [], []
    for product in sorted(set(old) & set(new)):
        for policy in sorted(set(old[product]) & set(new[product])):
            a, b = old[product][policy], new[product][policy]
            if a == b or a not in RANK or b not in RANK:
                continue
            change = Change(product, policy, a, b)
            (improved if change.improved else regressed).append(change)
    return Comparison(
        improved=improved,
        regressed=regressed,
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
    )


def summary_lines(c: Comparison) -> List[str]:
    lines = ["%d improved, %d regressed, %d products added, %d removed"
             % (len(c.improved), len(c.regressed), len(c.added), len(c.removed))]
    for change in c.regressed:
        lines.append("regressed %s %s: %s -> %s" % (change.product, change.policy, change.old, change.new))
    for change in c.improved:
        lines.append("improved  %s %s: %s -> %s" % (change.product, change.policy, change.old, change.new))
    for name in c.added:
        lines.append("added     %s" % name)
    for name in c.removed:
        lines.append("removed   %s" % name)
    return lines
