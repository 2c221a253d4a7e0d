"""Render a :class:`~.evaluate.PolicyReport`: JSON (for ``--compare``), Markdown, HTML.

Writers only format; the statuses were decided in :mod:`.evaluate`. The HTML matrix is
a jinja2 template kept as a data file (``templates/matrix.html.j2``), with no external
CSS or JS from the network: the page and ``report-cells.js`` beside it (every cell's
reasons, loaded when the page opens) work offline and from a file:// URL.
"""

import json
import os
import re
from typing import Dict, List

from ..policy.evaluate import DECIDING, FAIL, NEEDS_EVIDENCE, PASS, PolicyReport

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


def headline_counts(report: PolicyReport) -> List[List[str]]:
    """``[label, products]`` rows for the headline counts of ``headlines.yaml``."""
    import yaml

    from ..lint.registry import RULES

    with open(
        os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "policy", "data", "headlines.yaml"),
        encoding="utf-8",
    ) as f:
        headlines = yaml.safe_load(f)
    ids_by_name = {r.name: rid for rid, r in RULES.items()}
    rows = []
    for entry in headlines:
        wanted = {ids_by_name.get(name, name) for name in entry["rules"]}
        products = {
            product.product
            for product in report.products
            for result in product.results.values()
            for e in result.evidence
            if e.rule in wanted and e.severity in ("warning", "error")
        }
        rows.append([entry["label"], str(len(products))])
    return rows


def decided_line(report: PolicyReport) -> str:
    """``decided: 2834 of 7084 cells (40.0%); by the recipe lint alone 1460 (20.6%)``."""
    total = len(report.products) * len(report.policies) or 1
    decided = sum(report.decided().values())
    alone = sum(report.decided(recipe_alone=True).values())
    line = "decided: %d of %d cells (%.1f%%); by the recipe lint alone %d (%.1f%%)" % (
        decided,
        total,
        100.0 * decided / total,
        alone,
        100.0 * alone / total,
    )
    claimed = sum(report.self_reported().values())
    if claimed:
        line += "; self-reported by the products' own documents %d more (%.1f%% with them)" % (
            claimed,
            100.0 * (decided + claimed) / total,
        )
    return line


def _evidence_rows(report: PolicyReport):
    """(product, policy, status, observation) for every observation that decided a cell."""
    for product in report.products:
        for p in report.policies:
            r = product.results.get(p.id)
            if r and r.status in (PASS, FAIL):
                for o in r.observations:
                    if o.get("effect") == r.status:
                        yield product.product, p.id, r.status, o


def to_markdown(report: PolicyReport) -> str:
    policies = report.policies
    out = ["# Policy compliance report", ""]
    out.append(
        "Made by %s on %s%s. Status per product and policy: **pass** (the recipe or the evidence "
        "shows it), **FAIL** (a finding or the evidence contradicts it), **evidence?** (nothing read "
        "decides it; the cell says what would)."
        % (report.tool, report.date, (", " + report.spack) if report.spack else "")
    )
    out.append("")
    sources = [("%d %s" % (n, kind)) for kind, n in report.evidence_sources.items() if n]
    out.append(
        "Evidence read beyond the recipes: %s. %s." % (", ".join(sources) or "none", decided_line(report).capitalize())
    )
    out.append("")
    out.append("## Headline counts")
    out.append("")
    out.append("| products with | count |")
    out.append("|---|---:|")
    for label, count in headline_counts(report):
        out.append("| %s | %s |" % (_md(label), count))
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append("| policy | title | pass | fail | needs evidence | decided | by the recipe alone |")
    out.append("|---|---|---:|---:|---:|---:|---:|")
    n = len(report.products) or 1
    alone = report.decided(recipe_alone=True)
    for row in counts_table(report):
        share = "%d%%" % round(100.0 * (int(row[2]) + int(row[3])) / n)
        out.append("| " + " | ".join(_md(c) for c in row + [share, "%d%%" % round(100.0 * alone[row[0]] / n)]) + " |")
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
        for name, r in contradictions:
            out.append("- **%s** %s" % (_md(name), _md(r.contradiction)))
    decided = list(_evidence_rows(report))
    if decided:
        out.extend(
            [
                "",
                "## Decided by evidence",
                "",
                "| product | policy | status | fact | source | date |",
                "|---|---|---|---|---|---|",
            ]
        )
        for product, pid, status, o in decided:
            out.append(
                "| %s | %s | %s | %s: %s | `%s` | %s |"
                % (
                    _md(product),
                    pid,
                    SYMBOL[status],
                    o["fact"],
                    o["value"],
                    _md(o["source"]),
                    o.get("date") or report.date,
                )
            )
    undecided: dict = {}
    for product in report.products:
        for p in policies:
            found = product.results.get(p.id)
            if found and found.status == NEEDS_EVIDENCE:
                undecided.setdefault(p.id, [0, found.to_decide])[0] += 1
    if undecided:
        out.extend(["", "## What would decide the undecided cells", ""])
        for pid, (count, to_decide) in undecided.items():
            how = (
                "; ".join("%s: `%s`" % (_md(t["evidence"]), _md(t["produce"])) for t in to_decide)
                or "the product's own compatibility document"
            )
            out.append("- **%s** (%d products): %s" % (pid, count, how))
    out.extend(["", "## Failing evidence", ""])
    for product in report.products:
        lines = []
        for p in policies:
            failed = product.results.get(p.id)
            if failed and failed.status == FAIL:
                for e in failed.evidence:
                    if e.role == DECIDING:
                        lines.append("  - %s `%s` %s (`%s`)" % (p.id, e.rule, _md(e.message), e.location))
                for o in failed.observations:
                    if o.get("effect") == FAIL:
                        lines.append(
                            "  - %s %s: %s, %s (`%s`, %s)"
                            % (
                                p.id,
                                o["fact"],
                                o["value"],
                                _md(o["detail"]),
                                _md(o["source"]),
                                o.get("date") or report.date,
                            )
                        )
        if lines:
            out.append("- **%s**" % _md(product.product))
            out.extend(lines)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


#: the file beside report.html holding every cell's reasons (loaded by a <script src>, which
#: works from file:// where fetch() does not)
CELLS_SCRIPT = "report-cells.js"
_SOURCE_PATH = re.compile(r"^(?P<path>[^\s:()]+?)(?::\d+(?::\d+)?)?(?:\s.*)?$")


def to_html(report: PolicyReport) -> str:
    """The matrix page: statuses only (one short cell each), the filters and the side
    panel; the reasons are in :data:`CELLS_SCRIPT` (:func:`cells_script`), so a
    7,000-cell stack stays a page a browser opens at once."""
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
            classes = [r.status]
            if r.contradiction:
                classes.append("contradiction")
            if "evidence" in r.decided_by:
                classes.append("by-evidence")
            cells.append({"classes": " ".join(classes), "label": SYMBOL[r.status]})
        rows.append({"product": product, "cells": cells})
    return template.render(
        report=report,
        decided=decided_line(report),
        evidence_sources=[("%d %s" % (n, kind)) for kind, n in report.evidence_sources.items() if n],
        policies=report.policies,
        rows=rows,
        counts=report.counts(),
        decided_counts=report.decided(),
        alone_counts=report.decided(recipe_alone=True),
        statuses=(PASS, FAIL, NEEDS_EVIDENCE),
        cells_script=CELLS_SCRIPT,
    )


def cells_script(report: PolicyReport, out_dir: str) -> str:
    """Every cell's reasons as a script assigning ``window.PESO_CELLS``.

    Cells repeat the same sentences thousands of times (a rule's message, a ladder's
    why), so every string is stored once in ``strings`` and cells hold indexes.
    ``links`` maps the index of a source that names a file here to its path relative
    to ``out_dir``, so the panel can open it.

    ``cells[product][policy] = [status, explanation, contradiction,
    [[rule, severity, message, location, role], ...],
    [[effect, fact, value, source, date, detail, why, stale], ...],
    [[evidence, produce], ...], decided_by, recipe]``
    """
    from ..policy.ladder import default_ladders

    strings: List[str] = []
    index: Dict[str, int] = {}
    links: Dict[int, str] = {}

    def ref(text, link=False):
        text = "" if text is None else str(text)
        i = index.get(text)
        if i is None:
            i = index[text] = len(strings)
            strings.append(text)
            if link:
                href = _href(text, out_dir)
                if href:
                    links[i] = href
        return i

    cells = {}
    for product in report.products:
        cells[product.product] = {
            pid: [
                ref(r.status),
                ref(r.explanation),
                ref(r.contradiction),
                [
                    [ref(e.rule), ref(e.severity), ref(e.message), ref(e.location, True), ref(e.role)]
                    for e in r.evidence
                ],
                [
                    [
                        ref(o["effect"]),
                        ref(o["fact"]),
                        ref(o["value"]),
                        ref(o["source"], True),
                        ref((o.get("date") or report.date) + (" (%s)" % o["date_kind"] if o.get("date_kind") else "")),
                        ref(o["detail"]),
                        ref(o["why"]),
                        ref(o.get("stale") or ""),
                    ]
                    for o in r.observations
                ],
                [[ref(t["evidence"]), ref(t["produce"])] for t in r.to_decide],
                ref(r.decided_by),
                ref(product.recipe, True),
            ]
            for pid, r in product.results.items()
        }
    ladders = {
        pid: {"reasoning": steps.reasoning, "rungs": [[r.kind, r.describe(), r.why] for r in steps.rungs]}
        for pid, steps in default_ladders().items()
    }
    data = {"strings": strings, "links": links, "cells": cells, "ladders": ladders}
    # "</" never appears inside the script: a message quoting HTML cannot end it early
    text = json.dumps(data, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    return "window.PESO_CELLS = %s;\n" % text


def _href(source: str, out_dir: str) -> str:
    """A relative link to the file a source or location names (``path``, ``path:line``,
    ``path:line (what)``), or '' when it names no file here."""
    m = _SOURCE_PATH.match(source.strip())
    if not m:
        return ""
    path = m.group("path")
    if not os.path.isfile(path):
        return ""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(out_dir)).replace(os.sep, "/")


def write_all(report: PolicyReport, out_dir: str) -> None:
    """Every document of a report: one compatibility YAML per product under ``compat/``,
    then ``report.json``, ``report.md``, the cells' reasons and ``report.html`` (each
    written atomically)."""
    from ..fsutil import atomic_write, path_under, safe_name
    from ..policy.compat import dump_document, product_document

    names = {product.product: safe_name(product.product, "product") for product in report.products}
    for product in report.products:
        doc = product_document(product, report.policies, report)
        atomic_write(path_under(out_dir, "compat", "%s.yaml" % names[product.product]), dump_document(doc))
    atomic_write(os.path.join(out_dir, "report.json"), to_json(report))
    atomic_write(os.path.join(out_dir, "report.md"), to_markdown(report))
    atomic_write(os.path.join(out_dir, CELLS_SCRIPT), cells_script(report, out_dir))
    atomic_write(os.path.join(out_dir, "report.html"), to_html(report))


def status_table(report: PolicyReport) -> str:
    """Per policy: products passing, failing, undecided, and decided by lint alone."""
    alone = report.decided(recipe_alone=True)
    lines = ["%-10s %5s %5s %9s %9s  %s" % ("policy", "pass", "fail", "evidence?", "lint only", "title")]
    for pid, title, n_pass, n_fail, n_ev in counts_table(report):
        lines.append("%-10s %5s %5s %9s %9s  %s" % (pid, n_pass, n_fail, n_ev, alone[pid], title))
    return "\n".join(lines)


def rule_lines(report: PolicyReport, rule_names: Dict[str, str]) -> List[str]:
    """Products failing each lint rule, with the rule's name."""
    return ["  %-10s %-32s %d" % (rid, rule_names.get(rid, ""), n) for rid, n in rule_counts(report).items()]
