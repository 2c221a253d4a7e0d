"""``stack diff --e4s``: a rendered target against E4S's own environments for it, product
by product.

Per product and flavour (cpu or the target's GPU backend) one verdict: ``same``,
``variants`` (both build it; the tokens differ), ``deviation`` (they differ, and every
difference is one the catalogue records as deliberate, with reason, source and date),
``backend`` (E4S selects the GPU backend on the root and our root spec does not: a GPU
product rendered as CPU code), ``missing`` (E4S builds it, we do not; with our plan's
reason when a known issue skips it), ``left-out`` (E4S comments the flavour out, we build
it; explained by a known issue we build it with, or a deviation) or ``extra`` (we build
it, E4S does not; with the reference it comes from).

A token that restates the recipe's own default (``tests=none`` on chai, whose default
it is) is no difference: Spack concretizes the same. What is left and explained by
nothing is *unexplained*: the number a curator drives to zero, and the exit status.
Coverage is counted on root product names; backend agreement on E4S's GPU roots.
"""

import re
from dataclasses import dataclass, field
from typing import Callable, FrozenSet, List

from . import envfile
from .diff import tokens
from .model import Catalog, Target, find_target, load_catalog, provenance_kind
from .plan import BUILT, SKIPPED, context, make_plan, share_reproduced, split_root, when_matches

#: tokens that are the target's business, not the product's (arch, backend switch)
_GPU_TOKEN = re.compile(r"^(\+cuda|\+rocm|\+sycl|cuda_arch=.*|amdgpu_target=.*)$")
_BACKEND_ON_ROOT = {"cuda": ("+cuda",), "rocm": ("+rocm",), "sycl": ("+sycl", "+level_zero")}


def _product_tokens(spec):
    return {t for t in tokens(spec) if not _GPU_TOKEN.match(t)}


def _root_selects(spec, flavor):
    root, _ = split_root(spec)
    words = root.split()
    return any(w in words for w in _BACKEND_ON_ROOT.get(flavor, ()))


@dataclass
class Row:
    product: str
    flavor: str
    verdict: str  # same, variants, backend, missing, extra
    e4s: List[str] = field(default_factory=list)
    ours: List[str] = field(default_factory=list)
    note: str = ""
    only_e4s: List[str] = field(default_factory=list)
    only_ours: List[str] = field(default_factory=list)
    #: the catalogue's deliberate deviations (or E4S-reasoned known issues) this row carries
    deviations: List[dict] = field(default_factory=list)
    #: where our spec comes from (the catalogue's provenance of this flavour)
    provenance: str = ""
    #: E4S comments this flavour out (``e4s`` holds the commented specs)
    e4s_left_out: bool = False

    @property
    def unexplained(self) -> bool:
        if self.verdict in ("variants", "backend", "left-out"):
            return True
        if self.verdict == "missing":
            return not self.note.startswith(SKIPPED)
        if self.verdict == "extra":
            return provenance_kind(self.provenance) == "unknown"
        return False


@dataclass
class E4SDiff:
    target: str
    source: str
    e4s_products: List[str]
    rendered_products: List[str]
    rows: List[Row]

    @property
    def missing_products(self):
        return sorted(set(self.e4s_products) - set(self.rendered_products))

    @property
    def coverage_percent(self):
        return share_reproduced(self.e4s_products, self.missing_products)

    def unexplained(self) -> List[Row]:
        return [r for r in self.rows if r.unexplained]

    def backend_agreement(self):
        """``(agreeing, total)`` over E4S's GPU roots that select their backend on the root."""
        gpu = [
            r
            for r in self.rows
            if r.flavor != "cpu" and not r.e4s_left_out and any(_root_selects(s, r.flavor) for s in r.e4s)
        ]
        return sum(r.verdict in ("same", "variants") for r in gpu), len(gpu)

    def as_dict(self):
        agree, total = self.backend_agreement()
        return {
            "target": self.target,
            "e4s": self.source,
            "e4s_products": len(self.e4s_products),
            "rendered_products": len(self.rendered_products),
            "coverage_percent": round(self.coverage_percent, 1),
            "missing_products": self.missing_products,
            "backend_agreement": [agree, total],
            "unexplained": len(self.unexplained()),
            "deviations": sum(r.verdict == "deviation" for r in self.rows),
            "rows": [dict(r.__dict__, unexplained=r.unexplained) for r in self.rows if r.verdict != "same"],
        }

    def lines(self):
        agree, total = self.backend_agreement()
        out = [
            "stack diff: rendered %s vs %s" % (self.target, self.source),
            "root products: %d in E4S, %d rendered; %.1f%% of E4S's reproduced"
            % (len(self.e4s_products), len(self.rendered_products), self.coverage_percent),
            "GPU backend on the root where E4S selects it: %d of %d" % (agree, total),
            "unexplained differences: %d; deliberate deviations: %d"
            % (len(self.unexplained()), sum(r.verdict == "deviation" for r in self.rows)),
        ]
        for verdict in ("missing", "backend", "left-out", "variants", "deviation", "extra"):
            rows = [r for r in self.rows if r.verdict == verdict]
            if not rows:
                continue
            out.append("%s (%d):" % (verdict, len(rows)))
            for r in rows:
                detail = {
                    "missing": lambda r: "E4S: %s%s" % (" | ".join(r.e4s), "; ours: " + r.note if r.note else ""),
                    "backend": lambda r: "E4S: %s; ours: %s" % (" | ".join(r.e4s), " | ".join(r.ours)),
                    "left-out": lambda r: (
                        "E4S comments it out: %s; ours: %s" % (r.note or "no reason given", " | ".join(r.ours))
                    ),
                    "variants": lambda r: (
                        "E4S only: %s; ours only: %s" % (" ".join(r.only_e4s) or "-", " ".join(r.only_ours) or "-")
                    ),
                    "deviation": lambda r: "; ".join(
                        "%s: %s (%s, %s)"
                        % (" ".join(d.get("tokens") or ["built"]), d["reason"], d["source"], d["date"])
                        for d in r.deviations
                    ),
                    "extra": lambda r: (
                        "%s (%s: %s)"
                        % (" | ".join(r.ours), provenance_kind(r.provenance), r.provenance or "no provenance")
                    ),
                }[verdict](r)
                mark = "! " if r.unexplained else "  "
                out.append("%s%s [%s]: %s" % (mark, r.product, r.flavor, detail))
        return out


def _matching(catalog: Catalog, target: Target, product: str, flavor: str, field: str) -> List[dict]:
    """The product's catalogue entries of ``field`` (``deviations``, ``known_issues``)
    whose ``when`` matches this target and flavour."""
    entry = catalog.product(product)
    ctx = context(target, flavor)
    return [d for d in (getattr(entry, field) if entry else []) if when_matches(d.get("when") or {}, ctx)]


def _covered(deviation) -> FrozenSet[str]:
    """The tokens a deviation covers, normalised as the comparison splits them."""
    return frozenset(t for text in deviation.get("tokens") or [] for t in tokens(text))


def _drop_defaults(only, spec, defaults):
    """Tokens of ``only`` that are not root tokens restating the recipe's default."""
    root = tokens(split_root(spec)[0])
    return {t for t in only if not (t in root and t in defaults)}


def default_tokens_reader() -> Callable[[str], FrozenSet[str]]:
    """Package name -> default tokens of its builtin recipe (nothing when no recipes)."""
    from .catalog_lint import VariantIndex, default_recipes_dir

    folder = default_recipes_dir()
    if not folder:
        return lambda package: frozenset()
    index = VariantIndex(folder)
    return index.default_tokens


def compare_release(release, catalog: Catalog, target: Target, defaults=None) -> E4SDiff:  # noqa: C901
    """Every (product, flavour) either side builds or E4S comments out, with its verdict.
    ``defaults``: package name -> default tokens of its recipe (default: the builtin
    recipes Spack is configured with)."""
    defaults = defaults or default_tokens_reader()
    plan = make_plan(catalog, target)
    ours: dict = {}
    why_not: dict = {}
    provenance: dict = {}
    for e in plan:
        if e.status == BUILT:
            ours.setdefault((e.product, e.flavor), []).append(e.spec)
            provenance[(e.product, e.flavor)] = e.provenance
        else:
            why_not[(e.product, e.flavor)] = "%s: %s" % (e.status, e.reason)
    theirs: dict = {}
    for s in release.specs:
        theirs.setdefault((envfile.root_name(s.spec), s.flavor), []).append(s.spec)
    left_out: dict = {}
    for s in release.commented:
        key = (envfile.root_name(s.spec), s.flavor)
        if key not in theirs:
            left_out.setdefault(key, []).append(s)
    rows = []
    for key in sorted(set(ours) | set(theirs)):
        product, flavor = key
        e4s, mine = theirs.get(key, []), ours.get(key, [])
        deviations = _matching(catalog, target, product, flavor, "deviations")
        if not mine:
            note = why_not.get(key) or (
                "not in the catalogue"
                if catalog.product(product) is None
                else "no %s flavour in the catalogue" % flavor
            )
            rows.append(Row(product, flavor, "missing", e4s, [], note))
            continue
        if not e4s and key in left_out:
            warnings = [i for i in _matching(catalog, target, product, flavor, "known_issues") if i["action"] == "warn"]
            rows.append(_left_out(product, flavor, left_out[key], mine, warnings, deviations))
            continue
        if not e4s:
            rows.append(Row(product, flavor, "extra", [], mine, provenance=provenance.get(key, "")))
            continue
        if (
            flavor != "cpu"
            and any(_root_selects(s, flavor) for s in e4s)
            and not any(_root_selects(s, flavor) for s in mine)
        ):
            rows.append(
                Row(
                    product,
                    flavor,
                    "backend",
                    e4s,
                    mine,
                    "E4S selects %s on the root, the rendered spec does not" % flavor,
                )
            )
            continue
        # the closest pair of spellings decides the drift; recipe defaults are no drift
        own = defaults(product)
        pairs = []
        for x in e4s:
            for y in mine:
                a, b = _product_tokens(x), _product_tokens(y)
                pairs.append((_drop_defaults(a - b, x, own), _drop_defaults(b - a, y, own)))
        only_e4s, only_ours = min(pairs, key=lambda p: len(p[0]) + len(p[1]))
        used = [d for d in deviations if _covered(d) & (only_e4s | only_ours)]
        covered = frozenset().union(*(_covered(d) for d in used)) if used else frozenset()
        rest_e4s, rest_ours = only_e4s - covered, only_ours - covered
        if not (only_e4s or only_ours):
            verdict = "same"
        elif rest_e4s or rest_ours:
            verdict = "variants"
        else:
            verdict = "deviation"
        rows.append(
            Row(
                product,
                flavor,
                verdict,
                e4s,
                mine,
                only_e4s=sorted(rest_e4s),
                only_ours=sorted(rest_ours),
                deviations=used,
                provenance=provenance.get(key, ""),
            )
        )
    e4s_products = release.products()
    rendered = sorted({p for (p, _f) in ours})
    return E4SDiff(target.name, release.source(), e4s_products, rendered, rows)


def _left_out(product, flavor, commented, mine, warnings, deviations) -> Row:
    """A flavour E4S comments out and we build: explained by a deviation that says we
    build it on purpose, or by a known issue we build it with (its reason says why)."""
    reason = "; ".join(s.comment for s in commented if s.comment)
    chosen = [d for d in deviations if d.get("e4s_leaves_out")] or warnings
    verdict = "deviation" if chosen else "left-out"
    return Row(
        product, flavor, verdict, [s.spec for s in commented], mine, reason, deviations=chosen, e4s_left_out=True
    )


def diff_against_e4s(target_name, e4s_path, catalog=None, rev="HEAD"):
    """Render-free comparison: the plan for ``target_name`` against E4S's environments."""
    from .e4s_release import read_release
    from .environment import catalog_path

    target = find_target(target_name)
    return compare_release(read_release(e4s_path, target, rev), load_catalog(catalog_path(catalog)), target)
