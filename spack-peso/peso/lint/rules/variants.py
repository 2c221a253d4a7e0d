"""Variants and portability (E4S P4/FP1, xSDK M16 and the xSDK Spack variant
guidelines): described variants, a debug option, guideline names, GPU support through
Spack's CudaPackage/ROCmPackage, explained conflicts, no dead variants."""

import functools
import re

from ...recipe import literal_str
from ..registry import rule
from ._common import build_info, class_location, data, finding

GPU_VARIANTS = {"cuda": "CudaPackage", "rocm": "ROCmPackage", "hip": "ROCmPackage"}
GPU_TARGET_VARIANT = {"CudaPackage": "cuda_arch", "ROCmPackage": "amdgpu_target"}


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
            yield finding("PESO-V001", recipe, d.node,
                          "variant(%r) has no description" % d.arg_str(0))


@rule("PESO-V002")
def debug_option_missing(recipe):
    info = build_info(recipe)
    if recipe.package_class is None or info.compiled is not True or info.build_type or info.opaque or info.no_code:
        return
    names = {d.arg_str(0) for d in _variants(recipe)}
    if names & {"debug", "build_type", "buildtype"}:
        return
    yield finding("PESO-V002", recipe, class_location(recipe),
                  "compiled package offers no debug build: add a 'debug' variant "
                  "(or use a build system with build_type)")


@rule("PESO-V003")
def xsdk_variant_names(recipe):
    variants = _variants(recipe)
    synonyms = _synonyms()
    names = {}
    for d in variants:
        name = d.arg_str(0)
        names.setdefault(name, d)
        entry = synonyms.get(name.lower())
        if entry is not None:
            yield finding("PESO-V003", recipe, d.node,
                          "variant %r: xSDK guideline: %s" % (name, entry["advice"]))
    info = build_info(recipe)
    if "debug" in names and info.build_type:
        yield finding("PESO-V003", recipe, names["debug"].node,
                      "variant 'debug' duplicates build_type, which %s already provides"
                      % "/".join(b for b in info.known if b.endswith(("CMakePackage", "MesonPackage"))))
    if "shared" in names and "static" in names:
        texts = [d.arg_str(0) or "" for d in recipe.directives if d.name in ("conflicts", "requires")]
        texts += [d.kw_str("when") or "" for d in recipe.directives if d.name in ("conflicts", "requires")]
        if not any(re.search(r"~shared", t) and re.search(r"~static", t) for t in texts) and not any(
            "+shared" in t or "+static" in t for t in texts
        ):
            yield finding("PESO-V003", recipe, names["static"].node,
                          "variants 'shared' and 'static' both exist but ~shared~static is not ruled out "
                          "(add conflicts(\"~shared~static\"))")


@rule("PESO-V004")
def gpu_support_undeclared(recipe):
    info = build_info(recipe)
    if info.opaque:
        return
    for d in _variants(recipe):
        base = GPU_VARIANTS.get(d.arg_str(0))
        if base and not info.has(base):
            yield finding("PESO-V004", recipe, d.node,
                          "ad-hoc variant(%r): inherit %s so %s and its conflicts come with it"
                          % (d.arg_str(0), base, GPU_TARGET_VARIANT[base]))


@rule("PESO-V005")
def conflict_without_message(recipe):
    for d in recipe.directives:
        if d.name == "conflicts" and "msg" not in d.kwargs and not d.has_star:
            yield finding("PESO-V005", recipe, d.node,
                          "conflicts(%r) gives users no reason (add msg=...)" % (d.arg_str(0) or "..."))


@rule("PESO-V006")
def unused_variant(recipe):
    variants = _variants(recipe)
    if not variants or build_info(recipe).opaque:
        return
    consumed = set(data("build_systems")["base_class_variants"])
    source = recipe.source
    for d in variants:
        name = d.arg_str(0)
        if name in consumed:
            continue
        # the declaration is one mention; any other whole-word mention (a condition, an
        # argument helper, spec.variants[...], even a comment) counts as a use
        if _whole_word_mentions(source, name, limit=2) <= 1:
            yield finding("PESO-V006", recipe, d.node,
                          "variant %r is never used in a condition, argument or spec check" % name)


def _whole_word_mentions(text: str, word: str, limit: int) -> int:
    """How many times ``word`` occurs not glued to other name characters (up to limit);
    str.find is many times faster here than a regex with look-arounds."""
    count = 0
    start = text.find(word)
    size = len(word)
    while start != -1 and count < limit:
        before = text[start - 1] if start else " "
        after = text[start + size : start + size + 1] or " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            count += 1
        start = text.find(word, start + 1)
    return count
