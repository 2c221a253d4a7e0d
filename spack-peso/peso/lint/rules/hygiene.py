"""Recipe hygiene: ``spack create`` leftovers, non-API imports,
Spack idioms reviewers ask for (E4S P1 "production quality", Spack review guide)."""

import ast
import re
from typing import List

from ...recipe.spec_tests import spec_membership
from ...recipe.walk import WATCHED_NAMES
from ..autofix import Edit, node_edit, segment
from ..registry import rule
from ._common import build_info, finding

#: text ``spack create`` leaves in a new recipe: the FIXME phrases of its templates
#: (``lib/spack/spack/cmd/create.py``), case as written, so a maintainer's own
#: ``# FIXME: add --with-colpack`` note is not mistaken for them
BOILERPLATE = re.compile(
    r"(?i:remove this boilerplate)|"
    r"FIXME: (?:Put a proper|Add (?:a build|a list|a proper|additional dependencies|arguments|"
    r"configuration settings|dependencies if|logic to|proper versions|the )|Edit the|If not needed|"
    r"Modify the|Only add the|Override|Unknown build system|ensure the package|set the proper|"
    r"set to true|specify |Uncomment)|"
    r"(?i:(?:www\.)?example\.com)|github_user[12]\b",
)
#: a string literal closing before ``in``/``not in`` and a name ending in ``spec``: every
#: text the R003 detector recognises contains this
SPEC_MEMBERSHIP_HINT = re.compile(r"[\"']\s+(?:not\s+)?in\s+[\w.]*spec\b")
_IN_SPEC = re.compile(r"in\s+[\w.]*spec\b")


def has_spec_membership_hint(source: str) -> bool:
    """``SPEC_MEMBERSHIP_HINT.search(source)``, found from the literal side: the regex
    engine jumps between the few ``in ...spec`` and the quote (and ``not``) before them
    is checked backwards, instead of a quote tried at every position (14 us -> 2 us a
    recipe; a test compares the two)."""
    for m in _IN_SPEC.finditer(source):
        start = end = m.start()
        while start and source[start - 1].isspace():  # what \s matches in a str pattern
            start -= 1
        if start == end or not start:
            continue
        if source[start - 1] in "\"'":
            return True
        if start >= 3 and source[start - 3 : start] == "not":
            before = not_start = start - 3
            while before and source[before - 1].isspace():
                before -= 1
            if before < not_start and before and source[before - 1] in "\"'":
                return True
    return False


#: modules a recipe may import from Spack (the package API); anything else is internal
ALLOWED_SPACK_MODULES = ("spack.package",)
RESERVED_ATTRIBUTES = ("name",)
#: conventional order of top-level directive groups (Spack package review guide)
DIRECTIVE_RANK = {
    "maintainers": 1,
    "license": 2,
    "version": 3,
    "variant": 4,
    "depends_on": 5,
    "conflicts": 6,
    "requires": 6,
}


@rule("PESO-R001")
def boilerplate_left(recipe):
    if recipe.tree is None:
        return
    low = recipe.source.lower()
    if not any(word in low for word in ("fixme", "example.com", "boilerplate", "github_user")):
        return
    cls = recipe.package_class
    doc_lines = set()
    if cls is not None and cls.docstring is not None:
        doc = cls.node.body[0]
        doc_lines = set(range(doc.lineno, (doc.end_lineno or doc.lineno) + 1))
    for number, text in enumerate(recipe.lines, 1):
        if number in doc_lines:
            continue  # reported by PESO-M004
        m = BOILERPLATE.search(text)
        if m:
            yield finding(
                "PESO-R001",
                recipe,
                (number, m.start() + 1),
                "'spack create' boilerplate left in the recipe: %r" % m.group(0),
            )


@rule("PESO-R002")
def directive_order(recipe):
    highest, highest_name = 0, ""
    for d in recipe.directives:
        rank = DIRECTIVE_RANK.get(d.name)
        if rank is None or d.when:
            continue
        if rank < highest:
            yield finding(
                "PESO-R002",
                recipe,
                d.node,
                "%s() after %s(): order is maintainers, license, version, variant, "
                "depends_on, conflicts/requires" % (d.name, highest_name),
            )
            return  # one finding per recipe: the first place the order breaks
        if rank > highest:
            highest, highest_name = rank, d.name


def fix_spec_membership(tree: ast.AST, lines: List[str]) -> List[Edit]:
    """Rewrite what :func:`peso.recipe.spec_tests.spec_membership` recognises (the detector of
    PESO-R003), so the fixer and the rule never disagree."""
    edits = []
    for node in ast.walk(tree):
        membership = spec_membership(node)
        if membership is None:
            continue
        _text, spec, negated = membership
        assert isinstance(node, ast.Compare)  # what spec_membership recognises
        new = "%s.satisfies(%s)" % (segment(lines, spec), segment(lines, node.left))
        if negated:
            new = "not " + new
        edits.append(node_edit(lines, node, new))
    return edits


@rule("PESO-R003", fix=fix_spec_membership)
def spec_membership_idiom(recipe):
    if not has_spec_membership_hint(recipe.source or ""):
        return  # no quoted text followed by "in ...spec": nothing to walk for
    for text, node in recipe.spec_membership:
        # the spec asked, as written: two tests on one line (`"+cuda" in spec and "+cuda"
        # in spec["sundials"]`) are two findings that read differently
        spec = ast.unparse(node.comparators[0])
        yield finding("PESO-R003", recipe, node, "use %s.satisfies(%r) instead of %r in %s" % (spec, text, text, spec))


@rule("PESO-R004")
def non_package_api(recipe):
    for module, node in recipe.import_nodes:
        top = module.split(".")[0]
        if top == "llnl" or (top == "spack" and not module.startswith(ALLOWED_SPACK_MODULES)):
            yield finding(
                "PESO-R004",
                recipe,
                node,
                "import of Spack internals %r: recipes should use only spack.package" % module,
            )


@rule("PESO-R005")
def build_system_missing(recipe):
    if recipe.tree is None:
        return
    cls = recipe.package_class
    if cls is None:
        yield finding("PESO-R005", recipe, (1, 1), "no package class found in the recipe")
        return
    info = build_info(recipe)
    if not info.build_systems and not info.opaque:
        bases = ", ".join(cls.bases) or "no base class"
        yield finding(
            "PESO-R005", recipe, (cls.line, cls.col), "class %s has no build system base class (%s)" % (cls.name, bases)
        )
        return
    if info.build_systems == ["Package"] and not info.opaque and not info.no_code:
        has_install = any("install" in c.methods for c in recipe.classes)
        # a placeholder for a system library overrides ``fetcher`` to raise a message on
        # purpose (openglu): it is never installed, so it needs no install()
        placeholder = "fetcher" in cls.methods
        if not has_install and not placeholder and not recipe.directives_named("build_system"):
            yield finding(
                "PESO-R005",
                recipe,
                (cls.line, cls.col),
                "generic Package %s defines no install() method: 'spack install' fails" % cls.name,
            )


@rule("PESO-R006")
def deprecated_globals(recipe):
    """Uses of the deprecated module globals; a function that assigns the name has a
    local variable of that name (rocm-openmp-extras: ``std_cmake_args = CMakeBuilder.std_args(...)``)."""
    if not any(name in (recipe.source or "") for name in WATCHED_NAMES):
        return
    methods = recipe.all_methods()
    for name, nodes in sorted(recipe.name_uses.items()):
        replacement = "self." + name
        local = [m for m in methods if any(isinstance(n.ctx, ast.Store) and m.contains(n) for n in nodes)]
        for node in nodes:
            if any(m.contains(node) for m in local):
                continue
            yield finding("PESO-R006", recipe, node, "deprecated global %s: use %s" % (name, replacement))


@rule("PESO-R007")
def reserved_attribute(recipe):
    for name in RESERVED_ATTRIBUTES:
        attr = recipe.attributes.get(name)
        if attr is not None:
            yield finding(
                "PESO-R007",
                recipe,
                (attr.line, attr.col),
                "class attribute %r is reserved by Spack and must not be overridden" % name,
            )
