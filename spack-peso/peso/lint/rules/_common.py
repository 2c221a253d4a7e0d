"""Knowledge shared by several rule modules: the build-system table, version ordering,
literal helpers. Tables are YAML data next to this file (and licences in ``policy/data/policies/``);
derived per-recipe facts are memoised in ``recipe.memo`` so each is computed once."""

import ast
import functools
import os
import re
from typing import Dict, List, Optional, Tuple

from ...recipe.model import Directive, Method, PackageClass, Recipe
from ...recipe.syntax import literal_str, spec_name_of
from .. import bases
from ..registry import RULES

HERE = os.path.dirname(os.path.abspath(__file__))

#: version names Spack treats as branches, sorted above every release and among
#: themselves in this order (``spack.version.common.infinity_versions``)
BRANCH_NAMES = ("stable", "nightly", "trunk", "head", "master", "main", "develop")


@functools.lru_cache(maxsize=None)
def data(name: str) -> dict:
    """A YAML data table next to this file (build_systems, variant_names, licenses), kept
    parsed between runs (``datacache``): linting a few changed recipes (PR mode) then
    neither imports PyYAML nor parses the tables again."""
    from ...datacache import load_yaml

    return load_yaml(os.path.join(HERE, "data", name + ".yaml"), c_loader=True) or {}


def finding(rule_id: str, recipe: Recipe, where, message: str, severity: Optional[str] = None):
    return RULES[rule_id].finding(recipe, where, message, severity=severity)


def class_location(recipe: Recipe) -> Tuple[int, int]:
    cls = recipe.package_class
    return (cls.line, cls.col) if cls else (1, 1)


class BuildInfo:
    """What the base classes of the main package class say about the recipe.

    Bases defined in the same file are walked as classes of the recipe; build-system
    bases are resolved from the repository's build-system sources (:mod:`..bases`), and
    their names looked up in ``build_systems.yaml`` for what sources cannot say (does it
    compile code?). A base that is neither (another package's class) is *opaque*."""

    def __init__(self, recipe: Recipe):
        table = data("build_systems")["build_systems"]
        self.known: List[str] = []
        self.unknown: List[str] = []
        #: known bases whose sources were not found: their facts come from the table only
        self.from_table: List[str] = []
        self.local_bases: List[PackageClass] = []  # bases defined in the same file
        #: merged facts of the build-system classes resolved from their sources
        self.inherited = bases.Inherited()
        #: per base reached, the nearest table verdict on compiling: AspellDictPackage says
        #: no although its own base, AutotoolsPackage, says yes
        verdicts: List[Optional[bool]] = []
        if recipe.package_class is not None:
            self._visit(recipe, recipe.package_class, {c.name: c for c in recipe.classes}, set(), table, verdicts)
        facts = [table[b] for b in self.known]
        #: True/False from the table; None when only generic/unknown bases decide
        self.compiled = True if True in verdicts else (False if False in verdicts and not self.unknown else None)
        variants = self.inherited.variants
        self.build_type = any(f.get("build_type") for f in facts) or bool(variants & {"build_type", "buildtype"})
        self.inherited_tests = bool(self.inherited.tests) or (
            not self.inherited.from_sources and any(f.get("tests") for f in facts)
        )
        self.build_systems = [b for b in self.known if not table[b].get("mixin")]
        #: why a build of these bases needs a compiler whatever the recipe shows (the
        #: table's ``native``), else None
        self.native = next((table[b]["native"] for b in self.known if table[b].get("native")), None)
        #: bases we cannot see into (another package's class): inherited facts unknown
        self.opaque = bool(self.unknown)
        classes = ([recipe.package_class] if recipe.package_class else []) + self.local_bases
        #: attributes set by the main class or a base class in the same file
        self.own_attributes = {name for c in classes for name in c.attributes}
        #: directive names of the main class, its local bases and its build-system bases
        self.directive_names = {d.name for c in classes for d in c.directives} | self.inherited.directives
        #: nothing is fetched or built: a bundle, a virtual package or has_code = False
        attrs = recipe.attributes
        self.no_code = (
            "BundlePackage" in self.known
            or getattr(getattr(attrs.get("virtual"), "value", None), "value", None) is True
            or getattr(getattr(attrs.get("has_code"), "value", None), "value", None) is False
        )

    def _visit(self, recipe, cls, local, seen, table, verdicts):
        """Walk the bases of ``cls`` (a method, not a recursive closure: a closure that
        calls itself is a reference cycle, which would keep every recipe alive until the
        cyclic collector runs)."""
        for written, base in zip(cls.bases, cls.base_names):
            if base in seen:
                continue
            seen.add(base)
            if base in local and local[base] is not cls:
                self.local_bases.append(local[base])
                self._visit(recipe, local[base], local, seen, table, verdicts)
                continue
            resolved = bases.resolve(recipe, written)
            if resolved is not None:
                self.inherited.from_sources = True
                for name, derived in resolved.attributes.items():
                    self.inherited.attributes.setdefault(name, derived)
                for field in ("directives", "variants", "tests", "methods", "dependencies"):
                    getattr(self.inherited, field).update(getattr(resolved, field))
                self.inherited.incomplete |= resolved.incomplete
                for name in resolved.names:
                    if name in table and name not in self.known:
                        self.known.append(name)
                seen.update(resolved.names)
                verdicts.append(_nearest_verdict(table, resolved.names))
            elif base in table:
                self.known.append(base)
                self.from_table.append(base)
                verdicts.append(_nearest_verdict(table, [base]))
            else:
                self.unknown.append(base)

    def has(self, *names: str) -> bool:
        return any(n in self.known for n in names)

    def provides(self, attribute: str) -> bool:
        """The attribute has a value: set in the file, given or derived by a base class."""
        return bases.provides(attribute, self.own_attributes, self.inherited)


_RELEASE_NUMBER = re.compile(r"^\d+(\.\d+)*$")


def orders_as_branch(name: str, has_branch: bool, tag: Optional[str]) -> bool:
    """Does a version sort above every release (PESO-S006 and its fixer agree on this):
    a branch-like name (develop, stable, nightly), a tag named like a branch
    (``tag="master"``), or ``branch=`` unless the name is a plain release number
    (r-rhtslib's ``version("1.28.0", branch="RELEASE_3_15")`` is ordered among the
    releases; silo's ``version("4.12RC", branch="4.12RC")`` is a branch)."""
    if name.lower() in BRANCH_NAMES or (tag is not None and tag.lower() in BRANCH_NAMES):
        return True
    return has_branch and not _RELEASE_NUMBER.match(name)


def _nearest_verdict(table, names):
    for name in names:
        entry = table.get(name)
        if entry and entry.get("compiled") is not None and not entry.get("mixin"):
            return entry["compiled"]
    return None


def version_directives(recipe: Recipe) -> List[Directive]:
    """The ``version(...)`` directives of the main class, in source order."""
    return [d for d in recipe.directives if d.name == "version"]


def build_info(recipe: Recipe) -> BuildInfo:
    info = recipe.memo.get("build_info")
    if info is None:
        info = recipe.memo["build_info"] = BuildInfo(recipe)
    return info


def package_methods(recipe: Recipe) -> List[Method]:
    """Methods of the main class and of its bases defined in the same file."""
    cls = recipe.package_class
    if cls is None:
        return []
    methods = list(cls.methods.values())
    for base in build_info(recipe).local_bases:
        methods.extend(base.methods.values())
    return methods


def real_tests(recipe: Recipe) -> List[Method]:
    return [m for m in package_methods(recipe) if m.is_test and not m.is_empty]


def is_true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


_PRERELEASE = {"alpha": 0, "beta": 1, "rc": 2}
_SEGMENT = re.compile(r"(\d+)|([a-zA-Z]+)")


@functools.lru_cache(maxsize=65536)
def version_key(text: str):
    """Spack's ordering of version strings as a sort key (bigger = newer), without
    importing Spack: a port of ``spack.version.version_types.parse_string_components``.
    Numbers compare as numbers and beat words; the infinity words (stable < nightly <
    trunk < head < master < main < develop) beat numbers; a trailing alpha/beta/rc (and
    its number) sorts before the final release; ``1.0 < 1.0.0``. A test checks it against
    Spack's own ``Version`` on every version string of the builtin recipes."""
    segments = [(m.group(1), m.group(2)) for m in _SEGMENT.finditer(text)]
    prerelease: Tuple[int, ...] = (3,)
    if len(segments) >= 3 and segments[-2][1] in _PRERELEASE and segments[-1][0]:
        prerelease = (_PRERELEASE[segments[-2][1]], int(segments[-1][0]))
        segments = segments[:-2]
    elif len(segments) >= 2 and segments[-1][1] in _PRERELEASE:
        prerelease = (_PRERELEASE[segments[-1][1]],)
        segments = segments[:-1]
    release = []
    for number, word in segments:
        if number:
            release.append((1, int(number), ""))
        elif word in BRANCH_NAMES:
            release.append((2, BRANCH_NAMES.index(word), ""))
        else:
            release.append((0, 0, word))
    return (tuple(release), prerelease)


def url_strings(recipe: Recipe) -> List[Tuple[str, str, ast.AST]]:
    """Every literal source URL of the recipe: (where, url, node) for the class
    attributes url/git/list_url/hg/svn and the url/git/first arguments of
    version/patch/resource directives."""
    found = recipe.memo.get("urls")
    if found is not None:
        return found
    found = []
    for name in ("url", "git", "list_url", "hg", "svn"):
        attr = recipe.attributes.get(name)
        if attr is not None:
            for node in _string_nodes(attr.value):
                found.append((name, node.value, node))
    for d in recipe.directives:
        if d.name in ("version", "resource", "patch"):
            for key in ("url", "git", "hg", "svn"):
                value = d.kwargs.get(key)
                if isinstance(value, ast.Constant) and literal_str(value):
                    found.append(("%s(%s=)" % (d.name, key), value.value, value))
            if d.name == "patch":
                first = d.arg_str(0)
                if first and "://" in first:
                    found.append(("patch()", first, d.args[0]))
    recipe.memo["urls"] = found
    return found


def _string_nodes(node) -> List[ast.Constant]:
    if isinstance(node, ast.Constant) and literal_str(node) is not None:
        return [node]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e for e in node.elts if isinstance(e, ast.Constant) and literal_str(e) is not None]
    return []


def directive_dependencies(recipe: Recipe) -> Dict[str, list]:
    """Dependency name -> its depends_on directives (literal specs, and f-strings whose
    literal start holds the name: ``f"hsa-rocr-dev@{ver}"`` in a loop over versions)."""
    deps = recipe.memo.get("deps")
    if deps is None:
        deps = {}
        for d in recipe.directives:
            if d.name == "depends_on" and d.args:
                name = spec_name_of(d.args[0])
                if name:
                    deps.setdefault(name, []).append(d)
        recipe.memo["deps"] = deps
    return deps
