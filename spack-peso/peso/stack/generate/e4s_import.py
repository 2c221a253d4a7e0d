"""``stack import-e4s``: turn a comparison with E4S's environments into proposed catalogue
changes, one per product and flavour, each with E4S's spelling and the file it comes from.

The catalogue is edited by hand and reviewed; this writes a proposal file the curator
reads, accepts entry by entry (copying what fits into the catalogue) or rejects. It never
writes the catalogue.
"""

import datetime
import re

import yaml

from ...fsutil import atomic_write
from .plan import split_root

_ROOT_GPU = re.compile(r"\s*(\+cuda|\+rocm|\+sycl|cuda_arch=[\w,]+|amdgpu_target=[\w:+,-]+)(?![\w-])")
_DEP_GPU = re.compile(r"\+(cuda|rocm)\s+(cuda_arch|amdgpu_target)=[\w:+,-]+|\+sycl(?![\w-])")
_TARGET = re.compile(r"\s*\btarget=[\w.-]+")


def catalogue_spec(spec):
    """E4S's spelling as the catalogue writes it: no ``target=``, no backend tokens on the
    root (the renderer computes them), backend tokens of dependencies as ``{gpu}``."""
    root, rest = split_root(_TARGET.sub("", spec))
    root = _ROOT_GPU.sub("", root).strip()
    rest = _DEP_GPU.sub("{gpu}", rest).strip()
    return " ".join(x for x in (root, rest) if x)


def _left_out(row, release, target, base):
    """E4S comments the flavour out and we build it: a known issue with E4S's reason
    (skip a GPU flavour, build a CPU one with the note), or, when E4S gives no reason, a
    deviation for the curator to reason."""
    when = {"target": [target], "backend": [row.flavor]}
    found = datetime.date.today().isoformat()
    if row.note:
        issue = {
            "when": when,
            "reason": "E4S comments it out: %s" % row.note,
            "source": base["source"],
            "date": found,
            "action": "warn" if row.flavor == "cpu" else "skip",
        }
        return dict(base, change="known-issue", ours=row.ours[0], proposed={"known_issues": [issue]})
    deviation = {
        "when": when,
        "e4s_leaves_out": True,
        "reason": "E4S gives no reason: say why we build it, or skip it",
        "source": base["source"],
        "date": found,
    }
    return dict(base, change="deviation", ours=row.ours[0], proposed={"deviations": [deviation]})


def _proposal(row, release, target=""):
    e4s = row.e4s[0] if row.e4s else ""
    specs = release.commented if row.verdict == "left-out" else release.specs
    source = release.source(next((s.env for s in specs if s.spec == e4s), None))
    base = {"product": row.product, "flavor": row.flavor, "e4s": e4s, "source": source}
    if row.verdict == "left-out":
        return _left_out(row, release, target, base)
    if row.verdict == "missing":
        if row.note == "not in the catalogue":
            entry = {"name": row.product, "spec": catalogue_spec(e4s), "tags": ["uncategorized"]}
            if row.flavor != "cpu":
                entry["cpu"] = False
                entry["gpu"] = {row.flavor: {}}
            return dict(base, change="add-product", proposed=entry)
        if row.note.startswith("no "):
            return dict(base, change="add-flavour", proposed={"gpu": {row.flavor: {"spec": catalogue_spec(e4s)}}})
        return dict(
            base,
            change="recheck-known-issue",
            ours=row.note,
            proposed="E4S builds it: run `stack known-issues --recheck` and drop the issue "
            "if it now concretizes, else keep it with Spack's message",
        )
    if row.verdict == "backend":
        return dict(
            base,
            change="gpu-backend",
            ours=row.ours[0],
            proposed={"gpu": {row.flavor: {"spec": catalogue_spec(e4s), "tokens": "full"}}},
        )
    if row.verdict == "variants":
        return dict(
            base,
            change="variants",
            ours=row.ours[0],
            e4s_only=row.only_e4s,
            ours_only=row.only_ours,
            proposed={"spec": catalogue_spec(e4s)}
            if row.flavor == "cpu"
            else {"gpu": {row.flavor: {"spec": catalogue_spec(e4s)}}},
        )
    return None


def proposals(diff, release):
    """Proposed changes for every unexplained row of ``diff`` but ``extra`` (E4S not
    building a product is no reason to drop it from ours)."""
    out = []
    for row in diff.rows:
        if row.verdict in ("missing", "backend", "variants", "left-out"):
            out.append(_proposal(row, release, diff.target))
    return out


def write_proposals(path, diff, release):
    doc = {
        "target": diff.target,
        "e4s": release.source(),
        "coverage_percent": round(diff.coverage_percent, 1),
        "note": "proposed catalogue changes; copy the accepted ones into the catalogue by hand",
        "proposals": proposals(diff, release),
    }
    text = yaml.safe_dump(doc, sort_keys=False, width=100)
    if path:
        atomic_write(path, text)
    return doc, text
