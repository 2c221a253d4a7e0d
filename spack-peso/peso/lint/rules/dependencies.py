"""Dependencies (E4S P1/P7, FP3, xSDK M12/R6): language dependencies for compiled code,
no forced bundled copies of third-party code, and versioned dependencies."""

import ast
import os
import re
from typing import Set

from ...recipe.syntax import literal_str
from ..registry import rule
from ._common import build_info, class_location, data, directive_dependencies, finding
from .compiles import compile_evidence, compiler_constraint

LANGUAGES = ("c", "cxx", "fortran")
#: configure/CMake arguments that choose a vendored copy of a component; groups: the
#: define and its component and value, or the configure option's component and value
BUNDLED = re.compile(
    r"(?:-D)?(?P<define>[A-Za-z0-9_]*(?:USE_INTERNAL|_INTERNAL_|USE_BUNDLED|_BUNDLED_|USE_VENDORED|"
    r"_VENDORED_|BUILTIN_)(?P<dname>[A-Za-z0-9_]*))(?::BOOL)?=(?P<dvalue>[^\s\"',]*)"
    r"|--(?:with|enable)-(?:included|internal|bundled)-(?P<oname>[\w-]+)(?:=(?P<ovalue>[^\s\"',]*))?",
    re.IGNORECASE,
)
#: cheap literal pre-filters so the full pattern runs on few recipes and strings
HINT_WORDS = ("INTERNAL", "BUNDLED", "VENDORED", "BUILTIN_", "INCLUDED-")
BUNDLED_HINT = re.compile(r"INTERNAL|BUNDLED|VENDORED|BUILTIN_|included-", re.IGNORECASE)
BUNDLED_DEFINE = re.compile(r"(?:USE_INTERNAL|_INTERNAL_|USE_BUNDLED|_BUNDLED_|USE_VENDORED|BUILTIN_)", re.IGNORECASE)
#: option values that switch the bundled copy on (anything else switches it off or is a number)
ON_VALUES = frozenset(("", "on", "true", "yes", "1"))


@rule("PESO-D002")
def language_deps(recipe):
    """A recipe that compiles code (see :mod:`.compiles`), whose base class always needs
    a compiler (``native`` in ``build_systems.yaml``: Cargo, Octave) or that restricts
    the compiler of a build that is not interpreted, without a language dependency of
    its own or of a base class."""
    info = build_info(recipe)
    if recipe.package_class is None or info.opaque or info.no_code:
        return
    deps = directive_dependencies(recipe)
    if any(name in deps or name in info.inherited.dependencies for name in LANGUAGES):
        return
    evidence = compile_evidence(recipe, info.compiled) or info.native
    if not evidence and info.compiled is not False:  # an interpreted build has no compiler to restrict
        evidence = compiler_constraint(recipe)
    if evidence:
        yield finding(
            "PESO-D002",
            recipe,
            class_location(recipe),
            "%s compiles code (%s) but declares no language dependency: add %s"
            % (", ".join(info.build_systems or info.known) or "package", evidence, _languages_to_add(recipe)),
        )


#: what in a recipe's text names a language's compiler (the wrappers, the usual variables),
#: with substrings one of which every match holds once lowercased: most texts hold none,
#: and a plain search is many times cheaper than trying eight alternatives everywhere
_LANGUAGE_HINTS = (
    (
        "cxx",
        ("cxx", "cpp", "c++", ".cc", "hpp"),
        re.compile(r"spack_cxx|\bCXX(FLAGS)?\b|c\+\+|\.(cpp|cxx|cc|hpp)\b|\bcpp\b|-cpp-|compiler\.cxx", re.I),
    ),
    (
        "fortran",
        ("fc", "f77", "f90", "fortran", ".f"),
        re.compile(r"spack_f(c|77)|\bF(C|77|90)(FLAGS)?\b|fortran|\.f(90|77)?\b|compiler\.f(c|77)", re.I),
    ),
)


def _languages_to_add(recipe) -> str:
    """The directives to add: ``c`` always (every compiled build here runs a C compiler,
    configure's checks included), ``cxx``/``fortran`` where the recipe names them; the
    rest is for the maintainer to confirm from the sources."""
    text = "%s\n%s" % (recipe.package or "", recipe.source or "")  # antlr4-cpp-runtime says it in its name
    lowered = text.lower()
    wanted = ["c"] + [
        language
        for language, needed, hint in _LANGUAGE_HINTS
        if any(part in lowered for part in needed) and hint.search(text)
    ]
    directives = " and ".join('depends_on("%s", type="build")' % language for language in wanted)
    unnamed = [language for language in ("cxx", "fortran") if language not in wanted]
    if unnamed:
        directives += " (and %s if the sources have them)" % "/".join('"%s"' % u for u in unnamed)
    return directives


@rule("PESO-D003")
def bundled_third_party(recipe):
    """Arguments that switch a vendored copy on. Not reported: values that switch it off
    or set a number (``--with-included-zlib=no``, ``--enable-internal-stackdepth=N``), a
    choice made by a variant (the other branch offers the external copy), the
    package's own libraries (gettext's libintl) and copies ``bundled.yaml`` says are the
    product's own code (R's tzcode, ROOT's patched clang), and, inside a repository, a
    component whose recipe depends on this package (gettext bundles glib because glib
    needs gettext: the copy breaks a dependency cycle; the component's recipe text is
    read, nothing is imported)."""
    if recipe.tree is None:
        return
    upper = recipe.source.upper()
    if not any(word in upper for word in HINT_WORDS):
        return
    hint = BUNDLED_HINT.search
    context: dict = {}
    for node in recipe.strings:
        if not hint(node.value):
            continue
        for m in BUNDLED.finditer(node.value):
            value = m.group("dvalue") if m.group("define") else m.group("ovalue")
            component = (m.group("dname") or m.group("oname") or "").lower().strip("_-")
            if (value or "").lower() in ON_VALUES and not _chosen_or_own(recipe, node, component, context):
                yield finding(
                    "PESO-D003",
                    recipe,
                    node,
                    "argument %r forces a bundled copy of third-party code; offer the "
                    "external dependency instead" % m.group(0),
                )
    for name, call in recipe.calls:
        if name.endswith("define") and len(call.args) >= 2:
            key = literal_str(call.args[0])
            value = call.args[1]
            on = getattr(value, "value", None) in (True, "ON", "TRUE", "YES", "1", 1)
            if key and on and BUNDLED_DEFINE.search(key):
                component = BUNDLED_DEFINE.split(key)[-1].lower().strip("_")
                if not _chosen_or_own(recipe, call, component, context):
                    yield finding(
                        "PESO-D003", recipe, call, "define(%r, ON) forces a bundled copy of third-party code" % key
                    )


def _chosen_or_own(recipe, node, component: str, context: dict) -> bool:
    if not context:
        context["variant_lines"] = _variant_branch_lines(recipe)
        context["own"] = _own_libraries(recipe)
    if node.lineno in context["variant_lines"]:
        return True
    own = context["own"]
    if not component:
        return False
    if component == recipe.package or component in own or "lib" + component in own:
        return True
    if component in (data("bundled")["own_copies"].get(recipe.package) or {}):
        return True
    return _breaks_a_cycle(recipe, component)


def _breaks_a_cycle(recipe, component: str) -> bool:
    """Inside a repository: the recipe of ``component`` (or ``lib<component>``) depends
    on this package, so only the bundled copy can be built first."""
    packages = os.path.dirname(os.path.dirname(recipe.path or ""))
    if os.path.basename(packages) != "packages" or not recipe.package or not os.path.isdir(packages):
        return False  # a lone recipe: the repository is unknown, keep the finding
    candidates = [os.path.join(packages, n.replace("-", "_"), "package.py") for n in (component, "lib" + component)]
    found = [path for path in candidates if os.path.isfile(path)]
    depends_on_us = re.compile(r"""depends_on\(\s*["']%s(?![\w-])""" % re.escape(recipe.package))
    for path in found:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                if depends_on_us.search(f.read()):
                    return True
        except OSError:
            pass
    return False


def _variant_branch_lines(recipe):
    """Lines inside an ``if``/``else`` whose test asks the spec for a variant: there a
    variant chooses between the bundled and the external copy."""
    lines: Set[int] = set()
    for node in ast.walk(recipe.tree):
        if isinstance(node, (ast.If, ast.IfExp)) and _tests_variant(node.test):
            end = getattr(node, "end_lineno", None) or node.lineno
            lines.update(range(node.lineno, end + 1))
    return lines


def _tests_variant(test) -> bool:
    for node in ast.walk(test):
        text = literal_str(node)
        if text and re.match(r"^\s*[+~]\w", text):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "variants":
            return True
    return False


def _own_libraries(recipe):
    """Library names the recipe says it installs (string literals of its ``libs``)."""
    names = set()
    for method in recipe.all_methods():
        if method.name == "libs":
            for node in ast.walk(method.node):
                text = literal_str(node)
                if text:
                    names.add(text.lower())
    return names


@rule("PESO-D004")
def language_deps_unconfirmed(recipe):
    """Reads the text after each language dependency's closing parenthesis: a comment
    there is all that counts, and it needs no walk over the whole tree."""
    if "generated" not in (recipe.source or ""):
        return
    generated = []
    for name in LANGUAGES:
        for d in directive_dependencies(recipe).get(name, ()):
            end = d.node.end_lineno or d.line
            tail = recipe.line_text(end)[d.node.end_col_offset or 0 :] if end else ""
            if "#" in tail and "generated" in tail.split("#", 1)[1]:
                generated.append(d)
    if generated:
        first = min(generated, key=lambda d: d.line)
        yield finding(
            "PESO-D004",
            recipe,
            first.node,
            "%d language dependenc%s marked '# generated' (machine-added, not reviewed)"
            % (len(generated), "y is" if len(generated) == 1 else "ies are"),
        )


#: words in a resource's name or URL that say it is data, not code (E4S P7 is about
#: imported software: test matrices, corpora and likelihood tables are not)
DATA_HINTS = re.compile(
    r"data|corpora|corpus|tagger|dataset|sparse\.tamu\.edu|/MM/|gshhg|"
    r"\.(?:mtx|dat|nc|h5|hdf5|csv|fits)(?:\.|$)",
    re.IGNORECASE,
)


@rule("PESO-D005")
def resource_vendored(recipe):
    """Resources that bring code into the build. Data resources (test matrices, text
    corpora, likelihood tables, coastline databases) are not imported software."""
    for d in recipe.directives:
        if d.name != "resource":
            continue
        what = d.kw_str("name") or d.kw_str("url") or d.kw_str("git") or "?"
        where = " ".join(t for t in (d.kw_str("name"), d.kw_str("url"), d.kw_str("destination")) if t)
        if DATA_HINTS.search(where) and not any(k in d.kwargs for k in ("git", "hg", "svn")):
            continue
        yield finding(
            "PESO-D005",
            recipe,
            d.node,
            "resource(%s) downloads extra code into the build: make sure it can be "
            "replaced by a Spack dependency" % what,
        )


def _spec_text(directive) -> str:
    """A dependency's spec as written, placeholders of an f-string as ``{}``
    (``f"hsa-rocr-dev@{ver}"`` is constrained)."""
    node = directive.arg(0)
    if isinstance(node, ast.JoinedStr):
        return "".join(literal_str(v) or "{}" for v in node.values)
    return directive.first or ""


@rule("PESO-D006")
def unconstrained_dependency(recipe):
    """One finding per package (at its first unconstrained dependency) naming them all:
    per dependency it was 16,369 findings in 4,538 builtin recipes, a wall nobody reads."""
    deps = directive_dependencies(recipe)
    if not deps:
        return
    exempt = set(data("build_systems")["unconstrained_ok"])
    open_deps = []
    for name, directives in deps.items():
        if name in exempt:
            continue
        if any("@" in _spec_text(d) for d in directives):
            continue
        types = [d.kwargs.get("type") for d in directives]
        if types and all(literal_str(t) == "build" for t in types):
            continue
        open_deps.append((directives[0], name))
    if open_deps:
        open_deps.sort(key=lambda dn: dn[0].line)
        names = [name for _d, name in open_deps]
        shown = ", ".join(names[:8]) + (", ... (%d in all)" % len(names) if len(names) > 8 else "")
        yield finding(
            "PESO-D006",
            recipe,
            open_deps[0][0].node,
            "%d dependenc%s without a version constraint anywhere (%s): record the "
            "versions known to work where upstream states them (FP3 / xSDK R6)"
            % (len(names), "y" if len(names) == 1 else "ies", shown),
        )
