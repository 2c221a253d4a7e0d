"""What a recipe inherits from its build-system base classes, read statically from the
build-system sources of the repository being linted (``spack_repo/<ns>/build_systems``).

Rules used to ask a hand-written table what ``RPackage`` or ``IntelOneApiPackage`` give,
and were wrong whenever a base class derives an attribute (``RPackage.git`` from
``bioc``, ``RacketPackage.homepage`` from ``racket_name``), carries a directive
(``maintainers`` in ``RubyPackage``, ``license`` in the oneAPI classes) or a test
(``PythonExtension.test_imports``). The sources say it exactly, so they are parsed here
with the same recipe model as recipes (never imported) and walked along the bases.

A derived attribute (``git = classproperty(_git)`` or ``@property def git``) is
provided when the recipe or a class on its way sets one of the attributes the deriving
function reads (``cls.bioc``); ``bioc = None`` in a base class is a slot, not a value.

Where no sources can be found (a recipe outside any ``spack_repo`` tree, a test
fragment), :data:`FALLBACK_DERIVED` says the same for the common cases, so a rule
behaves the same on both.

Results depend on the build-system sources, so :func:`context_digest` (a hash of them)
is part of every cache key.
"""

import ast
import dataclasses
import functools
import hashlib
import os
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from ..recipe.model import PackageClass, Recipe

#: used when a recipe's build-system sources are not available: attribute -> the
from ..recipe.parse import load_recipe
from ..recipe.syntax import spec_name

#: used when a recipe's build-system sources are not available: attribute -> the
#: attributes a builtin base class derives it from
FALLBACK_DERIVED: Dict[str, FrozenSet[str]] = {
    "homepage": frozenset(("pypi", "cran", "bioc", "racket_name", "cpan")),
    "git": frozenset(("bioc",)),
    "url": frozenset(
        (
            "pypi",
            "cran",
            "gnu_mirror_path",
            "sourceforge_mirror_path",
            "xorg_mirror_path",
            "sourceware_mirror_path",
            "cpan",
        )
    ),
}
#: modules whose classes are Spack core (PackageBase, Package): known ends of a chain
CORE_MODULES = ("spack.package", "spack.package_base", "spack")


@dataclasses.dataclass
class ClassFacts:
    """One build-system class as its source defines it."""

    name: str
    #: base names as written, with the dotted import each resolves to ('' if local/unknown)
    bases: List[Tuple[str, str]]
    module_path: str
    #: attribute -> None for a value, a frozenset of source attributes for a derived one
    attributes: Dict[str, Optional[FrozenSet[str]]]
    #: attributes the class declares empty (``bioc = None``): slots for subclasses
    slots: Set[str]
    directives: Set[str]
    variants: Set[str]
    tests: Set[str]
    methods: Set[str]
    #: names of the packages the class depends on (literal ``depends_on`` specs)
    dependencies: Set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class Inherited:
    """Everything the resolved base classes of one recipe give it."""

    #: build-system class names met on the way (for the ``build_systems.yaml`` facts)
    names: List[str] = dataclasses.field(default_factory=list)
    attributes: Dict[str, Optional[FrozenSet[str]]] = dataclasses.field(default_factory=dict)
    directives: Set[str] = dataclasses.field(default_factory=set)
    variants: Set[str] = dataclasses.field(default_factory=set)
    tests: Set[str] = dataclasses.field(default_factory=set)
    methods: Set[str] = dataclasses.field(default_factory=set)
    dependencies: Set[str] = dataclasses.field(default_factory=set)
    #: True when the build-system sources were found and read
    from_sources: bool = False
    #: a class on the way is neither a build-system source found nor Spack core: what it
    #: gives is unknown (the facts above are a lower bound)
    incomplete: bool = False

    def merge(self, facts: ClassFacts):
        for name, derived in facts.attributes.items():
            self.attributes.setdefault(name, derived)
        self.directives |= facts.directives
        self.variants |= facts.variants
        self.tests |= facts.tests
        self.methods |= facts.methods
        self.dependencies |= facts.dependencies


def spack_repo_root(path: str) -> str:
    """The ``spack_repo`` folder holding ``path`` (``''`` outside one)."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(6):
        if os.path.basename(folder) == "spack_repo":
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return ""


def module_file(root: str, dotted: str) -> str:
    """``spack_repo.builtin.build_systems.r.RPackage`` -> ``<root>/builtin/build_systems/r.py``."""
    parts = dotted.split(".")
    if len(parts) < 4 or parts[0] != "spack_repo" or parts[2] != "build_systems":
        return ""
    return os.path.join(root, parts[1], "build_systems", parts[3] + ".py")


@functools.lru_cache(maxsize=None)
def context_digest(root: str) -> str:
    """Hash of every build-system source under ``root`` ('' when there is none): a
    recipe's findings change with them, so the lint cache keys on it."""
    if not root:
        return ""
    h = hashlib.sha256()
    try:
        namespaces = sorted(os.listdir(root))
    except OSError:
        return ""
    for ns in namespaces:
        folder = os.path.join(root, ns, "build_systems")
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                h.update(("%s/%s" % (ns, name)).encode())
                with open(os.path.join(folder, name), "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def module_classes(path: str) -> Dict[str, ClassFacts]:
    """The classes of one build-system module (empty if unreadable)."""
    if not os.path.isfile(path):
        return {}
    module = load_recipe(path)
    if module.tree is None:
        return {}
    functions = {s.name: s for s in module.tree.body if isinstance(s, ast.FunctionDef)}
    return {cls.name: _facts(cls, module, functions, path) for cls in module.classes}


def _facts(cls: PackageClass, module: Recipe, functions, path: str) -> ClassFacts:
    attributes: Dict[str, Optional[FrozenSet[str]]] = {}
    slots = set()
    for name, attr in cls.attributes.items():
        value = attr.value
        if isinstance(value, ast.Constant) and value.value is None:
            slots.add(name)
        elif isinstance(value, ast.Call) and value.func.__class__ is ast.Name and value.func.id == "classproperty":
            target = functions.get(getattr(value.args[0], "id", "")) if value.args else None
            attributes[name] = _read_attributes(target, "cls") if target is not None else frozenset()
        else:
            attributes[name] = None
    methods = set()
    tests = set()
    for name, method in cls.methods.items():
        if "property" in method.decorators:
            attributes.setdefault(name, _read_attributes(method.node, "self"))
        methods.add(name)
        if method.is_test and not method.is_empty:
            tests.add(name)
    variants = {d.first for d in cls.directives if d.name == "variant" and d.first}
    # a module function that declares variants, called in the class body: CMakePackage's
    # generator("ninja", "make") declares the ``generator`` variant
    for node in ast.walk(cls.node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            variants |= _declared_variants(functions[node.func.id])
    bases = [(b, _absolute(module.imports.get(b.split(".")[0], ""), path)) for b in cls.bases]
    return ClassFacts(
        name=cls.name,
        bases=bases,
        module_path=path,
        attributes=attributes,
        slots=slots,
        directives={d.name for d in cls.directives},
        variants=variants,
        tests=tests,
        methods=methods,
        dependencies={name for name in (spec_name(d.first) for d in cls.directives if d.name == "depends_on") if name},
    )


def _absolute(dotted: str, path: str) -> str:
    """A relative import of a build-system module (``.cmake.CMakePackage`` in
    ``cached_cmake.py``) as the absolute name :func:`module_file` reads."""
    if not dotted.startswith(".") or dotted.startswith(".."):
        return dotted
    folder = os.path.dirname(os.path.abspath(path))
    namespace = os.path.basename(os.path.dirname(folder))
    return "spack_repo.%s.%s%s" % (namespace, os.path.basename(folder), dotted)


def _declared_variants(function) -> Set[str]:
    """Names of the literal ``variant("name", ...)`` calls in a module function."""
    return {
        node.args[0].value
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "variant"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def _read_attributes(function, owner: str) -> FrozenSet[str]:
    """Attributes of ``owner`` (``cls``/``self``) a deriving function reads."""
    return frozenset(
        node.attr
        for node in ast.walk(function)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == owner
    )


def resolve(recipe: Recipe, base: str) -> Optional[Inherited]:
    """What base class ``base`` of the recipe's main class gives, from the sources; None
    when the base is not a build-system class of a repository found beside the recipe.
    Shared and cached per (repository, class): callers must not change it."""
    head, _, rest = base.partition(".")  # CMakePackage, or cmake.CMakePackage
    dotted = recipe.imports.get(head, "")
    if rest and dotted:
        dotted += "." + rest
    if not dotted.startswith("spack_repo."):
        return None
    return _resolve(_packages_dir_root(os.path.dirname(os.path.dirname(recipe.path))), dotted)


@functools.lru_cache(maxsize=None)
def _resolve(root: str, dotted: str) -> Optional[Inherited]:
    path = module_file(root, dotted) if root else ""
    classes = module_classes(path) if path else {}
    facts = classes.get(dotted.rsplit(".", 1)[-1])
    if facts is None:
        return None
    inherited = Inherited(from_sources=True)
    _walk(facts, classes, root, inherited, set())
    return inherited


@functools.lru_cache(maxsize=None)
def _packages_dir_root(packages_dir: str) -> str:
    return spack_repo_root(os.path.join(packages_dir, "x", "package.py"))


def _walk(facts: ClassFacts, classes, root: str, inherited: Inherited, seen: Set[str]):
    if facts.name in seen:
        return
    seen.add(facts.name)
    inherited.names.append(facts.name)
    inherited.merge(facts)
    for written, dotted in facts.bases:
        short = written.rsplit(".", 1)[-1]
        if short in classes and short not in seen:  # same module
            _walk(classes[short], classes, root, inherited, seen)
            continue
        path = module_file(root, dotted) if dotted else ""
        other = module_classes(path) if path else {}
        target = other.get(dotted.rsplit(".", 1)[-1]) if other else None
        if target is not None:
            _walk(target, other, root, inherited, seen)
        elif short not in seen:
            seen.add(short)
            inherited.names.append(short)  # Spack core (PackageBase, Package) or unknown
            if dotted.startswith("spack_repo.") and not _reexports_core(path, short):
                inherited.incomplete = True  # a repository class whose source is not found


@functools.lru_cache(maxsize=None)
def _reexports_core(path: str, name: str) -> bool:
    """The module at ``path`` only imports ``name`` from Spack core (generic.py's
    ``from spack.package import GenericBuilder, Package``)."""
    if not path or not os.path.isfile(path):
        return False
    return load_recipe(path).imports.get(name, "").startswith("spack.")


def provides(attribute: str, own: Set[str], inherited: Inherited, depth: int = 0) -> bool:
    """True when ``attribute`` has a value: set by the recipe (``own``), given by a base
    class, or derived by a base class from an attribute that has one."""
    if attribute in own:
        return True
    if inherited.from_sources:
        if attribute not in inherited.attributes:
            return False
        sources = inherited.attributes[attribute]
    else:
        sources = FALLBACK_DERIVED.get(attribute)
        if sources is None:
            return False
    if sources is None:
        return True
    return depth < 3 and any(provides(s, own, inherited, depth + 1) for s in sources if s != attribute)


def recipe_context(path: str) -> str:
    """:func:`context_digest` of the repository holding recipe ``path`` (memoised per
    packages folder: called for every file of every run)."""
    return _packages_dir_context(os.path.dirname(os.path.dirname(path)))


@functools.lru_cache(maxsize=None)
def _packages_dir_context(packages_dir: str) -> str:
    return context_digest(_packages_dir_root(packages_dir))


@functools.lru_cache(maxsize=None)
def build_system_spec_words(root: str) -> FrozenSet[str]:
    """Variant names the build-system sources test in specs (``"~allow-unsupported-compilers"``
    in cuda.py): a recipe's variant of that name is consumed there, by its dependents."""
    words = set()
    if not root:
        return frozenset()
    import re

    pattern = re.compile(r"[+~]([A-Za-z_][\w-]*)")
    for ns in sorted(os.listdir(root)) if os.path.isdir(root) else ():
        folder = os.path.join(root, ns, "build_systems")
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                        for text in re.findall(r"\"([^\"\n]*)\"|'([^'\n]*)'", f.read()):
                            words.update(pattern.findall(text[0] or text[1]))
    return frozenset(words)
