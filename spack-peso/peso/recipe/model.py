"""The static model of one Spack ``package.py`` recipe: its classes, attributes,
directives (with the ``with when(...)`` blocks around them), methods and comments.

Lint rules must never execute recipes (they import Spack internals, run arbitrary code
and take seconds each), so everything a rule needs is read from the syntax tree
(:mod:`.parse` builds the model once per file). The classes are read right away; the
facts of one walk over every node (calls, strings, spec tests, comments, :mod:`.walk`)
are made when a rule first asks for them, since most rules decide without them. The
model holds no reference cycles, so a recipe is freed as soon as its file is done (the
runner lints with the cyclic collector paused; a test keeps it so).
"""

import ast
import dataclasses
from typing import Dict, List, Optional, Tuple

from .syntax import literal_str
from .walk import NodeFacts, walk_nodes

#: ``(message, line, col)`` for an unreadable, undecodable or unparsable recipe
ParseError = Tuple[str, int, int]


@dataclasses.dataclass
class Condition:
    """One enclosing ``with when("...")`` block: its spec text (None if not a literal)."""

    text: Optional[str]
    node: ast.AST
    line: int


@dataclasses.dataclass
class Directive:
    """A directive call in the class body (``version``, ``depends_on``, ``variant``, ...)."""

    name: str
    node: ast.Call
    args: List[ast.expr]
    #: explicit keyword arguments, plus those of enclosing ``with default_args(...)``
    kwargs: Dict[str, ast.expr]
    line: int
    col: int
    #: enclosing ``with when(...)`` conditions, outermost first
    when: Tuple[Condition, ...] = ()
    #: True if the call has ``*args``/``**kwargs`` we cannot see through
    has_star: bool = False
    #: which branch of an ``if``/``for``/``while``/``try`` in the class body holds the call
    #: (0: none); ``with`` blocks keep their parent's. Directives of two branches are
    #: alternatives or repetitions, not one sequence (py-nvidia-dali lists its versions
    #: once per platform)
    branch: int = 0
    #: the first argument when it is a string literal (the name or spec most rules ask for)
    first: Optional[str] = None

    def arg(self, index: int) -> Optional[ast.expr]:
        return self.args[index] if index < len(self.args) else None

    def arg_str(self, index: int) -> Optional[str]:
        if index == 0:
            return self.first
        return literal_str(self.arg(index))

    def kw_str(self, name: str) -> Optional[str]:
        return literal_str(self.kwargs.get(name))

    @property
    def when_line(self) -> int:
        return self.when[-1].line if self.when else 0

    @property
    def conditional(self) -> bool:
        return bool(self.when) or "when" in self.kwargs


@dataclasses.dataclass
class Attribute:
    """A class-level assignment ``name = value``."""

    name: str
    value: ast.expr
    line: int
    col: int
    node: ast.stmt

    @property
    def literal(self) -> Optional[str]:
        return literal_str(self.value)


@dataclasses.dataclass
class Method:
    name: str
    node: ast.FunctionDef
    #: dotted callee names of the decorators, e.g. ``run_after``, ``on_package_attributes``
    decorators: List[str]
    docstring: Optional[str]
    #: the body holds only a docstring, ``pass``, ``...`` (comments are not in the tree)
    is_empty: bool
    line: int
    class_name: str

    @property
    def is_test(self) -> bool:
        return self.name.startswith("test_")

    @property
    def end_line(self) -> int:
        return getattr(self.node, "end_lineno", None) or self.line

    def contains(self, node) -> bool:
        line = getattr(node, "lineno", 0)
        return self.line <= line <= self.end_line


@dataclasses.dataclass
class PackageClass:
    name: str
    bases: List[str]
    docstring: Optional[str]
    line: int
    col: int
    node: ast.ClassDef
    attributes: Dict[str, Attribute] = dataclasses.field(default_factory=dict)
    directives: List[Directive] = dataclasses.field(default_factory=list)
    methods: Dict[str, Method] = dataclasses.field(default_factory=dict)

    @property
    def base_names(self) -> List[str]:
        """Last component of each base: ``cmake.CMakePackage`` -> ``CMakePackage``."""
        return [b.rsplit(".", 1)[-1] for b in self.bases]


class Recipe:
    """Everything the lint rules know about one recipe file.

    The main package class is ``package_class``; ``attributes``, ``directives`` and
    ``methods`` are its members (empty when there is no class). ``classes`` holds every
    top-level class (builders included); ``calls``, ``strings`` and ``spec_membership``
    are collected over the whole module in the single walk.
    """

    def __init__(self, path: str, package: str):
        self.path = path
        self.package = package
        self.source: Optional[str] = None
        self.lines: List[str] = []
        self.tree: Optional[ast.Module] = None
        self.error: Optional[ParseError] = None
        #: local name -> imported dotted path (``CMakePackage`` -> ``spack_repo...cmake.CMakePackage``)
        self.imports: Dict[str, str] = {}
        #: ``import spack.x`` / ``from spack.x import ...`` statements: (module, node)
        self.import_nodes: List[Tuple[str, ast.stmt]] = []
        self.classes: List[PackageClass] = []
        self.package_class: Optional[PackageClass] = None
        #: facts of the walk over every node (:class:`NodeFacts`), made on first use
        self._nodes: Optional[NodeFacts] = None
        #: facts derived from the model and shared between rules (filled by the rules)
        self.memo: dict = {}

    # -- facts of the one walk over every node, made when a rule first asks --------
    # Most rules decide from the classes, directives and methods, or from a cheap look at
    # the source text; a full walk over the tree costs about as much as parsing it, so a
    # recipe whose rules never ask is never walked.
    def _walked(self) -> NodeFacts:
        if self._nodes is None:
            self._nodes = NodeFacts()
            if self.tree is not None:
                walk_nodes(self.tree, self.source, self._nodes)
        return self._nodes

    @property
    def calls(self) -> List[Tuple[str, ast.Call]]:
        """Every call in the module: (dotted callee name, node), in source order."""
        return self._walked().calls

    @property
    def strings(self) -> List[ast.Constant]:
        """Every string literal in the module, in source order."""
        return self._walked().strings

    @property
    def spec_membership(self) -> List[Tuple[str, ast.Compare]]:
        """``"+x" in spec``-style comparisons (see :func:`spec_membership`): (spec text, node)."""
        return self._walked().spec_membership

    @property
    def name_uses(self) -> Dict[str, List[ast.Name]]:
        """Uses of the names in :data:`WATCHED_NAMES` (deprecated globals): name -> nodes."""
        return self._walked().name_uses

    @property
    def comments(self) -> Dict[int, str]:
        """Line -> comment text (including the leading '#')."""
        return self._walked().comments

    # -- the main class's members --------------------------------------------------
    @property
    def attributes(self) -> Dict[str, Attribute]:
        return self.package_class.attributes if self.package_class else {}

    @property
    def directives(self) -> List[Directive]:
        return self.package_class.directives if self.package_class else []

    @property
    def methods(self) -> Dict[str, Method]:
        return self.package_class.methods if self.package_class else {}

    def directives_named(self, *names: str) -> List[Directive]:
        return [d for d in self.directives if d.name in names]

    def all_methods(self) -> List[Method]:
        """Methods of every class in the file (package class and builders)."""
        return [m for c in self.classes for m in c.methods.values()]

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def __repr__(self):
        return "Recipe(%r, package=%r, error=%r)" % (self.path, self.package, self.error)
