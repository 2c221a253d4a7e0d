"""``stack known-issues --recheck``: do the known issues that skip products still hold
against the current recipes?

Every (product, flavour) a known issue skips on the target is rendered as it would be
without the issue, into a stack with the target's full configuration but only those
roots, and given a verdict by the real concretizer through the batched ``--check``
machinery (``check.concretize_each``, resumable from a record). Each skip then gets one of:

- ``still-fails``: Spack still rejects the spec; its current message is reported;
- ``now-concretizes``: Spack accepts it and the reason was the concretizer's; the issue
  is proposed for removal;
- ``needs-a-build``: Spack accepts it, but the reason is a build error on this machine's
  CPU family, which a concretization does not refute: ``stack build`` decides it;
- ``cannot-decide-off-target``: a concretization cannot answer the reason: a GPU driver
  is needed (a property of the build runner), or the reason is a build error and the
  target is of another CPU family than this machine, so no build here can confirm it.
  The concretizer's verdict is still reported;
- ``site-choice``: the reason is a site's decision (the product is installed outside
  Spack), not a failure; neither a concretization nor a build answers it, a curator does.

Which reasons are which is data (``data/recheck_reasons.yaml``).
"""

import dataclasses
import datetime
import os
import re
import tempfile

import yaml

from ... import yamlio
from ...errors import PesoError
from ...fsutil import atomic_write
from .known_issues import spec_key, summarize
from .model import data_file, find_target, load_catalog
from .plan import BUILT, SKIPPED, make_plan, plan_product, unknown_names
from .render import render_doc

STILL_FAILS, NOW_CONCRETIZES, CANNOT_DECIDE = "still-fails", "now-concretizes", "cannot-decide-off-target"
SITE_CHOICE, NEEDS_BUILD = "site-choice", "needs-a-build"


def _matches(kind, reason):
    return any(re.search(p, reason, re.I) for p in data_file("recheck_reasons.yaml")[kind])


def reason_kind(issue):
    """``site_choice``, ``driver``, ``build_error`` or ``concretizer``: what the reason
    says failed (or that nothing did). A reason a ``--check`` run wrote is the
    concretizer's by construction."""
    if _matches("site_choice", issue["reason"]):
        return "site_choice"
    if _matches("driver", issue["reason"]):
        return "driver"
    if "--check" not in issue.get("source", "") and _matches("build_error", issue["reason"]):
        return "build_error"
    return "concretizer"


def host_family():
    import archspec.cpu

    return archspec.cpu.host().family.name


def target_family(target):
    import archspec.cpu

    return archspec.cpu.TARGETS[target.cpu_target].family.name


def skipped_entries(catalog, target, only=None):
    """``[(plan entry as it would be built, the issue that skips it)]``."""
    out = []
    for entry in make_plan(catalog, target, only=only):
        if entry.status != SKIPPED:
            continue
        product = catalog.product(entry.product)
        bare = dataclasses.replace(product, known_issues=[])
        would = plan_product(bare, target, entry.flavor)
        issue = next(
            i
            for i in product.known_issues
            if i["action"] == "skip" and i["reason"] == entry.reason and i["source"] == entry.ref
        )
        if would.status == BUILT:
            out.append((would, issue))
    return out


def recheck_stack(catalog, target, skipped, out_dir):
    """Write the recheck stack (full configuration, only the rechecked roots)."""
    entries = [e for e in make_plan(catalog, target) if e.status == BUILT] + [w for w, _ in skipped]
    doc = render_doc(catalog, target, entries, fmt="definitions")
    wanted = {w.spec for w, _ in skipped}
    spack = doc["spack"]
    definitions = []
    for block in spack["definitions"]:
        ((name, specs),) = block.items()
        kept = [s for s in specs if s in wanted]
        if kept:
            definitions.append({name: kept})
    spack["definitions"] = definitions
    spack["specs"] = ["$" + next(iter(b)) for b in definitions]
    os.makedirs(out_dir, exist_ok=True)
    atomic_write(os.path.join(out_dir, "spack.yaml"), yamlio.dump(doc))
    return os.path.join(out_dir, "spack.yaml")


def verdicts(skipped, results, target, host=None, why=""):
    """One row per skipped (product, flavour) from the concretizer's ``results``; ``why``
    says why a root has none (``check.Verdicts.why``)."""
    by_key = {spec_key(r["spec"]): r for r in results}
    off_family = target_family(target) != (host or host_family())
    rows = []
    for would, issue in skipped:
        result = by_key.get(spec_key(would.spec))
        kind = reason_kind(issue)
        row = {
            "product": would.product,
            "flavor": would.flavor,
            "spec": would.spec,
            "issue": {k: issue[k] for k in ("reason", "source", "date")},
            "reason_kind": kind,
        }
        if result is None:
            row.update(verdict="no-verdict", spack="the concretizer gave no verdict: %s" % (why or "reason unknown"))
        elif kind == "site_choice":
            row.update(
                verdict=SITE_CHOICE,
                why="a site's choice, not a failure: a curator decides",
                spack="concretizes" if result["ok"] else summarize(result.get("error", "")),
            )
        elif kind == "driver" or (kind == "build_error" and off_family and result["ok"]):
            row.update(
                verdict=CANNOT_DECIDE,
                why="needs a GPU driver on the build runner"
                if kind == "driver"
                else "a build error on %s; this machine is %s" % (target_family(target), host or host_family()),
                spack="concretizes" if result["ok"] else summarize(result.get("error", "")),
            )
        elif result["ok"] and kind == "build_error":
            row.update(
                verdict=NEEDS_BUILD,
                why="a build error, which a concretization does not refute: only building `%s` decides it" % would.spec,
                spack="concretizes",
            )
        elif result["ok"]:
            row.update(verdict=NOW_CONCRETIZES, spack="concretizes")
        else:
            row.update(verdict=STILL_FAILS, spack=summarize(result.get("error", "")))
        rows.append(row)
    return rows


def recheck(
    target_name,
    catalog_path,
    jobs=1,
    batch=16,
    batch_timeout=300,
    timeout=7200,
    record=None,
    resume=False,
    only=None,
    spack_version=None,
    on_progress=None,
):
    """The recheck report (a dict) for one target (``on_progress``: see ``concretize_each``)."""
    from .check import concretize_each

    target = find_target(target_name)
    catalog = load_catalog(catalog_path)
    missing = unknown_names(catalog, only)
    if missing:
        raise PesoError("--only names products not in the catalogue: %s" % ", ".join(missing), path=catalog.path)
    skipped = skipped_entries(catalog, target, only=only)
    if only and not skipped:
        raise PesoError(
            "--only %s: no known issue skips these products on %s, nothing to recheck" % (",".join(only), target.name),
            path=catalog.path,
        )
    results = []
    if skipped:
        with tempfile.TemporaryDirectory(prefix="peso-recheck-") as tmp:
            recheck_stack(catalog, target, skipped, tmp)
            results = concretize_each(
                tmp,
                jobs=jobs,
                timeout=timeout,
                record=record,
                batch=batch,
                resume=resume,
                batch_timeout=batch_timeout,
                **({"on_progress": on_progress} if on_progress else {}),
            )
    rows = verdicts(skipped, results, target, why=getattr(results, "why", ""))
    counts: dict = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    spack = next((r.get("spack") for r in results if r.get("spack")), spack_version or "not recorded")
    return {
        "target": target.name,
        "catalogue": os.path.basename(catalog.path),
        "date": datetime.date.today().isoformat(),
        "spack": spack,
        "host_family": host_family(),
        "counts": dict(sorted(counts.items())),
        "skips": rows,
    }


def write_report(path, report):
    text = (
        "# `spack peso stack known-issues --recheck --target %s`: each skipped product\n"
        "# re-tested against the current recipes with the real concretizer.\n" % report["target"]
    )
    atomic_write(path, text + yaml.safe_dump(report, sort_keys=False, width=100))
