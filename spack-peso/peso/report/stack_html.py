"""Self-contained HTML report: package x target matrix, click through to parts and logs.

Why one static file with inline CSS and no JavaScript: it is attached to CI jobs and
mailed to facility staff; it must open from disk, offline, anywhere. The layout lives in
``templates/stack_report.html.j2`` (data, not code); this module only shapes the record
into rows and columns for it.
"""

import os
import re
from typing import Optional

from ..stack.run import records

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


_KIND_TITLE = {"test": "stack test results", "build": "stack build results", "merged": "stack test matrix"}


def _anchor(package: str, target: str) -> str:
    return "cell-" + re.sub(r"[^A-Za-z0-9_-]", "-", "%s-%s" % (package, target))


def _jinja2():
    """jinja2 from PyPI, or the copy Spack vendors (``spack peso`` under a bare Python)."""
    try:
        import jinja2
    except ImportError:
        import spack.vendor.jinja2 as jinja2  # type: ignore[no-redef]
    return jinja2


def render(record: dict, changes: Optional[dict] = None, title: Optional[str] = None) -> str:
    jinja2 = _jinja2()
    targets = sorted({r["target"] for r in record["specs"]})
    packages = sorted({r["package"] for r in record["specs"]})
    cells = {}
    for row in record["specs"]:
        cells[(row["package"], row["target"])] = dict(row, anchor=_anchor(row["package"], row["target"]))
    matrix = [{"package": p, "cells": [cells.get((p, t)) for t in targets]} for p in packages]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("stack_report.html.j2")
    return template.render(
        title=title
        or "spack-peso %s: %s" % (_KIND_TITLE.get(record.get("kind") or "", "stack results"), record.get("target", "")),
        record=record,
        targets=targets,
        matrix=matrix,
        details=[cells[k] for k in sorted(cells)],
        counts=records.counts(record),
        meaning=records.STATUS_MEANING,
        changes=changes,
    )
