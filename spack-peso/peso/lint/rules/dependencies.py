"""Dependencies (E4S P1/P7, FP3, xSDK M12/R6): language dependencies for compiled code,
no forced bundled copies of third-party code, and versioned dependencies."""

import re

from ...recipe import literal_str
from ..registry import rule
from ._common import build_info, class_location, data, directive_dependencies, finding

LANGUAGES = ("c", "cxx", "fortran")
#: configure/CMake arguments that force a vendored copy of a third-party library
BUNDLED = re.compile(
    r"(?:-D)?[A-Za-z0-9_]*(?:USE_INTERNAL|_INTERNAL_|USE_BUNDLED|_BUNDLED_|USE_VENDORED|_VENDORED_|"
    r"BUILTIN_)[A-Za-z0-9_]*(?::BOOL)?=(?:ON|TRUE|YES|1)\b"
    r"|--with-(?:included|internal|bundled)-[\w-]+(?:=yes)?\b|--enable-(?:bundled|internal)-[\w-]+",
    re.IGNORECASE,
)
#: cheap literal pre-filters so the full pattern runs on few recipes and strings
HINT_WORDS = ("INTERNAL", "BUNDLED", "VENDORED", "BUILTIN_", "INCLUDED-")
BUNDLED_HINT = re.compile(r"INTERNAL|BUNDLED|VENDORED|BUILTIN_|included-", re.IGNORECASE)

BUNDLED_DEFINE = re.compile(r"(?:USE_INTERNAL|_INTERNAL_|USE_BUNDLED|_BUNDLED_|USE_VENDORED|BUILTIN_)", re.IGNORECASE)


@rule("PESO-D002")
def language_deps(recipe):
    info = build_info(recipe)
    if recipe.package_class is None or info.compiled is not True or info.opaque or info.no_code:
        return
    if any(name in directive_dependencies(recipe) for name in LANGUAGES):
        return
    yield finding("PESO-D002", recipe, class_location(recipe),
                  "compiled package (%s) declares no language dependency: add "
                  "depends_on(\"c\"/\"cxx\"/\"fortran\", type=\"build\")" % ", ".join(info.build_systems or info.known))


@rule("PESO-D003")
def bundled_third_party(recipe):
    if recipe.tree is None:
        return
    upper = recipe.source.upper()
    if not any(word in upper for word in HINT_WORDS):
        return
    hint = BUNDLED_HINT.search
    for node in recipe.strings:
        m = hint(node.value) and BUNDLED.search(node.value)
        if m:
            yield finding("PESO-D003", recipe, node,
                          "argument %r forces a bundled copy of third-party code; offer the "
                          "external dependency instead" % m.group(0))
    for name, call in recipe.calls:
        if name.endswith("define") and len(call.args) >= 2:
            key = literal_str(call.args[0])
            value = call.args[1]
            on = getattr(value, "value", None) in (True, "ON", "TRUE", "YES", "1", 1)
            if key and on and BUNDLED_DEFINE.search(key):
                yield finding("PESO-D003", recipe, call,
                              "define(%r, ON) forces a bundled copy of third-party code" % key)


@rule("PESO-D004")
def language_deps_unconfirmed(recipe):
    comments = recipe.comments
    if not comments:
        return
    generated = [d for name in LANGUAGES for d in directive_dependencies(recipe).get(name, ())
                 if "generated" in comments.get(d.node.end_lineno or d.line, "")]
    if generated:
        first = min(generated, key=lambda d: d.line)
        yield finding("PESO-D004", recipe, first.node,
                      "%d language dependenc%s marked '# generated' (machine-added, not reviewed)"
                      % (len(generated), "y is" if len(generated) == 1 else "ies are"))


@rule("PESO-D005")
def resource_vendored(recipe):
    for d in recipe.directives:
        if d.name != "resource":
            continue
        what = d.kw_str("name") or d.kw_str("url") or d.kw_str("git") or "?"
        yield finding("PESO-D005", recipe, d.node,
                      "resource(%s) downloads extra code into the build: make sure it can be "
                      "replaced by a Spack dependency" % what)


@rule("PESO-D006")
def unconstrained_dependency(recipe):
    deps = directive_dependencies(recipe)
    if not deps:
        return
    exempt = set(data("build_systems")["unconstrained_ok"])
    for name, directives in deps.items():
        if name in exempt:
            continue
        if any("@" in (d.arg_str(0) or "") for d in directives):
            continue
        types = [d.kwargs.get("type") for d in directives]
        if types and all(literal_str(t) == "build" for t in types):
            continue
        first = directives[0]
        yield finding("PESO-D006", recipe, first.node,
                      "depends_on(%r) has no version constraint anywhere: record the versions "
                      "that work (FP3 / xSDK R6)" % name)
