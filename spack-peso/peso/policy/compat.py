"""The E4S per-product "policy compatability" document (the upstream spelling, keys too).

Upstream (E4S-Project/e4s-policies, ``e4s-policy-compatability-1.0.yaml``, format 0.01)::

    product_name: NAME
    overall_policy_status: 0          # 0 Unreported, 1 Incomplete, 2 Complete
    e4s_policy_version: 1.0
    e4s_policy_compatability_format_version: 0.01
    policy_groups:
      - Official:
          policies:
            - id: 1
              policy_status: 0
              explanation: "..."

We write exactly those keys and add only optional ones that an older reader can ignore
(``evidence``, ``status_source``, ``peso_status``, ``decided_by``, ``to_decide``, ``tool``,
``date``, and the xSDK results under a separate top-level ``xsdk_policies``). An
``evidence`` item is a lint finding (``rule``) or an observation (``fact``, ``value``,
``location`` of the record, spec or prefix path, and its ``date``). Reading accepts any upstream-
shaped document, so a product's own ``.e4s/*compat*.yaml`` can be compared with what
the recipe shows.
"""

import glob
import os
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from .. import yamlio
from ..errors import PesoError
from .definitions import E4S_GROUPS, Policy
from .evaluate import DECIDING, FAIL, NEEDS_EVIDENCE, PASS, PolicyReport, ProductReport
from .evidence import display_path, file_date

UNREPORTED, INCOMPLETE, COMPLETE = 0, 1, 2
STATUS_NAMES = {UNREPORTED: "Unreported", INCOMPLETE: "Incomplete", COMPLETE: "Complete"}
#: our tri-state -> the upstream enum
TO_E4S = {PASS: COMPLETE, FAIL: INCOMPLETE, NEEDS_EVIDENCE: UNREPORTED}

POLICY_VERSION = 1.0
FORMAT_VERSION = 0.01
#: the keys every upstream-format document carries (the test data keeps a copy)
UPSTREAM_TOP_KEYS = (
    "product_name",
    "overall_policy_status",
    "e4s_policy_version",
    "e4s_policy_compatability_format_version",
    "policy_groups",
)
UPSTREAM_POLICY_KEYS = ("id", "policy_status", "explanation")


def overall_status(statuses: Sequence[int]) -> int:
    """2 when every policy is complete, 0 when none is reported, 1 otherwise."""
    statuses = list(statuses)
    if statuses and all(s == COMPLETE for s in statuses):
        return COMPLETE
    if all(s == UNREPORTED for s in statuses):
        return UNREPORTED
    return INCOMPLETE


def product_document(product: ProductReport, policies: Sequence[Policy], report: PolicyReport) -> dict:
    """The compatibility document of one product (upstream keys first, extras after)."""
    groups: Dict[str, List[dict]] = {}
    xsdk = []
    official = []
    for policy in policies:
        result = product.results.get(policy.id)
        if result is None:
            continue
        status = TO_E4S[result.status]
        if result.source == "self-reported" and result.claimed is not None:
            status = result.claimed
        entry = {"id": policy.number, "policy_status": status, "explanation": result.explanation}
        entry["peso_status"] = result.status
        entry["status_source"] = result.source
        if result.decided_by:
            entry["decided_by"] = result.decided_by
        if result.evidence or result.observations:
            entry["evidence"] = [
                {"rule": e.rule, "result": e.severity, "message": e.message, "location": e.location}
                for e in result.evidence
            ] + [
                {
                    "fact": o["fact"],
                    "value": o["value"],
                    "result": o["effect"],
                    "message": o["detail"],
                    "location": o["source"],
                    "date": o.get("date") or report.date,
                }
                for o in result.observations
            ]
        if result.to_decide:
            entry["to_decide"] = [dict(t) for t in result.to_decide]
        if result.contradiction:
            entry["contradiction"] = result.contradiction
        if policy.framework == "E4S":
            groups.setdefault(policy.group or E4S_GROUPS.get(policy.tag, policy.tag), []).append(entry)
            if policy.tag == "P":
                official.append(status)
        else:
            entry = dict(entry, id=policy.id)
            xsdk.append(entry)
    doc = {
        "product_name": product.product,
        "overall_policy_status": overall_status(official),
        "e4s_policy_version": POLICY_VERSION,
        "e4s_policy_compatability_format_version": FORMAT_VERSION,
        "policy_groups": [{name: {"policies": entries}} for name, entries in _group_order(groups)],
        "spack_package": product.package,
        "recipe": product.recipe,
        "tool": report.tool,
        "date": report.date,
    }
    if report.spack:
        doc["spack"] = report.spack
    if xsdk:
        doc["xsdk_policies"] = xsdk
    return doc


def _group_order(groups: Dict[str, list]):
    order = list(E4S_GROUPS.values())
    return sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


def dump_document(doc: dict) -> str:
    header = (
        "# E4S policy compatability document (upstream format %s), written by %s.\n"
        "# Policy status values: 0: Unreported. 1: Incomplete. 2: Complete.\n"
        "# Keys other than the upstream ones are optional extras older readers ignore.\n"
        % (FORMAT_VERSION, doc.get("tool", "spack-peso"))
    )
    return header + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=100, allow_unicode=True)


# --------------------------------------------------------------------------------------
# reading a product's own document


def read_document(path: str) -> dict:
    """Load and validate an upstream-shaped document; one-line PesoError otherwise."""
    doc = yamlio.load(path)
    if not isinstance(doc, dict):
        raise PesoError("not a compatibility document (expected a mapping)", path=path)
    for key in ("product_name", "policy_groups"):
        if key not in doc:
            raise PesoError("missing key", path=path, key=key)
    if not isinstance(doc["policy_groups"], list):
        raise PesoError("expected a list", path=path, key="policy_groups")
    claims(doc, path)  # validates the entries
    return doc


def claims(doc: dict, path: str = "") -> Dict[str, int]:
    """E4S policy id (``E4S-P2``) -> claimed status, from a document's policy_groups."""
    tags = {group: tag for tag, group in E4S_GROUPS.items()}
    result = {}
    for group in doc.get("policy_groups") or ():
        if not isinstance(group, dict):
            raise PesoError("a policy group must be a mapping", path=path, key="policy_groups")
        for name, body in group.items():
            tag = tags.get(name)
            for entry in (body or {}).get("policies") or ():
                try:
                    number, status = int(entry["id"]), int(entry["policy_status"])
                except (KeyError, TypeError, ValueError):
                    raise PesoError("policy entry needs integer 'id' and 'policy_status'", path=path, key=name)
                if status not in STATUS_NAMES:
                    raise PesoError(
                        "policy_status must be 0, 1 or 2, not %r" % status, path=path, key="%s/%s" % (name, number)
                    )
                if tag:
                    result["E4S-%s%d" % (tag, number)] = status
    # xSDK claims live beside the upstream groups, in the key this tool writes them to
    for entry in doc.get("xsdk_policies") or ():
        if not isinstance(entry, dict) or not str(entry.get("id", "")).startswith("xSDK-"):
            raise PesoError("xsdk_policies entries need an id such as xSDK-M3", path=path, key="xsdk_policies")
        try:
            status = int(entry["policy_status"])
        except (KeyError, TypeError, ValueError):
            raise PesoError("policy entry needs an integer 'policy_status'", path=path, key=entry["id"])
        if status not in STATUS_NAMES:
            raise PesoError("policy_status must be 0, 1 or 2, not %r" % status, path=path, key=entry["id"])
        result[entry["id"]] = status
    return result


def find_product_document(repo_dir: str) -> Optional[str]:
    """The product's own document: ``.e4s/*compat*.y*ml`` (no file name is mandated)."""
    matches = sorted(glob.glob(os.path.join(repo_dir, ".e4s", "*compat*.y*ml")))
    return matches[0] if matches else None


def apply_claims(
    product: ProductReport, claimed: Dict[str, int], source: str, where: Optional[Dict[str, dict]] = None
) -> List[Tuple[str, str]]:
    """Merge a product's claims into its results; return the contradictions found.

    A claim of Complete against a failing policy is a contradiction (the recipe shows
    otherwise). A claim for a policy we cannot decide is taken as self-reported.
    ``where`` (policy id -> line, note, date) lets a self-reported cell cite the line.
    """
    where = where or {}
    contradictions = []
    for policy_id, status in claimed.items():
        result = product.results.get(policy_id)
        if result is None:
            continue
        result.claimed = status
        at = where.get(policy_id, {})
        if result.status == NEEDS_EVIDENCE and status != UNREPORTED:
            # cited like any evidence (file:line and date), so the HTML cell opens it
            cited = "%s:%d" % (display_path(source), at["line"]) if at.get("line") else display_path(source)
            date = at.get("date") or (file_date(source) if os.path.isfile(source) else "")
            result.observations.append(
                {
                    "package": product.package,
                    "fact": "self-report",
                    "value": STATUS_NAMES[status],
                    "source": cited,
                    "date": date,
                    "detail": at.get("note", "the product's own compatibility document"),
                    "target": "",
                    "effect": "self-reported",
                    "why": "the product's own statement",
                }
            )
        if result.status == FAIL and status == COMPLETE:
            rules = sorted({e.rule for e in result.evidence if e.role == DECIDING})
            seen = [
                "%s: %s (%s)" % (o["fact"], o["value"], o["source"])
                for o in result.observations
                if o.get("effect") == FAIL
            ]
            why = []
            if rules:
                why.append("the recipe fails " + ", ".join(rules))
            if seen:
                why.append("the evidence shows " + "; ".join(seen))
            result.contradiction = "%s claims %s Complete, but %s" % (
                os.path.basename(source),
                policy_id,
                " and ".join(why),
            )
            contradictions.append((policy_id, result.contradiction))
        elif result.status == PASS and status == UNREPORTED:
            pass  # modest, not contradictory
        elif result.status == NEEDS_EVIDENCE and status != UNREPORTED:
            result.source = "self-reported"
            result.explanation = "self-reported %s in %s; %s" % (
                STATUS_NAMES[status],
                os.path.basename(source),
                result.explanation,
            )
    return contradictions
