"""Lint a product catalogue against the package recipes it names, statically.

A catalogue can silently rot: a product listed for ``rocm`` whose recipe has no ROCm
support, a variant renamed upstream, a package removed. Concretizing 200 roots takes
many minutes; reading 200 recipes with :func:`peso.recipe.parse.load_recipe` takes a second.

Variants a recipe inherits from build-system base classes (``CudaPackage`` ->
``cuda``/``cuda_arch``, ``CMakePackage`` -> ``build_type``...) come from
``data/base_variants.yaml`` (extracted from spack-packages ``build_systems/``); a base that
is another package's class is followed through the recipe's imports.
"""

import os
import re
from dataclasses import dataclass

from ...recipe.layout import find_recipe
from ...spackcall.runtime import configured_repos
from .model import data_file, load_catalog
from .plan import split_root

#: spec keys that are not variants
NON_VARIANT_KEYS = {"target", "os", "platform", "arch", "namespace", "dev_path", "cflags",
                    "cxxflags", "fflags", "cppflags", "ldflags", "ldlibs", "languages"}
BACKEND_VARIANT = {"cuda": "cuda", "rocm": "rocm", "sycl": "sycl"}


@dataclass
class CatalogFinding:
    location: str
    severity: str
    code: str
    message: str


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
        if re.search(r"\bvariant\(\s*(?![\"'\s])", recipe.source.decode() if isinstance(
                recipe.source, bytes) else (recipe.source or "")):
            self.dynamic.add(package)
        names = set(self.base.get("always", []))
        cls = recipe.package_class
        if cls is not None:
            for d in cls.directives:
                if d.name == "variant" and d.arg_str(0):
                    names.add(d.arg_str(0))
            for base in cls.base_names:
                names |= self._class_variants(base, {base})
                dotted = recipe.imports.get(base, "")
                m = re.match(r"spack_repo\.builtin\.packages\.(\w+)\.package", dotted)
                if m:
                    other = m.group(1).lstrip("_").replace("_", "-")
                    names |= self.variants(other) or set()
        self._cache[package] = names
        return names


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
        names = []
        for tok in seg[m.end():].split():
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
    no-backend-support."""
    catalog = load_catalog(catalog_path)
    recipes_dir = repo or default_recipes_dir()
    if not recipes_dir or not os.path.isdir(recipes_dir):
        from ...errors import PesoError

        raise PesoError("no recipes folder found: pass --repo or set PESO_RECIPES")
    index = VariantIndex(recipes_dir)
    findings = []
    where = os.path.basename(catalog.path)

    def check_spec(spec, location):
        for package, variants in spec_segments(spec):
            known = index.variants(package)
            if known is None:
                findings.append(CatalogFinding(location, "error", "unknown-package",
                                               "no recipe for package %r in %s" % (package, recipes_dir)))
                continue
            for v in variants:
                if v not in known and package not in index.dynamic:
                    findings.append(CatalogFinding(location, "error", "unknown-variant",
                                                   "%s has no variant %r" % (package, v)))

    for product in catalog.products:
        base = "%s: products.%s" % (where, product.name)
        check_spec(product.spec, base + ".spec")
        for i, override in enumerate(product.overrides):
            check_spec(override["spec"], "%s.overrides.%d" % (base, i))
        for backend, entry in product.gpu.items():
            loc = "%s.gpu.%s" % (base, backend)
            check_spec(entry.get("spec", product.spec), loc)
            if entry.get("tokens", "full") != "none":
                root = split_root(entry.get("spec", product.spec))[0].split()[0]
                known = index.variants(root)
                if known is not None and BACKEND_VARIANT[backend] not in known:
                    findings.append(CatalogFinding(loc, "error", "no-backend-support",
                                                   "%s is listed for %s but its recipe has no %r variant"
                                                   % (root, backend, BACKEND_VARIANT[backend])))
    return findings, recipes_dir
