"""Decide, per product and flavour (cpu or the target's GPU backend), what a target gets:
the spec to build, or why not (skipped by a known issue, excluded by the profile, or
unsupported because the product has no such flavour).

The renderer and the coverage matrix both read this plan, so the ``spack.yaml`` header,
the Markdown/JSON matrix and the rendered specs can never disagree.
"""

import re
from dataclasses import dataclass
from typing import List, Optional

from .model import Catalog, Product, Target, as_list

BUILT, SKIPPED, EXCLUDED, UNSUPPORTED = "built", "skipped", "excluded", "unsupported"


@dataclass
class Entry:
    product: str
    flavor: str  # cpu, cuda, rocm or sycl
    status: str
    spec: Optional[str] = None
    reason: str = ""
    ref: str = ""
    #: the reference this flavour's spec comes from (the catalogue's ``ref``/``provenance``)
    provenance: str = ""


def split_root(spec):
    """``(root part, rest)``; the rest starts at the first `` ^`` or `` %`` so tokens added to
    the root can never bind to a dependency or a compiler (Spack 1.x attaches tokens that
    follow ``%gcc`` to the gcc node). ``hdf5^mpich`` splits too: no root token holds ``^``/``%``."""
    m = re.search(r"\s*[\^%]", spec)
    if not m:
        return spec.strip(), ""
    return spec[: m.start()].strip(), spec[m.start() :].strip()


def backend_tokens(backend, arch):
    """The tokens that select a GPU backend: computed, never written in the catalogue."""
    if backend == "cuda":
        return "+cuda cuda_arch=%s" % arch
    if backend == "rocm":
        return "+rocm amdgpu_target=%s" % arch
    return "+sycl"


def gpu_spec(base, backend, arch, tokens="full"):
    """Root spec plus backend tokens (before any ``^``/``%``); ``{gpu}`` placeholders in
    dependencies get the full tokens."""
    full = backend_tokens(backend, arch)
    root, rest = split_root(base)
    add = {"full": full, "switch": "+" + backend, "none": ""}[tokens]
    rest = rest.replace("{gpu}", full)
    root = root.replace("{gpu}", full)
    return " ".join(x for x in (root, add, rest) if x)


def with_tokens_before_compiler(spec, tokens):
    """``cray-mpich@8.1.31 %gcc`` + tokens -> ``cray-mpich@8.1.31 +rocm ... %gcc``."""
    if not tokens:
        return spec
    root, rest = split_root(spec)
    return " ".join(x for x in (root, tokens, rest) if x)


def _version_prefix(wanted, actual):
    w = wanted.split(".")
    return actual is not None and actual.split(".")[: len(w)] == w


def context(target: Target, flavor: str):
    """What a known issue's ``when`` can match for this target and flavour."""
    doc = target.doc
    runtimes = {n: r.get("version") for n, r in (doc.get("runtimes") or {}).items()}
    return {
        "target": [target.name] + list(doc.get("aliases") or []),
        "backend": flavor,
        "os": doc["arch"]["os"],
        "mpi": doc["mpi"]["provider"],
        "compiler": doc["default_compiler"],
        "runtimes": runtimes,
    }


def when_matches(when, ctx):
    """True when every key of ``when`` matches (a list means any of its values)."""
    for key, wanted in when.items():
        values = as_list(wanted)
        if key == "target":
            if not set(values) & set(ctx["target"]):
                return False
        elif key == "runtime":
            ok = False
            for v in values:
                name, _, version = v.partition("@")
                actual = ctx["runtimes"].get(name)
                if actual is not None and (not version or _version_prefix(version, actual)):
                    ok = True
            if not ok:
                return False
        elif ctx.get(key) not in values:
            return False
    return True


def _select(catalog: Catalog, tags=None, only=None):
    products = catalog.products
    if only:
        wanted = set(only)
        products = [p for p in products if p.name in wanted]
    if tags:
        wanted_tags = set(tags)
        products = [p for p in products if wanted_tags & set(p.tags)]
    return products


def unknown_names(catalog: Catalog, only):
    names = {p.name for p in catalog.products}
    return sorted(set(only or []) - names)


def unknown_tags(catalog: Catalog, tags):
    """Tags no product carries: a filter that matches nothing is a typo, not an empty stack."""
    known = {t for p in catalog.products for t in p.tags}
    return sorted(set(tags or []) - known)


def flavors(target: Target):
    return ["cpu"] + ([target.backend] if target.backend != "none" else [])


def plan_product(product: Product, target: Target, flavor: str) -> Entry:
    ctx = context(target, flavor)
    if product.name in (target.doc.get("exclude_products") or []):
        return Entry(product.name, flavor, EXCLUDED, reason="excluded by target profile %s" % target.name)
    if flavor == "cpu":
        if not product.cpu:
            return Entry(product.name, flavor, UNSUPPORTED, reason="no CPU flavour in the catalogue")
        spec, provenance = product.spec, product.provenance
        for override in product.overrides:
            if when_matches(override["when"], ctx):
                spec, provenance = override["spec"], override.get("ref") or provenance
                break
    else:
        entry = product.gpu.get(flavor)
        if entry is None:
            return Entry(product.name, flavor, UNSUPPORTED, reason="no %s flavour in the catalogue" % flavor)
        base = entry.get("spec", product.spec)
        provenance = entry.get("ref") or product.provenance
        # an override reaches a GPU flavour only when its ``when`` names that backend
        for override in product.overrides:
            if flavor in as_list(override["when"].get("backend")) and when_matches(override["when"], ctx):
                base, provenance = override["spec"], override.get("ref") or provenance
                break
        spec = gpu_spec(base, flavor, target.gpu_arch, entry.get("tokens", "full"))
    notes = []
    for issue in product.known_issues:
        if when_matches(issue["when"], ctx):
            if issue["action"] == "skip":
                return Entry(product.name, flavor, SKIPPED, reason=issue["reason"], ref=issue["source"])
            notes.append(issue["reason"])
    return Entry(product.name, flavor, BUILT, spec=spec, reason="; ".join(notes), provenance=provenance)


def make_plan(catalog: Catalog, target: Target, tags=None, only=None) -> List[Entry]:
    """Every (selected product, flavour) of the target, in catalogue order."""
    out = []
    for product in _select(catalog, tags, only):
        for flavor in flavors(target):
            out.append(plan_product(product, target, flavor))
    return out


def share_reproduced(reference, missing) -> float:
    """Percent of a reference stack's roots (or products) a rendered stack holds."""
    if not reference:
        return 100.0
    return 100.0 * (len(reference) - len(missing)) / len(reference)
