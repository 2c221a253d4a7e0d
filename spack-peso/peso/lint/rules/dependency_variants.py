"""A ``depends_on("foo+bar")`` naming a variant foo's recipe does not have.

The dependency's variants are read as PESO-V007 reads the package's own
(:func:`.conditions.known_variants`: its ``variant()`` names plus what its base classes
give, and no answer when something could add one unseen), from its recipe in the same
repository. A quick scan of the dependency's text for ``variant("bar"`` settles most
specs without parsing it. Virtuals (no recipe, or ``virtual = True``) and packages of
other repositories are not judged; the recipes read go to the lint cache as PESO-D007's.
"""

import functools
import re
from typing import FrozenSet, Optional

from ...recipe.parse import load_recipe
from ...recipe.spec_variants import root_node
from .. import bases
from ..registry import rule
from ._common import directive_dependencies, finding
from .conditions import NAMED_VARIANT_DIRECTIVES, did_you_mean, known_variants
from .dependency_versions import read_dependency

_VARIANT_CALL = re.compile(r"""variant\(\s*["']([A-Za-z0-9_][\w-]*)["']""")


@functools.lru_cache(maxsize=16384)
def _scanned_variants(path: str, signature: tuple) -> FrozenSet[str]:
    """Variant names a quick scan of the file finds (a lower bound)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return frozenset()
    names = set(_VARIANT_CALL.findall(text))
    names.update(n for n in NAMED_VARIANT_DIRECTIVES if n + "(" in text)
    return frozenset(names)


_BUILD_SYSTEM_IMPORT = re.compile(r"^from (spack_repo\.\w+\.build_systems\.\w+) import ([\w, ]+)$", re.M)


@functools.lru_cache(maxsize=16384)
def _imported_base_variants(path: str, signature: tuple) -> FrozenSet[str]:
    """Variants of the build-system classes the file imports (``CudaPackage`` gives
    ``cuda``), from their sources as :mod:`..bases` reads them: a lower bound of what the
    recipe inherits, found without parsing the recipe."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return frozenset()
    root = bases.spack_repo_root(path)
    names: set = set()
    for module, imported in _BUILD_SYSTEM_IMPORT.findall(text):
        for name in (n.strip() for n in imported.split(",")):
            inherited = bases._resolve(root, "%s.%s" % (module, name)) if root and name else None
            if inherited is not None:
                names |= inherited.variants
    return frozenset(names)


@functools.lru_cache(maxsize=4096)
def _dependency_variants(path: str, signature: tuple) -> Optional[FrozenSet[str]]:
    """Every variant the recipe at ``path`` can have, or None when unknown or virtual."""
    dep = load_recipe(path)
    if dep.tree is None or dep.package_class is None:
        return None
    virtual = dep.attributes.get("virtual")
    if virtual is not None and getattr(virtual.value, "value", None) is True:
        return None
    known = known_variants(dep)
    return frozenset(known) if known is not None else None


@rule("PESO-V008")
def undefined_dependency_variant(recipe):
    if recipe.package_class is None:
        return
    for name, directives in directive_dependencies(recipe).items():
        for d in directives:
            text = d.first
            if not text or not any(c in text for c in "+~="):
                continue
            node = root_node(text)
            if node is None or node.name != name or not node.variants:
                continue
            found = read_dependency(recipe, name)
            if found is None:
                break  # a virtual, or a package of another repository: not judged
            path, signature = found
            scanned = _scanned_variants(path, signature)
            missing = [v for v in node.variants if v.name not in scanned]
            if missing:
                inherited = _imported_base_variants(path, signature)
                missing = [v for v in missing if v.name not in inherited]
            if not missing:
                continue
            known = _dependency_variants(path, signature)
            if known is None:
                continue
            for variant in missing:
                if variant.name not in known:
                    yield finding(
                        "PESO-V008",
                        recipe,
                        d.args[0],
                        "depends_on(%r) names variant '%s', which %s does not define (own or inherited)%s"
                        % (text, variant.name, name, did_you_mean(variant.name, known)),
                    )
