"""``stack diff --e4s``: a rendered target against E4S's own environments for it, product
by product.

Per product and flavour (cpu or the target's GPU backend) one verdict: ``same``,
``variants`` (both build it; the tokens differ), ``backend`` (E4S selects the GPU
backend on the root and our root spec does not: a GPU product rendered as CPU code),
``missing`` (E4S builds it, we do not; with our plan's reason when a known issue skips
it) or ``extra`` (we build it, E4S does not). Coverage is counted on root product
names, the measure the catalogue is held to; backend agreement on E4S's GPU roots.
"""

import re
from dataclasses import dataclass, field
from typing import List

from . import envfile
from .diff import tokens
from .model import Catalog, Target, find_target, load_catalog
from .plan import BUILT, make_plan, share_reproduced, split_root

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

    def backend_agreement(self):
        """``(agreeing, total)`` over E4S's GPU roots that select their backend on the root."""
        gpu = [r for r in self.rows if r.flavor != "cpu" and r.e4s and any(_root_selects(s, r.flavor) for s in r.e4s)]
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
            "rows": [r.__dict__ for r in self.rows if r.verdict != "same"],
        }

    def lines(self):
        agree, total = self.backend_agreement()
        out = [
            "stack diff: rendered %s vs %s" % (self.target, self.source),
            "root products: %d in E4S, %d rendered; %.1f%% of E4S's reproduced"
            % (len(self.e4s_products), len(self.rendered_products), self.coverage_percent),
            "GPU backend on the root where E4S selects it: %d of %d" % (agree, total),
        ]
        for verdict in ("missing", "backend", "variants", "extra"):
            rows = [r for r in self.rows if r.verdict == verdict]
            if not rows:
                continue
            out.append("%s (%d):" % (verdict, len(rows)))
            for r in rows:
                detail = {
                    "missing": lambda r: "E4S: %s%s" % (" | ".join(r.e4s), "; ours: " + r.note if r.note else ""),
                    "backend": lambda r: "E4S: %s; ours: %s" % (" | ".join(r.e4s), " | ".join(r.ours)),
                    "variants": lambda r: (
                        "E4S only: %s; ours only: %s" % (" ".join(r.only_e4s) or "-", " ".join(r.only_ours) or "-")
                    ),
                    "extra": lambda r: " | ".join(r.ours),
                }[verdict](r)
                out.append("  %s [%s]: %s" % (r.product, r.flavor, detail))
        return out


def compare_release(release, catalog: Catalog, target: Target) -> E4SDiff:
    """Every (product, flavour) either side builds, with its verdict."""
    plan = make_plan(catalog, target)
    ours: dict = {}
    why_not: dict = {}
    for e in plan:
        if e.status == BUILT:
            ours.setdefault((e.product, e.flavor), []).append(e.spec)
        else:
            why_not[(e.product, e.flavor)] = "%s: %s" % (e.status, e.reason)
    theirs: dict = {}
    for s in release.specs:
        theirs.setdefault((envfile.root_name(s.spec), s.flavor), []).append(s.spec)
    rows = []
    for key in sorted(set(ours) | set(theirs)):
        product, flavor = key
        e4s, mine = theirs.get(key, []), ours.get(key, [])
        if not mine:
            note = why_not.get(key) or (
                "not in the catalogue"
                if catalog.product(product) is None
                else "no %s flavour in the catalogue" % flavor
            )
            rows.append(Row(product, flavor, "missing", e4s, [], note))
            continue
        if not e4s:
            rows.append(Row(product, flavor, "extra", [], mine))
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
        # the closest pair of spellings decides the drift
        pairs = [(_product_tokens(a), _product_tokens(b)) for a in e4s for b in mine]
        a, b = min(pairs, key=lambda p: len(p[0] ^ p[1]))
        verdict = "same" if a == b else "variants"
        rows.append(Row(product, flavor, verdict, e4s, mine, only_e4s=sorted(a - b), only_ours=sorted(b - a)))
    e4s_products = release.products()
    rendered = sorted({p for (p, _f) in ours})
    return E4SDiff(target.name, release.source(), e4s_products, rendered, rows)


def diff_against_e4s(target_name, e4s_path, catalog=None, rev="HEAD"):
    """Render-free comparison: the plan for ``target_name`` against E4S's environments."""
    from .e4s_release import read_release
    from .environment import catalog_path

    target = find_target(target_name)
    return compare_release(read_release(e4s_path, target, rev), load_catalog(catalog_path(catalog)), target)
