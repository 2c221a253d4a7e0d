"""A ``depends_on("foo@X")`` that no version declared in foo's recipe satisfies.

Spack's audit asks this only of loaded packages (``--deep``); statically it needs the
dependency's recipe, read from the same repository (the packages folder beside the
recipe; never imported). Only a recipe whose whole version list can be seen decides:
found and parsed, every ``version()`` a literal name in its own class (or a base class in
the same file), none computed or added by a helper, no base class from another package,
no ``url_for_version`` and no ``skip_version_audit``. Which recipes were read is recorded
(``recipe.memo["reads"]``: path -> stat signature), so the lint cache re-checks a recipe
when a dependency it read changes.

A name with no recipe in the packages folder may be a virtual: its versions are what its
providers provide (``provides("java@11", when="@11")``). The check notes such versioned
dependencies and every recipe's ``provides()`` as facts (:func:`virtual_facts`), and
:func:`judge_virtual_constraints` judges them across the folder on every run
(:mod:`peso.lint.across`). A recipe with ``virtual = True`` is not judged.

Most constraints are satisfied by a version found by a quick scan of the dependency's
text (``version("1.2.3"``), which avoids parsing it; only a constraint nothing in the
scan satisfies parses the dependency to be sure.
"""

import ast
import functools
import os
import re
from typing import List, Optional, Tuple

from ...recipe.discovery import known_stat
from ...recipe.layout import package_folder_names
from ...recipe.parse import load_recipe
from ...recipe.spec_variants import root_node
from ...recipe.syntax import literal_str
from ..registry import RULES, rule
from ._common import build_info, directive_dependencies, finding
from .conditions import NAMED_VARIANT_DIRECTIVES, NO_VARIANT_DIRECTIVES
from .version_ranges import any_satisfies, decidable, ranges_intersect

#: literal-first (no leading ``\b``): the engine then jumps from one "version(" to the
#: next; a stray match (``get_version("1.0"``) can only make a finding less likely
_VERSION_CALL = re.compile(r"""version\(\s*["']([^"'\n]+)["']""")


def dependency_recipe(recipe, name: str) -> str:
    """The path of ``name``'s recipe in the recipe's own packages folder ('' if none)."""
    packages = recipe.memo.get("packages_folder")
    if packages is None:  # asked once per dependency: the folder once per recipe
        packages = recipe.memo["packages_folder"] = os.path.dirname(os.path.dirname(recipe.path or ""))
    return _recipe_in(packages, name)


@functools.lru_cache(maxsize=65536)
def _recipe_in(packages: str, name: str) -> str:
    if not packages or os.path.basename(packages) != "packages":
        return ""
    for folder in package_folder_names(name):
        path = os.path.join(packages, folder, "package.py")
        if known_stat(path) is not None or os.path.isfile(path):
            return path
    return ""


@functools.lru_cache(maxsize=16384)
def _scan(path: str, signature: tuple) -> Tuple[Tuple[str, ...], bool]:
    """One read of the dependency's text: the literal version names a quick scan finds (a
    lower bound: one of them satisfying a constraint settles it, for those an answer can
    be given for), and whether the text shows the version list cannot be known (a
    computed URL per version, the audit skipped, a virtual), so no parse is needed to
    give up. A stray match (in a comment) only makes a finding less likely."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return (), True
    # plain substrings: a regex of alternatives tried at every position cost more than
    # the scan for versions itself
    unknowable = "url_for_version" in text or "skip_version_audit" in text or "virtual = True" in text
    return decidable(_VERSION_CALL.findall(text)), unknowable


@functools.lru_cache(maxsize=4096)
def _declared_versions(path: str, signature: tuple) -> Optional[Tuple[str, ...]]:
    """Every version the recipe at ``path`` declares, or None when its list cannot be
    known statically (see the module docstring)."""
    dep = load_recipe(path)
    if dep.tree is None or dep.package_class is None:
        return None
    info = build_info(dep)
    if info.opaque or info.inherited.incomplete:
        return None
    if "skip_version_audit" in info.own_attributes:
        return None
    virtual = dep.attributes.get("virtual")
    if virtual is not None and getattr(virtual.value, "value", None) is True:
        return None  # a virtual's versions are what its providers provide (mpi@3:)
    if any(m.name == "url_for_version" for m in dep.all_methods()):
        return None
    names: List[str] = []
    allowed = NO_VARIANT_DIRECTIVES | {"variant"} | set(NAMED_VARIANT_DIRECTIVES)
    for cls in [dep.package_class] + info.local_bases:
        for d in cls.directives:
            if d.name == "version":
                if d.has_star or d.first is None:
                    return None
                names.append(d.first)
            elif d.name not in allowed:
                return None  # a helper may declare versions
    return tuple(names) if names else None


@functools.lru_cache(maxsize=65536)
def _unsatisfied(path: str, signature: tuple, constraint: str) -> Optional[Tuple[str, ...]]:
    """The versions the recipe at ``path`` declares when none satisfies ``constraint``;
    None when one does or that cannot be known (one answer per dependency and
    constraint: many recipes ask the same, ``python@3.8:``)."""
    scanned, unknowable = _scan(path, signature)
    if unknowable or any_satisfies(scanned, constraint):
        return None
    declared = _declared_versions(path, signature)
    if declared is None or any_satisfies(declared, constraint) is not False:
        return None
    return declared


def read_dependency(recipe, name: str) -> Optional[Tuple[str, tuple]]:
    """``(path, stat signature)`` of dependency ``name``'s recipe in the recipe's own
    repository, recorded in ``recipe.memo["reads"]`` for the lint cache; None for a
    virtual (no recipe of that name), the package itself, or a recipe elsewhere."""
    path = dependency_recipe(recipe, name)
    if not path or name == recipe.package:
        return None
    signature = _signature(path)
    if signature is None:
        return None
    recipe.memo.setdefault("reads", {})[path] = signature
    return path, signature


def _signature(path: str) -> Optional[tuple]:
    st = known_stat(path)  # the run's discovery stat, when it found that recipe
    if st is None:
        try:
            st = os.stat(path)
        except OSError:
            return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def virtual_facts(recipe) -> dict:
    """What this recipe holds for judging virtuals across the repository (cached with its
    results): ``provides``, the virtuals it provides as ``(name, range)`` (range ``""``:
    any version; None: not known; name ``"*"``: a ``provides()`` whose virtual is not
    literal), and ``needs``, its versioned dependencies on names with no recipe in its
    packages folder (``(name, constraint, line, column, spec)``, noted by the check)."""
    facts = {}
    if "provides(" in (recipe.source or ""):
        provided = tuple(_provided(recipe))
        if provided:
            facts["provides"] = provided
    needs = recipe.memo.get("virtual_constraints")
    if needs:
        facts["needs"] = tuple(needs)
    return facts


def _provided(recipe):
    for cls in recipe.classes:
        for d in cls.directives:
            if d.name != "provides":
                continue
            if d.has_star:
                yield ("*", None)
                continue
            for arg in d.args:
                text = literal_str(arg)
                if text is not None:
                    node = root_node(text)
                    if node is None or node.name is None:
                        yield ("*", None)
                    elif not node.versions:
                        yield (node.name, "")
                    else:
                        yield (node.name, node.versions[0] if len(node.versions) == 1 else None)
                else:
                    # provides(f"go-or-gccgo-bootstrap@{release}"), provides("pil@" + ver):
                    # the virtual is known, its version not
                    name, at, _version = _literal_prefix(arg).partition("@")
                    known = at and name.strip() and not any(c in name for c in "%{}")
                    yield (name.strip(), None) if known else ("*", None)


def _literal_prefix(node) -> str:
    """The literal text a computed string starts with (an f-string's first part, the
    left end of a ``+`` chain); '' when it starts with something computed."""
    if isinstance(node, ast.JoinedStr):
        return (literal_str(node.values[0]) or "") if node.values else ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = literal_str(node.left)
        return left if left is not None else _literal_prefix(node.left)
    return ""


def judge_virtual_constraints(run) -> dict:
    """``{path: [raw finding]}``: versioned dependencies on a virtual that no provider in
    the same packages folder provides a version of. Not judged: a name that has a recipe
    (now), a virtual without providers there, or one with a provider whose provided
    versions are unknown or unbounded (unversioned, computed, unreadable, or any
    ``provides()`` of a computed virtual in the folder)."""
    severity = RULES["PESO-D007"].severity
    out: dict = {}
    for path, facts in run.of_run("PESO-D007"):
        if not facts or not facts.get("needs"):
            continue
        folder = os.path.dirname(os.path.dirname(path))
        for name, constraint, line, column, text in facts["needs"]:
            if run.has_recipe(folder, name):
                continue  # a package of this repository since the recipe was linted
            index = run.memo.get(("PESO-D007", folder))
            if index is None:
                index = run.memo["PESO-D007", folder] = _provider_index(
                    run.in_folder("PESO-D007", folder, _could_provide)
                )
            provided = index.get(name) if "*" not in index else None
            if not provided or any(ranges_intersect(constraint, r) is not False for _, r in provided):
                continue
            message = "depends_on(%r): no provider of %s in this repository provides a version in @%s (%s)" % (
                text,
                name,
                constraint,
                _shown_providers(provided, name),
            )
            out.setdefault(path, []).append(("PESO-D007", severity, message, line, column))
    return out


def _could_provide(data: bytes) -> bool:
    return b"provides(" in data


def _provider_index(providers: dict) -> dict:
    """Virtual -> ``[(provider package, provided range)]``, or None for a virtual some
    provider provides in any or unknown versions; the key ``"*"`` when a recipe's facts
    are unknown or it provides a virtual it computes (then nothing is judged)."""
    index: dict = {}
    for path, facts in sorted(providers.items()):
        if facts is None:
            return {"*": None}
        package = os.path.basename(os.path.dirname(path)).replace("_", "-")
        for virtual, provided in facts.get("provides", ()):
            if virtual == "*":
                return {"*": None}
            ranges = index.setdefault(virtual, [])
            if not provided or ranges is None:
                index[virtual] = None
            else:
                ranges.append((package, provided))
    return index


def _shown_providers(provided: List[Tuple[str, str]], name: str) -> str:
    by_package: dict = {}
    for package, provided_range in provided:
        by_package.setdefault(package, []).append("%s@%s" % (name, provided_range))
    shown = ["%s provides %s" % (package, ", ".join(ranges)) for package, ranges in sorted(by_package.items())]
    if len(shown) > 4:
        shown = shown[:4] + ["%d more providers" % (len(shown) - 4)]
    return "; ".join(shown)


@rule("PESO-D007", facts=virtual_facts, across=judge_virtual_constraints)
def unsatisfiable_dependency_version(recipe):
    if "@" not in (recipe.source or "") or recipe.package_class is None:
        return
    for name, directives in directive_dependencies(recipe).items():
        for d in directives:
            node = root_node(d.first) if d.first and "@" in d.first else None
            if node is None or len(node.versions) != 1 or node.versions[0] is None or node.name != name:
                continue
            constraint = node.versions[0]
            found = read_dependency(recipe, name)
            if found is None:
                if _maybe_virtual(recipe, name):  # judged across the repository, from its providers
                    where = (d.args[0].lineno, d.args[0].col_offset + 1)
                    needs = recipe.memo.setdefault("virtual_constraints", [])
                    needs.append((name, constraint, where[0], where[1], d.first))
                    continue
                break  # a package of another repository: not judged
            path, signature = found
            declared = _unsatisfied(path, signature, constraint)
            if declared is None:
                continue
            yield finding(
                "PESO-D007",
                recipe,
                d.args[0],
                "depends_on(%r): no version of %s satisfies @%s (its recipe declares %s)"
                % (d.first, name, constraint, _shown(declared)),
            )


def _maybe_virtual(recipe, name: str) -> bool:
    """``name`` has no recipe in this recipe's packages folder (a virtual, or a package of
    another repository: the providers decide which)."""
    packages = os.path.dirname(os.path.dirname(recipe.path or ""))
    return name != recipe.package and os.path.basename(packages) == "packages" and not dependency_recipe(recipe, name)


def _shown(declared: Tuple[str, ...]) -> str:
    if len(declared) <= 6:
        return ", ".join(declared)
    return "%s ... %s (%d versions)" % (", ".join(declared[:3]), ", ".join(declared[-2:]), len(declared))
