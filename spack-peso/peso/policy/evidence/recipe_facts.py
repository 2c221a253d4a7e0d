"""Facts read from the recipe beyond lint findings: positive evidence a policy can pass on.

Why: a lint rule reports what is wrong; its silence shows nothing. Where the recipe
itself shows a requirement met, that is a fact observed here, and the ladders decide on
it (``recipe.*`` in ``policy/data/ladders.yaml``):

* ``recipe.changes_source`` (E4S P3 / xSDK M15): a recipe that applies no ``patch()``
  (directive or method), edits no file with ``filter_file`` and fetches no extra
  ``resource()`` builds the upstream release as it is, so E4S carries no change of its
  own. When it does, whether the changes were upstreamed needs a human.
* ``recipe.standalone_test`` (E4S P2 / xSDK R1): a ``test_*`` method that can run. One
  that passes a placeholder never formatted (visit's ``"{script_file_path}"``, not an
  f-string) or names a data file the recipe's ``test/`` folder lacks cannot: ``broken``.
* ``recipe.development_version`` (E4S P6 / xSDK M10): a branch version fetched from a
  git/hg/svn URL the recipe names is a public repository with the development version.
* ``recipe.license`` (xSDK M7) and ``recipe.debug_option`` (xSDK M16).

Facts of lint rules' own helpers are reused (read, not copied), so a fact and the rule
serving the same policy cannot disagree on what the recipe says.
"""

import ast
import os
import re
from typing import Dict, List, Optional

from ...recipe.parse import load_recipe
from . import Observation, display_path


def changes(recipe) -> List[tuple]:
    """``(what, line)`` for every way the recipe changes the upstream source.

    Calls are looked for in the whole file, not only the package class's directives: a
    base class in the same file (``LibflameBase``) or a module helper (tcsh's
    ``fedora_patch``) applies patches too.
    """
    kinds = {"patch": "patch()", "resource": "resource()", "filter_file": "filter_file()"}
    found = [(kinds[name.split(".")[-1]], node.lineno) for name, node in recipe.calls if name.split(".")[-1] in kinds]
    # a patch(self) method edits the staged source before the build, like a patch file
    found += [("def patch()", m.line) for m in recipe.all_methods() if m.name == "patch"]
    for d in recipe.directives_named("version"):
        branch = d.kw_str("branch") or ""
        if "e4s" in branch.lower():
            found.append(("version on branch %r" % branch, d.line))
    return sorted(found, key=lambda item: item[1])


def inherits_a_package(recipe) -> bool:
    """True when the class derives from another package's class (its patches are not in this file)."""
    for base in recipe.package_class.bases:
        imported = recipe.imports.get(base.split(".")[0], "")
        if ".packages." in imported or ".packages." in base:
            return True
    return False


#: ``{name}`` in a plain string: a placeholder of str.format or an f-string
_PLACEHOLDER = re.compile(r"(?<![$\\{]){([A-Za-z_]\w*)}(?!})")


def _bound_names(method) -> set:
    """Names a method binds (parameters, assignments, loop and with targets)."""
    names = {a.arg for a in method.node.args.args}
    for node in ast.walk(method.node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _formatted(method) -> set:
    """ids of string constants that are formatted: f-string parts, ``"...".format(...)``
    receivers and arguments of a ``.format(...)`` call (Spack's ``spec.format("{name}")``)."""
    ids: set = set()
    for node in ast.walk(method.node):
        if isinstance(node, ast.JoinedStr):
            ids.update(id(v) for v in node.values)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("format", "format_map"):
                ids.add(id(node.func.value))
                ids.update(id(a) for a in node.args)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            ids.add(id(node.left))
    return ids


def test_problems(recipe, method) -> List[str]:
    """What keeps one test method from working as written (empty when nothing obvious)."""
    problems = []
    bound = _bound_names(method)
    formatted = _formatted(method)
    body = method.node.body
    docstring = body[0].value if body and isinstance(body[0], ast.Expr) else None
    for node in ast.walk(method.node):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node is docstring:
            continue
        if id(node) in formatted:
            continue
        names = [n for n in _PLACEHOLDER.findall(node.value) if n in bound]
        if names:
            problems.append(
                "line %d passes the literal %r: {%s} is never formatted (not an f-string)"
                % (node.lineno, node.value, names[0])
            )
    folder = os.path.join(os.path.dirname(recipe.path), "test")
    for node in ast.walk(method.node):
        if not isinstance(node, ast.Call):
            continue
        parts = list(node.args)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "join":
            parts = [node.func.value] + parts
        if not any(isinstance(a, ast.Attribute) and a.attr == "current_test_data_dir" for a in parts):
            continue
        for a in parts:
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value:
                if not os.path.exists(os.path.join(folder, a.value)):
                    problems.append(
                        "line %d names test data %r, which the recipe's test/ folder does not have"
                        % (node.lineno, a.value)
                    )
    return problems


def standalone_test(recipe):
    """``(value, line, detail)`` of recipe.standalone_test, or None when the recipe has no
    test_* method of its own (lint's PESO-T001 decides that case)."""
    from ...lint.rules._common import real_tests

    tests = real_tests(recipe)
    if not tests:
        return None
    broken = {m.name: test_problems(recipe, m) for m in tests}
    working = [m for m in tests if not broken[m.name]]
    if working:
        return "runnable", working[0].line, "test_* method(s) that can run: %s" % ", ".join(m.name for m in working)
    first = tests[0]
    return (
        "broken",
        first.line,
        "every test method has a part that cannot work: "
        + "; ".join("%s(): %s" % (name, problems[0]) for name, problems in broken.items()),
    )


def parent_recipes(recipe, path: str, depth: int = 4):
    """The recipes of the package classes this one derives from, found beside it in the
    same repository's ``packages/`` folder (``from spack_repo.<ns>.packages.<name>.package
    import Parent``); a parent in another repository is not followed."""
    packages_dir = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    found = []
    for base in recipe.package_class.bases:
        imported = recipe.imports.get(base.split(".")[0], "") or base
        parts = imported.split(".")
        if "packages" not in parts or parts.index("packages") + 1 >= len(parts):
            continue
        parent_path = os.path.join(packages_dir, parts[parts.index("packages") + 1], "package.py")
        if os.path.realpath(parent_path) == os.path.realpath(path) or not os.path.isfile(parent_path):
            continue
        parent = load_recipe(parent_path)
        if parent.error or parent.package_class is None:
            continue
        found.append(parent)
        if depth > 1 and inherits_a_package(parent):
            found += parent_recipes(parent, parent_path, depth - 1)
    return found


def inherited_standalone_test(recipe, path: str):
    """recipe.standalone_test of a recipe deriving from another package: its own test
    methods first, else those of the parents found beside it (the method Spack runs is
    the parent's); None when a parent cannot be read (unknown, not a guess)."""
    own = standalone_test(recipe)
    if own is not None and own[0] == "runnable":
        return own
    for parent in parent_recipes(recipe, path):
        found = standalone_test(parent)
        if found is not None:
            value, _, detail = found
            return value, 0, "inherited from %s: %s" % (parent.package_class.name, detail)
    return own


def development_version(recipe):
    """``(value, line, detail)`` of recipe.development_version."""
    from ...lint.rules._common import version_directives
    from ...lint.rules.source import _declares_vcs, _is_branch_version

    branches = [d for d in version_directives(recipe) if _is_branch_version(d)]
    if _declares_vcs(recipe) and branches:
        d = branches[0]
        return "public", d.line, "version(%r) follows a branch of the repository the recipe fetches from" % d.arg_str(0)
    return "release-only", 0, "no branch version fetched from a git/hg/svn repository in the recipe"


def license_fact(recipe):
    """``(value, line, detail)`` of recipe.license, or None for an opaque recipe."""
    from ...lint.rules._common import build_info
    from ...lint.rules.license import _family, _is_unknown, check_expression

    directives = [d for d in recipe.directives if d.name == "license"]
    if not directives:
        if "license" in build_info(recipe).directive_names:
            return None  # declared by a base class we read only in part
        return "undeclared", 0, "no license() directive in the recipe"
    families = []
    for d in directives:
        expression = d.arg_str(0)
        if expression is None or _is_unknown(expression) or check_expression(expression)[0]:
            return "not-spdx", d.line, "license(%r) is not an SPDX expression a machine can read" % expression
        families.append((_family(expression), expression, d.line))
    worst = max(families, key=lambda f: ["permissive", "weak_copyleft", "strong_copyleft", "restricted"].index(f[0]))
    if worst[0] in ("permissive", "weak_copyleft"):
        return "open-source", worst[2], "license(%r): %s open-source licence" % (worst[1], worst[0].replace("_", " "))
    if worst[0] == "strong_copyleft":
        return "strong-copyleft", worst[2], "license(%r): strong copyleft" % worst[1]
    return None  # restricted: PESO-L005 decides it


def debug_option(recipe):
    """``(value, line, detail)`` of recipe.debug_option."""
    from ...lint.rules._common import build_info

    for d in recipe.directives_named("variant"):
        name = d.arg_str(0)
        if name == "debug":
            return "offered", d.line, "variant('debug')"
        if name in ("build_type", "buildtype"):
            values = _values(d.kwargs.get("values"))
            if not values:
                return None  # values computed: unknown rather than a guess
            if any(v.lower().startswith("debug") for v in values):
                return "offered", d.line, "variant(%r) offers Debug" % name
            return "none", d.line, "variant(%r) offers no Debug value" % name
    if build_info(recipe).build_type:
        return "offered", 0, "the build system's build_type variant offers Debug"
    return "none", 0, "no debug variant and no build_type in the recipe or its build system"


def _values(node) -> List[str]:
    elts = getattr(node, "elts", None) or ()
    return [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def _fact(package: str, fact: str, found: Optional[tuple], where: str) -> List[Observation]:
    if found is None:
        return []
    value, line, detail = found
    return [Observation(package, fact, value, "%s:%d" % (where, line) if line else where, "", detail)]


def read(packages: Dict[str, str]) -> List[Observation]:
    observations = []
    for package, path in sorted(packages.items()):
        if not path:
            continue
        recipe = load_recipe(path)
        if recipe.error or recipe.package_class is None:
            continue  # unknown: nothing observed rather than a guess
        where = display_path(path)
        if inherits_a_package(recipe):
            # only the test methods can be followed into the parent recipe; the other
            # facts (patches, license, versions) depend on what the parent declares too
            observations += _fact(package, "recipe.standalone_test", inherited_standalone_test(recipe, path), where)
            continue
        observations += _fact(package, "recipe.standalone_test", standalone_test(recipe), where)
        observations += _fact(package, "recipe.development_version", development_version(recipe), where)
        observations += _fact(package, "recipe.license", license_fact(recipe), where)
        observations += _fact(package, "recipe.debug_option", debug_option(recipe), where)
        found = changes(recipe)
        if found:
            kinds = sorted({what.split(" ")[0] for what, _ in found})
            observations.append(
                Observation(
                    package,
                    "recipe.changes_source",
                    "yes",
                    "%s:%d" % (where, found[0][1]),
                    "",
                    "the recipe changes the upstream source: %d x %s" % (len(found), ", ".join(kinds)),
                )
            )
        else:
            observations.append(
                Observation(
                    package,
                    "recipe.changes_source",
                    "no",
                    where,
                    "",
                    "no patch() directive or method, filter_file() or resource() in the recipe: Spack builds the upstream release unchanged",
                )
            )
    return observations
