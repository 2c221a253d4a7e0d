"""Render a :class:`~.evaluate.PolicyReport`: JSON (for ``--compare``), Markdown, HTML.

Writers only format; the statuses were decided in :mod:`.evaluate`. The HTML matrix is
a jinja2 template kept as a data file (``templates/matrix.html.j2``), self-contained (no
external CSS/JS) so the page can be attached to a CI run or mailed around.
"""

import html
import json
import os
from typing import Dict, List

from .evaluate import FAIL, NEEDS_EVIDENCE, PASS, PolicyReport

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
SYMBOL = {PASS: "pass", FAIL: "FAIL", NEEDS_EVIDENCE: "evidence?"}


def to_json(report: PolicyReport) -> str:
    return json.dumps(report.to_dict(), indent=1, sort_keys=False) + "\n"


def counts_table(report: PolicyReport) -> List[List[str]]:
    """Rows ``[policy, title, pass, fail, needs-evidence]`` (also printed by the command)."""
    counts = report.counts()
    rows = []
    for p in report.policies:
        c = counts[p.id]
        rows.append([p.id, p.title, str(c[PASS]), str(c[FAIL]), str(c[NEEDS_EVIDENCE])])
    return rows


def rule_counts(report: PolicyReport) -> Dict[str, int]:
    """rule id -> number of products with at least one failing finding of it."""
    per_rule: Dict[str, set] = {}
    for product in report.products:
        for result in product.results.values():
            for e in result.evidence:
                if e.severity in ("warning", "error"):
                    per_rule.setdefault(e.rule, set()).add(product.product)
    return {rule: len(products) for rule, products in sorted(per_rule.items())}


def to_markdown(report: PolicyReport) -> str:
    policies = report.policies
    out = ["# Policy compliance report", ""]
    out.append("Made by %s on %s%s. Status per product and policy: **pass** (the recipe shows it), "
               "**FAIL** (a finding contradicts it), **evidence?** (the recipe cannot decide it)."
               % (report.tool, report.date, (", " + report.spack) if report.spack else ""))
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append("| policy | title | pass | fail | needs evidence |")
    out.append("|---|---|---:|---:|---:|")
    for row in counts_table(report):
        out.append("| " + " | ".join(_md(c) for c in row) + " |")
    out.append("")
    out.append("## Products")
    out.append("")
    out.append("| product | " + " | ".join(p.id for p in policies) + " |")
    out.append("|---|" + "---|" * len(policies))
    for product in report.products:
        cells = [SYMBOL[product.status(p.id)] for p in policies]
        name = product.product + (" (not found)" if product.error else "")
        out.append("| " + _md(name) + " | " + " | ".join(cells) + " |")
    contradictions = [(pr.product, r) for pr in report.products for r in pr.contradictions()]
    if contradictions:
        out.extend(["", "## Contradictions with the products' own documents", ""])
        for product, r in contradictions:
            out.append("- **%s** %s" % (_md(product), _md(r.contradiction)))
    out.extend(["", "## Failing evidence", ""])
    for product in report.products:
        lines = []
        for p in policies:
            r = product.results.get(p.id)
            if r and r.status == FAIL:
                for e in r.evidence:
                    if e.severity in ("warning", "error"):
                        lines.append("  - %s `%s` %s (`%s`)" % (p.id, e.rule, _md(e.message), e.location))
        if lines:
            out.append("- **%s**" % _md(product.product))
            out.extend(lines)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_html(report: PolicyReport) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("matrix.html.j2")
    rows = []
    for product in report.products:
        cells = []
        for p in report.policies:
            r = product.results[p.id]
            cells.append({"policy": p.id, "status": r.status, "label": SYMBOL[r.status], "result": r})
        rows.append({"product": product, "cells": cells})
    return template.render(
        report=report,
        policies=report.policies,
        rows=rows,
        counts=report.counts(),
        statuses=(PASS, FAIL, NEEDS_EVIDENCE),
        escape=html.escape,
    )
