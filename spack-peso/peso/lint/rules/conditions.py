"""Variants named in the recipe's own conditions (``when=``, ``with when(...)``,
``conflicts()``, ``requires()``) that the package does not have.

Spack's audit reports such a name only when recipes are loaded (``--deep``); a typo like
``conflicts("+cudaa")`` otherwise makes a conflict that never applies, and
``depends_on("mpi", when="+mpii")`` a dependency that is never added. Read statically:
the package's variants are its own ``variant()`` names plus what its base classes give
(build-system sources, :mod:`..bases`). Whenever something could define a variant we
cannot see (another package's class as a base, a computed variant name, a helper called
in the class body), the recipe is not judged: a miss is cheaper than a wrong block.
"""

import difflib
from typing import Iterator, List, Optional, Set, Tuple

from ...recipe.spec_variants import root_variants
from ...recipe.syntax import literal_str
from ..registry import rule
from ._common import build_info, data, finding

#: Spack's directives that define no variant (``spack.directives.__all__``) and the
#: call-like helpers builtin recipes use in class bodies that do not either
NO_VARIANT_DIRECTIVES = frozenset(
    (
        "version",
        "conflicts",
        "depends_on",
        "extends",
        "maintainers",
        "license",
        "provides",
        "patch",
        "resource",
        "requires",
        "redistribute",
        "can_splice",
        "filter_compiler_wrappers",
    )
)
#: directives that define a variant of their own name (``build_system("cmake")`` defines
#: ``build_system``; CMake's ``generator("ninja")`` defines ``generator``)
NAMED_VARIANT_DIRECTIVES = ("build_system", "generator")


def known_variants(recipe) -> Optional[Set[str]]:
    """Every variant the package can have, or None when that cannot be known statically."""
    info = build_info(recipe)
    if recipe.package_class is None or info.opaque or info.inherited.incomplete:
        return None
    known: Set[str] = set(info.inherited.variants)
    known.update(n for n in NAMED_VARIANT_DIRECTIVES if n in info.inherited.directives)
    if info.from_table:
        known.update(data("build_systems")["fallback_variants"])
    for cls in [recipe.package_class] + info.local_bases:
        for d in cls.directives:
            if d.name == "variant":
                if d.has_star or d.first is None:
                    return None  # a computed name: any variant may exist
                known.add(d.first)
            elif d.name in NAMED_VARIANT_DIRECTIVES:
                known.add(d.name)
            elif d.name not in NO_VARIANT_DIRECTIVES:
                return None  # a helper (xsdk_depends_on, ...) may declare variants we do not see
    return known


def _conditions(recipe) -> Iterator[Tuple[str, object, str]]:
    """(spec text, node to point at, where) of every literal condition of the main class."""
    seen_blocks: Set[int] = set()
    for d in recipe.directives:
        for condition in d.when:
            if condition.text is not None and id(condition.node) not in seen_blocks:
                seen_blocks.add(id(condition.node))
                yield condition.text, condition.node, "when(%r)" % condition.text
        when = d.kwargs.get("when")
        text = literal_str(when)
        if text is not None:
            yield text, when, "%s(when=%r)" % (d.name, text)
        if d.name == "conflicts":
            for arg in d.args[:2]:
                text = literal_str(arg)
                if text is not None:
                    yield text, arg, "conflicts(%r)" % text
        elif d.name == "requires":
            for arg in d.args:
                text = literal_str(arg)
                if text is not None:
                    yield text, arg, "requires(%r)" % text


@rule("PESO-V007")
def undefined_variant_in_condition(recipe):
    source = recipe.source or ""
    if "when" not in source and "conflicts" not in source and "requires" not in source:
        return
    known = None
    reported: Set[Tuple[int, str]] = set()
    for text, node, where in _conditions(recipe):
        parsed = root_variants(text)
        if parsed is None:
            continue
        name, variants = parsed
        if not variants or (name is not None and name != recipe.package):
            continue  # a condition on another package (conflicts("openmpi+cuda"))
        if known is None:
            known = known_variants(recipe)
            if known is None:
                return
        for variant in variants:
            line = getattr(node, "lineno", 0)
            if variant.name in known or (line, variant.name) in reported:
                continue
            reported.add((line, variant.name))
            yield finding(
                "PESO-V007",
                recipe,
                node,
                "%s names variant '%s', which %s does not define (own or inherited)%s"
                % (where, variant.name, recipe.package, did_you_mean(variant.name, known)),
            )


def did_you_mean(name: str, known) -> str:
    """'; did you mean 'x'?' for the closest known name, else ''."""
    close: List[str] = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return "; did you mean '%s'?" % close[0] if close else ""
