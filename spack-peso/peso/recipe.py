"""A static model of one Spack ``package.py`` recipe, built without importing it.

Lint rules must never execute recipes (they import Spack internals, run arbitrary code
and take seconds each), so everything a rule needs is read from the syntax tree: the
main package class, its attributes, every directive call with the ``with when(...)``
blocks around it, its methods, and the comments. The tree is parsed once; the classes
are read right away, and the facts of one walk over every node (calls, strings, spec
tests, comments) when a rule first asks for them, since most rules decide without them.
Rules then query these plain lists, which keeps a full builtin-repo lint within a few
seconds. The model holds no reference cycles, so a recipe is freed as soon as its file
is done (the runner lints with the cyclic collector paused; a test keeps it so).

``load_recipe`` never raises: a file that cannot be read, decoded or parsed yields a
Recipe with ``tree = None`` and ``error = (message, line, col)``, which the parse-error
rule reports.
"""

import ast
import dataclasses
import gc
import os
import re
import string
import tokenize
import io
from typing import Dict, List, Optional, Tuple

#: ``(message, line, col)`` for an unreadable, undecodable or unparsable recipe
ParseError = Tuple[str, int, int]


def dotted_name(node) -> str:
    """``a.b.c`` for Name/Attribute chains (also the callee of a Call); '' otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):
        return dotted_name(node.func)
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def literal_str(node) -> Optional[str]:
    """The value of a string literal node, else None (f-strings and names are not literals)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


#: spec texts whose ``in`` test means the same as ``satisfies``: variants, versions,
#: compilers, dependencies (``"+mpi"``, ``"@2:"``, ``"%gcc"``, ``"^hdf5"``, ``"cuda_arch=80"``).
#: A bare name (``"mpi" in spec``) asks for a dependency, which ``satisfies("mpi")`` does not.
_SATISFIES_EQUIVALENT = re.compile(r"^\s*(?:[+~@%^]|[A-Za-z0-9_-]+\s*==?)")


def is_spec_expr(node) -> bool:
    """``spec``, ``x.spec``, or a dependency of one: ``spec["dep"]``, ``self.spec["dep"]``."""
    if node.__class__ is ast.Subscript:
        node = node.value
    if node.__class__ is ast.Name:
        return node.id == "spec"
    return node.__class__ is ast.Attribute and node.attr == "spec"


def spec_membership(node) -> Optional[Tuple[str, ast.expr, bool]]:
    """``(spec text, spec expression, negated)`` for ``"+x" in spec`` and ``"+x" not in
    self.spec["dep"]``-style tests, else None. The one detector of the idiom, shared by
    the model (PESO-R003), the fixer and ``--deep``."""
    if node.__class__ is not ast.Compare or len(node.ops) != 1:
        return None
    op = node.ops[0].__class__
    left = node.left
    if (op is ast.In or op is ast.NotIn) and left.__class__ is ast.Constant and left.value.__class__ is str:
        spec = node.comparators[0]
        if is_spec_expr(spec) and _SATISFIES_EQUIVALENT.match(left.value):
            return left.value, spec, op is ast.NotIn
    return None


def docstring_of(body: list) -> Optional[str]:
    if body and isinstance(body[0], ast.Expr):
        return literal_str(body[0].value)
    return None


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
        self._nodes: Optional["NodeFacts"] = None
        #: facts derived from the model and shared between rules (filled by the rules)
        self.memo: dict = {}

    # -- facts of the one walk over every node, made when a rule first asks --------
    # Most rules decide from the classes, directives and methods, or from a cheap look at
    # the source text; a full walk over the tree costs about as much as parsing it, so a
    # recipe whose rules never ask is never walked.
    def _walked(self) -> "NodeFacts":
        if self._nodes is None:
            self._nodes = NodeFacts()
            if self.tree is not None:
                _walk(self, self._nodes)
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


def package_name_from_path(path: str) -> str:
    """Spack 1.x repo layout: ``packages/py_numpy/package.py`` is package ``py-numpy``;
    directories of names that are not identifiers get a leading ``_`` (``_7zip``)."""
    directory = os.path.basename(os.path.dirname(os.path.abspath(path)))
    if directory.startswith("_") and len(directory) > 1:
        directory = directory[1:]
    return directory.replace("_", "-")


def package_folder_names(package: str) -> List[str]:
    """Folders a package's recipe may live in: ``py-numpy`` -> ``py_numpy`` (repo API v2),
    ``_7zip`` for names that are not identifiers, and the name as is (API v1)."""
    v2 = package.replace("-", "_")
    return [v2, "_" + v2, package]


def find_recipe(package: str, packages_dirs) -> str:
    """Path of ``package``'s package.py in the first of ``packages_dirs`` holding it, or ""."""
    for packages_dir in packages_dirs:
        for folder in package_folder_names(package):
            path = os.path.join(packages_dir, folder, "package.py")
            if os.path.isfile(path):
                return path
    return ""


def class_name_for(package: str) -> str:
    """Spack's module-to-class mapping: ``py-numpy`` -> ``PyNumpy``, ``7zip`` -> ``_7zip``."""
    name = string.capwords(re.sub(r"[-_]+", "-", package), "-").replace("-", "")
    if name[:1].isdigit():
        name = "_" + name
    return name


def load_recipe(path) -> Recipe:
    """Read and model ``path``; never raises (errors land in ``recipe.error``)."""
    path = str(path)
    try:
        with open(path, "rb") as f:
            source = f.read()
    except (OSError, ValueError) as e:
        recipe = Recipe(path, package_name_from_path(path))
        recipe.error = ("cannot read file: %s" % (e.strerror or e), 0, 0)
        return recipe
    return parse_recipe(path, source)


def parse_recipe(path, source: bytes) -> Recipe:
    """Model a recipe from its bytes (``path`` only names it); never raises."""
    path = str(path)
    recipe = Recipe(path, package_name_from_path(path))
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogatepass")
    # bytes.splitlines breaks only at \n, \r\n and \r, as Python numbers lines
    raw_lines = source.splitlines()
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as e:
        line = source[: e.start].count(b"\n") + 1
        recipe.lines = [raw.decode("utf-8", "replace") for raw in raw_lines]
        recipe.error = ("file is not valid UTF-8: %s" % e.reason, line, 0)
        return recipe
    if text.startswith("\ufeff"):
        text = text[1:]
    recipe.source = text
    recipe.lines = [raw.decode("utf-8") for raw in raw_lines]
    # Building the tree and model allocates millions of small objects that hold no cycles; pausing
    # the cyclic collector while parsing halves the parse time of a repository.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _parse_and_model(recipe, text)
    finally:
        if gc_was_enabled:
            gc.enable()
    return recipe


def _parse_and_model(recipe: Recipe, text: str):
    try:
        recipe.tree = ast.parse(text, filename=recipe.path)
    except SyntaxError as e:
        line, col = e.lineno or 0, e.offset or 0
        if line > len(recipe.lines):  # "unexpected EOF" points past the last line
            line, col = len(recipe.lines), len(recipe.lines[-1]) + 1 if recipe.lines else 0
        recipe.error = ("syntax error: %s" % (e.msg or e), line, max(col, 0))
        return
    except (ValueError, RecursionError, MemoryError) as e:  # e.g. NUL bytes, absurd nesting
        recipe.error = ("cannot parse: %s" % e, 0, 0)
        return
    try:
        _ModelBuilder(recipe).build()
    except RecursionError:
        recipe.error = ("recipe nests too deeply to analyse", 0, 0)
        recipe.tree = None


class _ModelBuilder:
    """Fills a Recipe from its tree: one ``ast.walk`` plus a look at each class body."""

    def __init__(self, recipe: Recipe):
        self.recipe = recipe

    def build(self):
        recipe = self.recipe
        tree = recipe.tree
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef):
                recipe.classes.append(self._class(stmt))
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self._import(stmt)
        recipe.package_class = self._main_class()

    # -- module level -----------------------------------------------------------------
    def _import(self, stmt):
        recipe = self.recipe
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                recipe.imports[alias.asname or alias.name.split(".")[0]] = alias.name
                recipe.import_nodes.append((alias.name, stmt))
        else:
            module = "." * (stmt.level or 0) + (stmt.module or "")
            recipe.import_nodes.append((module, stmt))
            for alias in stmt.names:
                if alias.name != "*":
                    recipe.imports[alias.asname or alias.name] = module + "." + alias.name

    def _main_class(self) -> Optional[PackageClass]:
        classes = self.recipe.classes
        if not classes:
            return None
        expected = class_name_for(self.recipe.package)
        for cls in classes:
            if cls.name == expected:
                return cls
        for cls in classes:
            if any(b.endswith("Package") for b in cls.base_names) and not cls.name.endswith("Builder"):
                return cls
        return classes[-1]

    # -- class bodies -----------------------------------------------------------------
    def _class(self, node: ast.ClassDef) -> PackageClass:
        cls = PackageClass(
            name=node.name,
            bases=[dotted_name(b) or ast.dump(b)[:40] for b in node.bases],
            docstring=docstring_of(node.body),
            line=node.lineno,
            col=node.col_offset + 1,
            node=node,
        )
        self._branches = 0
        self._body(cls, node.body, (), {}, 0)
        return cls

    def _body(self, cls: PackageClass, body, when: tuple, defaults: dict, branch: int):
        for stmt in body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                if isinstance(call.func, ast.Name):
                    cls.directives.append(self._directive(call, when, defaults, branch))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and stmt.value is not None:
                        cls.attributes.setdefault(
                            target.id,
                            Attribute(target.id, stmt.value, stmt.lineno, stmt.col_offset + 1, stmt),
                        )
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                cls.methods.setdefault(stmt.name, self._method(stmt, cls.name))
            elif isinstance(stmt, ast.With):
                inner_when, inner_defaults = when, defaults
                for item in stmt.items:
                    ctx = item.context_expr
                    callee = dotted_name(ctx) if isinstance(ctx, ast.Call) else ""
                    if callee == "when":
                        text = literal_str(ctx.args[0]) if ctx.args else None
                        inner_when = inner_when + (Condition(text, ctx, ctx.lineno),)
                    elif callee == "default_args":
                        inner_defaults = dict(inner_defaults)
                        inner_defaults.update({k.arg: k.value for k in ctx.keywords if k.arg})
                self._body(cls, stmt.body, inner_when, inner_defaults, branch)
            elif isinstance(stmt, (ast.If, ast.For, ast.While, ast.Try)):
                blocks = [stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
                blocks += [handler.body for handler in getattr(stmt, "handlers", [])]
                for block in blocks:
                    self._branches += 1
                    self._body(cls, block, when, defaults, self._branches)

    @staticmethod
    def _directive(call: ast.Call, when: tuple, defaults: dict, branch: int = 0) -> Directive:
        kwargs = dict(defaults) if defaults else {}
        has_star = False
        for k in call.keywords:
            if k.arg is None:
                has_star = True
            else:
                kwargs[k.arg] = k.value
        args = list(call.args)
        if any(isinstance(a, ast.Starred) for a in args):
            has_star = True
        return Directive(
            name=call.func.id,
            node=call,
            args=args,
            kwargs=kwargs,
            line=call.lineno,
            col=call.col_offset + 1,
            when=when,
            has_star=has_star,
            branch=branch,
            first=literal_str(args[0]) if args else None,
        )

    @staticmethod
    def _method(node, class_name: str) -> Method:
        doc = docstring_of(node.body)
        empty = all(
            isinstance(s, ast.Pass)
            or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            for s in node.body
        )
        return Method(
            name=node.name,
            node=node,
            decorators=[dotted_name(d) for d in node.decorator_list],
            docstring=doc,
            is_empty=empty,
            line=node.lineno,
            class_name=class_name,
        )

@dataclasses.dataclass
class NodeFacts:
    """What one walk over every node of a recipe collects (see :func:`_walk`)."""

    calls: List[Tuple[str, ast.Call]] = dataclasses.field(default_factory=list)
    strings: List[ast.Constant] = dataclasses.field(default_factory=list)
    spec_membership: List[Tuple[str, ast.Compare]] = dataclasses.field(default_factory=list)
    name_uses: Dict[str, List[ast.Name]] = dataclasses.field(default_factory=dict)
    comments: Dict[int, str] = dataclasses.field(default_factory=dict)


def _walk(recipe: Recipe, facts: "NodeFacts"):
    """Collect calls, string literals and ``"+x" in spec`` tests in one pass.

    A hand-rolled stack walk: ``ast.walk`` costs twice as much through its generators,
    and leaf nodes (names, constants, contexts) need no descent."""
    calls = facts.calls
    strings = facts.strings
    joined = []
    Call, Constant, Compare, JoinedStr, Name = (
        ast.Call, ast.Constant, ast.Compare, ast.JoinedStr, ast.Name,
    )
    fields_of = _CHILD_FIELDS
    watched = WATCHED_NAMES
    stack = [recipe.tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        cls = node.__class__
        if cls is Constant:
            if node.value.__class__ is str:
                strings.append(node)
            continue
        if cls is Name:
            if node.id in watched:
                facts.name_uses.setdefault(node.id, []).append(node)
            continue
        if cls is Call:
            calls.append((dotted_name(node.func), node))
        elif cls is JoinedStr:
            joined.append(node)
        elif cls is Compare:
            membership = spec_membership(node)
            if membership is not None:
                facts.spec_membership.append((membership[0], node))
        fields = fields_of.get(cls)
        if fields is None:  # also None/str items of lists: no fields, nothing to do
            fields = fields_of[cls] = tuple(
                f for f in getattr(cls, "_fields", ()) if f not in _LEAF_FIELDS
            )
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                extend(value)
            elif value is not None:
                push(value)
    # the stack walk visits out of order; rules expect source order
    calls.sort(key=lambda c: (c[1].lineno, c[1].col_offset))
    strings.sort(key=_position)
    facts.spec_membership.sort(key=lambda m: _position(m[1]))
    facts.comments = _comments(recipe, strings, joined)



def _position(node):
    return node.lineno, node.col_offset


#: names whose every use the model records (Spack's deprecated build-system globals)
WATCHED_NAMES = frozenset(("std_cmake_args", "std_meson_args", "std_pip_args"))

#: node class -> fields that may hold child nodes (filled lazily by the walk)
_CHILD_FIELDS: dict = {}
#: fields that never hold nodes worth visiting
_LEAF_FIELDS = frozenset(
    ("ctx", "id", "attr", "arg", "kind", "type_comment", "name", "module", "level", "asname",
     "conversion", "is_async", "simple", "names", "op", "ops", "kwd_attrs", "rest", "tag")
)


def _comments(recipe: Recipe, strings, joined) -> Dict[int, str]:
    """Line -> comment, found by masking string literals (their spans come from the
    walk) instead of running the pure-Python tokenizer, which costs as much as parsing.
    Falls back to ``tokenize`` when an implicitly concatenated multi-line string makes
    the spans ambiguous."""
    text = recipe.source or ""
    if "#" not in text:
        return {}
    raw = text.encode("utf-8")
    blines = raw.splitlines()
    hash_lines = {i + 1 for i, line in enumerate(blines) if b"#" in line}
    masks: Dict[int, List[Tuple[int, int]]] = {}
    for node in list(strings) + joined:
        start, end = node.lineno, getattr(node, "end_lineno", None) or node.lineno
        if start == end:
            if start in hash_lines:
                masks.setdefault(start, []).append((node.col_offset, node.end_col_offset))
            continue
        # multi-line: must be one triple-quoted literal, else spans are ambiguous
        head = blines[start - 1][node.col_offset : node.col_offset + 6].lstrip(b"rbuRBUfF")
        if not head.startswith((b'"""', b"'''")):
            if any(start <= ln <= end for ln in hash_lines):
                return _comments_by_tokenize(raw)
            continue
        for ln in range(start, end + 1):
            if ln in hash_lines:
                lo = node.col_offset if ln == start else 0
                hi = node.end_col_offset if ln == end else len(blines[ln - 1])
                masks.setdefault(ln, []).append((lo, hi))
    comments = {}
    for ln in sorted(hash_lines):
        line = blines[ln - 1]
        spans = masks.get(ln, ())
        pos = line.find(b"#")
        while pos != -1 and any(lo <= pos < hi for lo, hi in spans):
            pos = line.find(b"#", pos + 1)
        if pos != -1:
            comments[ln] = line[pos:].rstrip().decode("utf-8", "replace")
    return comments


def _comments_by_tokenize(raw: bytes) -> Dict[int, str]:
    comments = {}
    try:
        for tok in tokenize.tokenize(io.BytesIO(raw).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.rstrip()
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return comments
