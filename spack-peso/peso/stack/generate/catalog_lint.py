"""Lint a product catalogue against the package recipes it names, statically.

A catalogue can silently rot: a product listed for ``rocm`` whose recipe has no ROCm
support, a variant renamed upstream or only declared for versions the recipe no longer
has, a package removed, a GPU product included for a backend but rendered without it. Concretizing 200 roots takes
many minutes; reading 200 recipes with :func:`peso.recipe.parse.load_recipe` takes a second.

Variants a recipe inherits from build-system base classes (``CudaPackage`` ->
``cuda``/``cuda_arch``, ``CMakePackage`` -> ``build_type``...) come from the repository's
build-system sources, read by :mod:`peso.lint.bases` as for lint rules;
``data/base_variants.yaml`` (extracted from spack-packages ``build_systems/``) stands in
only for recipes outside a ``spack_repo`` tree. A base that is another package's class is
followed through the recipe's imports.
"""

import os
import re

from ...lint.registry import Finding
from ...lint.rules._common import build_info, version_key
from ...recipe.layout import find_recipe
from ...spackcall.runtime import configured_repos
from .model import data_file, load_catalog
from .plan import split_root

#: spec keys that are not variants
NON_VARIANT_KEYS = {
    "target",
    "os",
    "platform",
    "arch",
    "namespace",
    "dev_path",
    "cflags",
    "cxxflags",
    "fflags",
    "cppflags",
    "ldflags",
    "ldlibs",
    "languages",
}
BACKEND_VARIANT = {"cuda": "cuda", "rocm": "rocm", "sycl": "sycl"}


#: the catalogue codes' documentation (severity, what, why, fix): one entry per code
RULES_DOC = "catalog_rules.yaml"


def _severity(code: str) -> str:
    """A code's severity, written once, in its documentation (``data/catalog_rules.yaml``)."""
    return {rule["id"]: rule["severity"] for rule in data_file(RULES_DOC)}[code]


def default_recipes_dir():
    """The builtin repo's ``packages/`` folder: ``$PESO_RECIPES``, else the ``builtin``
    repository Spack is configured with."""
    env = os.environ.get("PESO_RECIPES")
    if env:
        return env
    for repo in configured_repos():
        packages = os.path.join(repo, "packages")
        if os.path.basename(os.path.normpath(repo)) == "builtin" and os.path.isdir(packages):
            return packages
    return None


class VariantIndex:
    """Package name -> variants it declares or inherits (cached per lint run)."""

    def __init__(self, recipes_dir):
        from ...recipe.parse import load_recipe

        self._load = load_recipe
        self.recipes_dir = recipes_dir
        self.base = data_file("base_variants.yaml")
        self._cache = {}
        #: packages whose variant names are computed (``for x in ...: variant(x)``)
        self.dynamic = set()
        #: package -> literal version strings; package -> variant -> version constraints
        #: of each declaration (``[]``: declared for every version)
        self.versions, self.variant_versions = {}, {}
        self._sources, self._imported = {}, {}

    def _class_variants(self, name, seen):
        info = self.base["classes"].get(name)
        if not info:
            return set()
        out = set(info["variants"])
        for b in info["bases"]:
            if b not in seen:
                seen.add(b)
                out |= self._class_variants(b, seen)
        return out

    def variants(self, package):
        """Set of variant names, or None when there is no such recipe."""
        if package in self._cache:
            return self._cache[package]
        self._cache[package] = set()  # recursion guard
        path = find_recipe(package, [self.recipes_dir])
        if not os.path.exists(path):
            self._cache[package] = None
            return None
        recipe = self._load(path)
        source = recipe.source.decode() if isinstance(recipe.source, bytes) else (recipe.source or "")
        if re.search(r"\bvariant\(\s*(?![\"'\s])", source):
            self.dynamic.add(package)
            self._sources[package] = source
            # packages whose variant tables this recipe reads (``Kokkos.devices_variants``)
            self._imported[package] = [
                m.group(1).lstrip("_").replace("_", "-")
                for name, dotted in recipe.imports.items()
                for m in [re.match(r"spack_repo\.builtin\.packages\.(\w+)\.package", dotted)]
                if m and re.search(r"\b%s\.\w*variants\b" % re.escape(name), source)
            ]
        names = set(self.base.get("always", []))
        cls = recipe.package_class
        if cls is not None:
            self.versions[package] = [d.arg_str(0) for d in cls.directives if d.name == "version" and d.arg_str(0)]
            declared = self.variant_versions.setdefault(package, {})
            for d in cls.directives:
                if d.name == "variant" and d.arg_str(0):
                    names.add(d.arg_str(0))
                    whens = [c.text for c in d.when] + [d.kw_str("when")]
                    declared.setdefault(d.arg_str(0), []).append(
                        None
                        if any(w is None and c is not None for w, c in zip(whens, d.when))
                        else [r for w in whens if w for r in re.findall(r"@([\w.:,-]+)", w)]
                    )
            # build-system bases: what their sources declare (lint/bases.py, the one
            # reader of base-class facts); the extracted table only where no sources are
            info = build_info(recipe)
            if info.inherited.from_sources:
                names |= info.inherited.variants
            for local in info.local_bases:
                names |= {d.arg_str(0) for d in local.directives if d.name == "variant" and d.arg_str(0)}
            for base in cls.base_names:
                if not info.inherited.from_sources:
                    names |= self._class_variants(base, {base})
                dotted = recipe.imports.get(base, "")
                m = re.match(r"spack_repo\.builtin\.packages\.(\w+)\.package", dotted)
                if m:
                    other = m.group(1).lstrip("_").replace("_", "-")
                    names |= self.variants(other) or set()
        self._cache[package] = names
        return names

    def default_tokens(self, package):
        """The spec tokens a recipe's own defaults already give (``+x``, ``~x``, ``x=v``):
        variants declared once, unconditionally, with a literal default. A token that only
        restates one of these is not a difference between two stacks (Spack concretizes
        the same); a conditional or computed default is left out (cannot tell)."""
        import ast

        path = find_recipe(package, [self.recipes_dir])
        if not os.path.exists(path):
            return frozenset()
        cls = self._load(path).package_class
        if cls is None:
            return frozenset()
        declared: dict = {}
        for d in cls.directives:
            if d.name == "variant" and d.arg_str(0):
                declared.setdefault(d.arg_str(0), []).append(d)
        out = set()
        for name, ds in declared.items():
            d = ds[0]
            if len(ds) > 1 or d.conditional or d.has_star or "default" not in d.kwargs:
                continue
            value = d.kwargs["default"]
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                out.add(("+" if value.value else "~") + name)
            elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.add("%s=%s" % (name, value.value))
        return frozenset(out)

    def backend_variant(self, package, backend):
        """Does the recipe have the backend switch? For a recipe that declares variants in
        a loop (kokkos, arborx, cabana), a string literal naming it in the recipe or in a
        builtin package it imports counts."""
        known = self.variants(package) or set()
        if backend in known:
            return True
        if package not in self.dynamic:
            return False
        # cabana declares one variant per entry of ``Kokkos.devices_variants``
        for name in [package] + [p for p in self._imported.get(package, []) if self.variants(p) is not None]:
            if re.search(r"[\"']%s[\"']" % re.escape(backend), self._sources.get(name, ""), re.I):
                return True
        return False

    def on_some_version(self, package, variant):
        """False when every declaration of ``variant`` in the recipe itself is limited to
        versions the recipe no longer lists (``variant("visit", when="@:17")`` with versions
        19 and up); True when unsure (inherited variant, no literal versions, computed
        conditions)."""
        versions = self.versions.get(package)
        declarations = (self.variant_versions.get(package) or {}).get(variant)
        if not versions or not declarations or package in self.dynamic:
            return True
        return any(d is None or all(any(_satisfies(v, r) for v in versions) for r in d) for d in declarations)


def _satisfies(version, constraint):
    """Does ``version`` satisfy a Spack version list such as ``1.2:1.4,2.1`` (inclusive
    ranges; ``1.4`` as an upper bound or alone also matches ``1.4.x``)?"""
    key = version_key(version)
    for part in constraint.split(","):
        lo, colon, hi = part.partition(":")
        if not colon:
            if version == lo or version.startswith(lo + "."):
                return True
            continue
        if lo and key < version_key(lo):
            continue
        if hi and key > version_key(hi) and not version.startswith(hi + "."):
            continue
        return True
    return False


def spec_segments(spec):
    """``[(package, [variant names])]`` for the root and each ``^dependency``."""
    spec = spec.replace("{gpu}", "")
    root, rest = split_root(spec)
    segments = [root] + [s for s in re.split(r"\s\^", " " + rest) if s.strip()]
    out = []
    for seg in segments:
        seg = seg.strip().lstrip("^").strip()
        seg = re.sub(r"\[[^\]]*\]\s*", "", seg)  # ^[virtuals=gl] osmesa
        seg = seg.split("%")[0]
        m = re.match(r"([\w.-]+)", seg)
        if not m:
            continue
        names: list = []
        for tok in seg[m.end() :].split():
            tok = tok.split("@")[0] if tok.startswith("@") else tok
            if tok[:1] in "+~":
                names.extend(v for v in re.split(r"[+~]", tok) if v)
            elif "=" in tok:
                key = tok.split("=")[0].rstrip(":")
                if key not in NON_VARIANT_KEYS:
                    names.append(key)
        out.append((m.group(1), names))
    return out


def lint_catalog(catalog_path, repo=None):
    """``(findings, recipes dir)``. Error codes: unknown-package, unknown-variant,
    variant-on-no-version, no-backend-support, backend-not-selected."""
    catalog = load_catalog(catalog_path)
    recipes_dir = repo or default_recipes_dir()
    if not recipes_dir or not os.path.isdir(recipes_dir):
        from ...errors import PesoError

        raise PesoError("no recipes folder found: pass --repo or set PESO_RECIPES")
    index = VariantIndex(recipes_dir)
    findings = []
    where = os.path.basename(catalog.path)
    with open(catalog.path, encoding="utf-8") as f:
        text_lines = f.read().splitlines()

    def finding(code, location, message):
        """A catalogue problem as a lint :class:`Finding` (the one finding type of every
        linter), at the line of the product's entry; ``name`` keeps the key path."""
        product = location.split("products.", 1)[-1].split(".")[0]
        line = next(
            (
                n
                for n, text in enumerate(text_lines, 1)
                if re.search(r"""(^|[\s{,-])name:\s*["']?%s["']?\s*($|[,}#])""" % re.escape(product), text)
            ),
            0,
        )
        return Finding(code, _severity(code), message, catalog.path, line=line, package=product, name=location)

    def check_spec(spec, location):
        for package, variants in spec_segments(spec):
            known = index.variants(package)
            if known is None:
                findings.append(
                    finding("unknown-package", location, "no recipe for package %r in %s" % (package, recipes_dir))
                )
                continue
            for v in variants:
                if v not in known and package not in index.dynamic:
                    findings.append(finding("unknown-variant", location, "%s has no variant %r" % (package, v)))
                elif v in known and not index.on_some_version(package, v):
                    findings.append(
                        finding(
                            "variant-on-no-version",
                            location,
                            "%s declares variant %r only for versions it no longer lists (%s)"
                            % (package, v, "; ".join(",".join(d) for d in index.variant_versions[package][v] if d)),
                        )
                    )

    for product in catalog.products:
        base = "%s: products.%s" % (where, product.name)
        check_spec(product.spec, base + ".spec")
        for i, override in enumerate(product.overrides):
            check_spec(override["spec"], "%s.overrides.%d" % (base, i))
        for backend, entry in product.gpu.items():
            loc = "%s.gpu.%s" % (base, backend)
            check_spec(entry.get("spec", product.spec), loc)
            root_part = split_root(entry.get("spec", product.spec))[0]
            root = root_part.split()[0]
            known = index.variants(root)
            if entry.get("tokens", "full") != "none":
                if known is not None and not index.backend_variant(root, BACKEND_VARIANT[backend]):
                    findings.append(
                        finding(
                            "no-backend-support",
                            loc,
                            "%s is listed for %s but its recipe has no %r variant"
                            % (root, backend, BACKEND_VARIANT[backend]),
                        )
                    )
            elif (
                known is not None
                and index.backend_variant(root, BACKEND_VARIANT[backend])
                and "+" + BACKEND_VARIANT[backend] not in root_part.split()
            ):
                findings.append(
                    finding(
                        "backend-not-selected",
                        loc,
                        "%s is included for %s with tokens: none, so it is rendered without +%s although "
                        "its recipe has that variant (GPU code built as CPU code)"
                        % (root, backend, BACKEND_VARIANT[backend]),
                    )
                )
    return findings, recipes_dir
