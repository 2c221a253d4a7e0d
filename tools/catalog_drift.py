"""Drift report: how the hand-edited catalogue differs from what the hand-made stacks of a
spack-packages checkout would seed today.

A curator runs it on purpose (when spack-packages moves, or to see what was changed by
hand); it never fails because the catalogue was edited. Per product: only in the
catalogue, only in the stacks, CPU spec, GPU flavours, and the known issues the stacks
comment out that the catalogue no longer carries (or the reverse).

    python tools/catalog_drift.py <spack-packages> environments/catalog/e4s.yaml [--json]
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_catalog  # noqa: E402

from peso.yamlio import load as load_yaml  # noqa: E402


def _issue_keys(product):
    return {json.dumps(i.get("when", {}), sort_keys=True) for i in product.get("known_issues") or []}


def drift(seeded, catalogue):
    """``{product: [difference, ...]}`` between two catalogue documents."""
    ours = {p["name"]: p for p in catalogue.get("products") or []}
    theirs = {p["name"]: p for p in seeded.get("products") or []}
    report = {}
    for name in sorted(set(ours) | set(theirs)):
        mine, seed = ours.get(name), theirs.get(name)
        if seed is None:
            report[name] = ["only in the catalogue (no hand-made stack has it)"]
            continue
        if mine is None:
            report[name] = ["only in the stacks: %s" % seed["spec"]]
            continue
        notes = []
        if mine["spec"] != seed["spec"]:
            notes.append("spec: catalogue %r, stacks %r" % (mine["spec"], seed["spec"]))
        for backend in sorted(set(mine.get("gpu") or {}) | set(seed.get("gpu") or {})):
            a, b = (mine.get("gpu") or {}).get(backend), (seed.get("gpu") or {}).get(backend)
            if a is None or b is None:
                notes.append("%s flavour only in the %s" % (backend, "stacks" if a is None else "catalogue"))
            elif (a.get("spec"), a.get("tokens", "full")) != (b.get("spec"), b.get("tokens", "full")):
                notes.append(
                    "%s: catalogue %s, stacks %s"
                    % (
                        backend,
                        a.get("spec", "(cpu spec)") + " tokens=" + a.get("tokens", "full"),
                        b.get("spec", "(cpu spec)") + " tokens=" + b.get("tokens", "full"),
                    )
                )
        dropped = _issue_keys(seed) - _issue_keys(mine)
        added = _issue_keys(mine) - _issue_keys(seed)
        if dropped:
            notes.append(
                "known issues the stacks still comment out, not in the catalogue: %s" % ", ".join(sorted(dropped))
            )
        if added:
            notes.append("known issues only in the catalogue: %s" % ", ".join(sorted(added)))
        if notes:
            report[name] = notes
    return report


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python tools/catalog_drift.py", description=__doc__.split("\n")[0])
    parser.add_argument("checkout", help="a spack-packages tree with stacks/e4s*/spack.yaml")
    parser.add_argument("catalog", help="the hand-edited catalogue")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = drift(seed_catalog.seed(args.checkout), load_yaml(args.catalog))
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print("catalogue drift: %s vs stacks of %s: %d products differ" % (args.catalog, args.checkout, len(report)))
    for name, notes in report.items():
        for note in notes:
            print("  %s: %s" % (name, note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
