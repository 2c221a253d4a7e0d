"""Metadata and ownership: maintainers, homepage, description (E4S P1/P4, xSDK M5)."""

import ast
import re
from typing import List

from ...recipe.syntax import literal_str
from ..autofix import Edit, node_edit, segment
from ..registry import rule
from ._common import build_info, class_location, finding

PLACEHOLDER_MAINTAINERS = re.compile(r"^github_user\d*$")
MIN_DESCRIPTION = 10


@rule("PESO-M001")
def maintainers_missing(recipe):
    if recipe.package_class is None:
        return
    info = build_info(recipe)
    if "maintainers" in info.directive_names or "maintainers" in info.own_attributes:
        return  # the main class, a base class in the file or a build-system base names them
    if info.opaque:
        return  # may inherit maintainers from another package's class
    yield finding(
        "PESO-M001",
        recipe,
        class_location(recipe),
        "no maintainers(...) directive: nobody is named to resolve build and test issues",
    )


def fix_maintainers_list(tree: ast.AST, lines: List[str]) -> List[Edit]:
    """``maintainers = ["a", "b"]`` -> ``maintainers("a", "b")``."""
    edits = []
    for cls in getattr(tree, "body", []):
        if not isinstance(cls, ast.ClassDef):
            continue
        for stmt in cls.body:
            if not (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "maintainers"
                and isinstance(stmt.value, (ast.List, ast.Tuple))
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in stmt.value.elts)
            ):
                continue
            names = ", ".join(segment(lines, e) for e in stmt.value.elts)
            edits.append(node_edit(lines, stmt, "maintainers(%s)" % names))
    return edits


@rule("PESO-M002", fix=fix_maintainers_list)
def maintainers_misuse(recipe):
    attr = recipe.attributes.get("maintainers")
    if attr is not None:
        yield finding(
            "PESO-M002",
            recipe,
            (attr.line, attr.col),
            "maintainers assigned as a list overrides inherited maintainers; use the maintainers(...) directive",
        )
    for d in recipe.directives_named("maintainers"):
        if not d.args and not d.has_star:
            yield finding("PESO-M002", recipe, d.node, "maintainers() names nobody")
        for arg in d.args:
            handle = literal_str(arg)
            if handle is not None and (PLACEHOLDER_MAINTAINERS.match(handle) or not handle.strip()):
                yield finding("PESO-M002", recipe, arg, "placeholder maintainer %r" % handle)


@rule("PESO-M003")
def homepage(recipe):
    cls = recipe.package_class
    if cls is None:
        return
    attr = recipe.attributes.get("homepage")
    if attr is None:
        info = build_info(recipe)
        if info.provides("homepage") or info.opaque:
            return  # derived by a base class (pypi, cran, bioc, racket_name, ...)
        if any(m == "homepage" for m in cls.methods):
            return
        yield finding("PESO-M003", recipe, class_location(recipe), "no homepage attribute")
        return
    url = attr.literal
    if url is not None and url.lower().startswith("http://"):
        yield finding("PESO-M003", recipe, attr.value, "homepage uses http://; use https:// if the site serves it")


@rule("PESO-M004")
def description_missing(recipe):
    cls = recipe.package_class
    if cls is None:
        return
    doc = cls.docstring
    if doc is None:
        yield finding(
            "PESO-M004", recipe, (cls.line, cls.col), "class %s has no docstring describing the package" % cls.name
        )
    elif "FIXME" in doc or "remove this boilerplate" in doc.lower():
        yield finding("PESO-M004", recipe, cls.node.body[0], "class docstring is the 'spack create' placeholder")
    elif len(doc.strip()) < MIN_DESCRIPTION:
        yield finding(
            "PESO-M004",
            recipe,
            cls.node.body[0],
            "class docstring %r is too short to describe the package" % doc.strip(),
        )
