"""Variants and portability (E4S P4/FP1, xSDK M16 and the xSDK Spack variant
guidelines): described variants, a debug option, guideline names, GPU support through
Spack's CudaPackage/ROCmPackage, explained conflicts, no dead variants."""

import functools
import re

from ...recipe.syntax import literal_str
from .. import bases
from ..registry import rule
from ._common import build_info, data, finding

GPU_VARIANTS = {"cuda": "CudaPackage", "rocm": "ROCmPackage", "hip": "ROCmPackage"}
GPU_TARGET_VARIANT = {"CudaPackage": "cuda_arch", "ROCmPackage": "amdgpu_target"}
#: the recipe chooses GPU architectures itself: the plumbing the base class would give
ARCH_PLUMBING = {
    "CudaPackage": re.compile(r"CUDA_ARCH|cuda_arch|CUDA_ARCHITECTURES|sm_\d|compute_\d|gencode", re.IGNORECASE),
    "ROCmPackage": re.compile(r"amdgpu_target|gfx\d|AMDGPU_TARGETS|HIP_ARCH|GPU_TARGETS|offload-arch", re.IGNORECASE),
}


def _variants(recipe):
    return [d for d in recipe.directives if d.name == "variant" and d.arg_str(0)]


@functools.lru_cache(maxsize=1)
def _synonyms():
    table = {}
    for entry in data("variant_names")["synonyms"]:
        for name in entry["names"]:
            table[name.lower()] = entry
    return table


@rule("PESO-V001")
def variant_description_missing(recipe):
    for d in _variants(recipe):
        if d.has_star:
            continue
        description = d.kwargs.get("description", d.arg(2))
        if description is None or (literal_str(description) is not None and not description.value.strip()):
            yield finding("PESO-V001", recipe, d.node, "variant(%r) has no description" % d.arg_str(0))


#: CMake (CMAKE_BUILD_TYPE) and Meson (--buildtype) build types, lower-cased
_OPTIMISATION_LEVELS = frozenset(
    ("debug", "release", "relwithdebinfo", "minsizerel", "plain", "debugoptimized", "minsize")
)
#: build types a debugger can work with
_DEBUGGABLE = frozenset(("debug", "relwithdebinfo", "debugoptimized"))


@rule("PESO-V002")
def debug_option_missing(recipe):
    """xSDK M16 asks for a debug build. CMake and Meson base classes give every recipe a
    ``build_type`` variant with a Debug value; for Autotools, Makefile and generic
    recipes Spack's way to a debug build is compiler flags (``cflags="-g -O0"``), not a
    variant, so nothing is asked of them (the old reading flagged 1,825 such recipes).
    What a recipe can get wrong is redefining ``build_type`` without a Debug value.

    Only a ``build_type`` of optimisation levels (some value is a CMake or Meson build
    type) is that variant: wrf's and wps's ``build_type`` picks the parallel mode
    (serial, dmpar, ...). A build with debug information (``RelWithDebInfo``, Meson's
    ``debugoptimized``; zig keeps it while dropping Debug) can be debugged."""
    for d in _variants(recipe):
        if d.arg_str(0) not in ("build_type", "buildtype") or d.has_star:
            continue
        values = _literal_values(d.kwargs.get("values"))
        lowered = {v.lower() for v in values or ()}
        debuggable = lowered & _DEBUGGABLE or any(v.startswith("debug") for v in lowered)
        if values and lowered & _OPTIMISATION_LEVELS and not debuggable:
            yield finding(
                "PESO-V002",
                recipe,
                d.node,
                "variant(%r) offers no Debug value (%s): users cannot build the package "
                "for debugging" % (d.arg_str(0), ", ".join(values)),
            )


def _literal_values(node):
    """The string values of a literal tuple/list (None if not all literal)."""
    elts = getattr(node, "elts", None)
    if elts is None:
        return None
    values = [literal_str(e) for e in elts]
    return values if all(v is not None for v in values) else None


@rule("PESO-V003")
def xsdk_variant_names(recipe):
    variants = _variants(recipe)
    synonyms = _synonyms()
    names: dict = {}
    ruled_out = _ruled_out(recipe)
    for d in variants:
        name = d.arg_str(0)
        names.setdefault(name, d)
        entry = synonyms.get(name.lower())
        if entry is not None and name not in ruled_out:
            yield finding("PESO-V003", recipe, d.node, "variant %r: xSDK guideline: %s" % (name, entry["advice"]))
    info = build_info(recipe)
    if (
        "debug" in names
        and info.build_type
        and not _project_flag(recipe, "debug")
        and not _other_build_system(names["debug"])
    ):
        yield finding(
            "PESO-V003",
            recipe,
            names["debug"].node,
            "variant 'debug' duplicates build_type, which %s already provides"
            % "/".join(b for b in info.known if b.endswith(("CMakePackage", "MesonPackage"))),
        )
    if "shared" in names and "static" in names and not ruled_out & {"shared", "static"}:
        # one directive's spec and condition together: conflicts("~shared", when="~static")
        texts = [
            " ".join(t for t in (d.arg_str(0), d.kw_str("when"), *(c.text for c in d.when)) if t)
            for d in recipe.directives
            if d.name in ("conflicts", "requires")
        ]
        if not any("~shared" in t and "~static" in t for t in texts) and not any(
            "+shared" in t or "+static" in t for t in texts
        ):
            yield finding(
                "PESO-V003",
                recipe,
                names["static"].node,
                "variants 'shared' and 'static' both exist but ~shared~static is not ruled out "
                '(add conflicts("~shared~static"))',
            )


def _other_build_system(d) -> bool:
    """The variant exists only for a build system without build_type (coin3d's and
    metis's ``debug`` under ``build_system=autotools``/``makefile``)."""
    texts = [d.kw_str("when") or ""] + [c.text or "" for c in d.when]
    return any(re.search(r"build_system=(?!cmake|meson)\w", t) for t in texts)


def _project_flag(recipe, name: str) -> bool:
    """The variant only feeds a project option (``define_from_variant("CELERITAS_DEBUG",
    "debug")``: runtime assertions, orthogonal to the build type)."""
    if "from_variant" not in (recipe.source or ""):
        return False
    for callee, call in recipe.calls:
        if callee.endswith("from_variant") and len(call.args) >= 2:
            if literal_str(call.args[1]) == name and "BUILD_TYPE" not in (literal_str(call.args[0]) or "BUILD_TYPE"):
                return True
    return False


def _ruled_out(recipe):
    """Variants an unconditional ``conflicts("+x")`` forbids to enable: their names
    never reach a user, so naming advice is moot."""
    out = set()
    for d in recipe.directives:
        text = d.arg_str(0) or ""
        if d.name == "conflicts" and not d.conditional and re.fullmatch(r"\s*\+(\w+)\s*", text):
            out.add(text.strip()[1:])
    return out


@rule("PESO-V004")
def gpu_support_undeclared(recipe):
    """Ad-hoc ``cuda``/``rocm`` variants in a recipe that chooses GPU architectures itself
    (``CUDA_ARCH``, ``sm_70``, ``gfx90a``...): the plumbing CudaPackage/ROCmPackage give.
    Not reported: a recipe that defines the target variant itself (``amdgpu_target``), and
    one that only links GPU libraries or selects dependencies (cosma: cuBLAS)."""
    info = build_info(recipe)
    if info.opaque:
        return
    own = {d.arg_str(0) for d in _variants(recipe)}
    for d in _variants(recipe):
        base = GPU_VARIANTS.get(d.arg_str(0))
        if not base or info.has(base) or GPU_TARGET_VARIANT[base] in own:
            continue
        if not ARCH_PLUMBING[base].search(_method_text(recipe)):
            continue  # links GPU libraries only (cosma: cuBLAS): no architecture to choose
        yield finding(
            "PESO-V004",
            recipe,
            d.node,
            "ad-hoc variant(%r): inherit %s so %s and its conflicts come with it"
            % (d.arg_str(0), base, GPU_TARGET_VARIANT[base]),
        )


def _method_text(recipe) -> str:
    """The source of the methods that build this package (not those configuring dependents)."""
    text = recipe.memo.get("method_text")
    if text is None:
        text = recipe.memo["method_text"] = "\n".join(
            "\n".join(recipe.lines[m.line - 1 : m.end_line])
            for m in recipe.all_methods()
            if not m.name.startswith("setup_dependent")
        )  # hip reads its dependents' targets
    return text


@rule("PESO-V005")
def conflict_without_message(recipe):
    for d in recipe.directives:
        if d.name == "conflicts" and "msg" not in d.kwargs and not d.has_star:
            yield finding(
                "PESO-V005",
                recipe,
                d.node,
                "conflicts(%r) gives users no reason (add msg=...)" % (d.arg_str(0) or "..."),
            )


@rule("PESO-V006")
def unused_variant(recipe):
    variants = _variants(recipe)
    if not variants or build_info(recipe).opaque or _iterates_variants(recipe):
        return  # chapel turns every variant into CHPL_<NAME> in a loop over spec.variants
    consumed = set(data("build_systems")["base_class_variants"])
    consumed |= bases.build_system_spec_words(bases.spack_repo_root(recipe.path))
    lowered = recipe.source.lower()
    for d in variants:
        name = d.arg_str(0)
        if name in consumed:
            continue
        # the declaration is one mention; any other whole-word mention (a condition, an
        # argument helper, spec.variants[...], even a comment) counts as a use
        # case-insensitively: helpers spell the name differently (trilinos passes
        # "Zoltan" to define_trilinos_enable, which lowercases it to the variant)
        # (the declaration, description included, is not a use)
        declaration = "\n".join(recipe.lines[d.line - 1 : (d.node.end_lineno or d.line)]).lower()
        limit = _whole_word_mentions(declaration, name.lower(), limit=10) + 1
        if _whole_word_mentions(lowered, name.lower(), limit=limit) < limit:
            yield finding(
                "PESO-V006", recipe, d.node, "variant %r is never used in a condition, argument or spec check" % name
            )


#: ``for v in self.spec.variants``, ``.keys()``, ``.items()``, ``.values()`` (a comprehension too)
ITERATES_VARIANTS = re.compile(r"\bin\s+[\w.]*spec\.variants\b(?!\s*\[)")


def _iterates_variants(recipe) -> bool:
    """A method loops over ``spec.variants``: every variant may be used by name there."""
    source = recipe.source or ""
    return ".variants" in source and bool(ITERATES_VARIANTS.search(source))


def _whole_word_mentions(text: str, word: str, limit: int) -> int:
    """How many times ``word`` occurs not glued to other name characters (up to limit);
    str.find is many times faster here than a regex with look-arounds."""
    count = 0
    start = text.find(word)
    size = len(word)
    while start != -1 and count < limit:
        before = text[start - 1] if start else " "
        after = text[start + size : start + size + 1] or " "
        if before == "-" and (text[start - 2 : start - 1] or " ") in "\"' ":
            before = " "  # the old negation syntax: "-mpi_io" in spec (mpip)
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            count += 1
        start = text.find(word, start + 1)
    return count
