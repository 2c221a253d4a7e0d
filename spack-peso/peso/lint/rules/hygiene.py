"""Recipe hygiene: parse errors, ``spack create`` leftovers, non-API imports,
Spack idioms reviewers ask for (E4S P1 "production quality", Spack review guide)."""

import re

from ..registry import rule
from ._common import build_info, finding

#: text ``spack create`` leaves in a new recipe (Spack's audit uses the same markers)
BOILERPLATE = re.compile(
    r"remove this boilerplate|FIXME: (?:Put|Add|Override|Modify|Set|Uncomment)|"
    r"(?:www\.)?example\.com|github_user[12]\b",
    re.IGNORECASE,
)
#: modules a recipe may import from Spack (the package API); anything else is internal
ALLOWED_SPACK_MODULES = ("spack.package",)
RESERVED_ATTRIBUTES = ("name",)
#: conventional order of top-level directive groups (Spack package review guide)
DIRECTIVE_RANK = {"maintainers": 1, "license": 2, "version": 3, "variant": 4,
                  "depends_on": 5, "conflicts": 6, "requires": 6}


@rule("PESO-E001")
def syntax_error(recipe):
    if recipe.error is not None:
        message, line, col = recipe.error
        yield finding("PESO-E001", recipe, (line, col), message)


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
            yield finding("PESO-R001", recipe, (number, m.start() + 1),
                          "'spack create' boilerplate left in the recipe: %r" % m.group(0))


@rule("PESO-R002")
def directive_order(recipe):
    highest, highest_name = 0, ""
    for d in recipe.directives:
        rank = DIRECTIVE_RANK.get(d.name)
        if rank is None or d.when:
            continue
        if rank < highest:
            yield finding("PESO-R002", recipe, d.node,
                          "%s() after %s(): order is maintainers, license, version, variant, "
                          "depends_on, conflicts/requires" % (d.name, highest_name))
            return  # one finding per recipe: the first place the order breaks
        if rank > highest:
            highest, highest_name = rank, d.name


@rule("PESO-R003")
def spec_membership_idiom(recipe):
    for text, node in recipe.spec_membership:
        yield finding("PESO-R003", recipe, node,
                      "use spec.satisfies(%r) instead of %r in spec" % (text, text))


@rule("PESO-R004")
def non_package_api(recipe):
    for module, node in recipe.import_nodes:
        top = module.split(".")[0]
        if top == "llnl" or (top == "spack" and not module.startswith(ALLOWED_SPACK_MODULES)):
            yield finding("PESO-R004", recipe, node,
                          "import of Spack internals %r: recipes should use only spack.package" % module)


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
        yield finding("PESO-R005", recipe, (cls.line, cls.col),
                      "class %s has no build system base class (%s)" % (cls.name, bases))
        return
    if info.build_systems == ["Package"] and not info.opaque and not info.no_code:
        has_install = any("install" in c.methods for c in recipe.classes)
        if not has_install and not recipe.directives_named("build_system"):
            yield finding("PESO-R005", recipe, (cls.line, cls.col),
                          "generic Package %s defines no install() method" % cls.name,
                          severity="warning")


@rule("PESO-R006")
def deprecated_globals(recipe):
    for name, nodes in sorted(recipe.name_uses.items()):
        replacement = {"std_cmake_args": "self.std_cmake_args",
                       "std_meson_args": "self.std_meson_args",
                       "std_pip_args": "self.std_pip_args"}.get(name, "the builder attribute")
        for node in nodes:
            yield finding("PESO-R006", recipe, node,
                          "deprecated global %s: use %s" % (name, replacement))


@rule("PESO-R007")
def reserved_attribute(recipe):
    for name in RESERVED_ATTRIBUTES:
        attr = recipe.attributes.get(name)
        if attr is not None:
            yield finding("PESO-R007", recipe, (attr.line, attr.col),
                          "class attribute %r is reserved by Spack and must not be overridden" % name)
