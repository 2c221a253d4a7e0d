"""Reading a ``package.py`` into a :class:`~.model.Recipe`: parse once, read the classes.

``load_recipe`` never raises: a file that cannot be read, decoded or parsed yields a
Recipe with ``tree = None`` and ``error = (message, line, col)``, which the parse-error
rule reports.
"""

import ast
import gc
from typing import Optional

from .layout import class_name_for, package_name_from_path
from .model import Attribute, Condition, Directive, Method, PackageClass, Recipe
from .syntax import docstring_of, dotted_name, literal_str


def load_recipe(path) -> Recipe:
    """Read and model ``path``; never raises (errors land in ``recipe.error``)."""
    path = str(path)
    try:
        with open(path, "rb") as f:
            source = f.read()
    except (OSError, ValueError) as e:
        recipe = Recipe(path, package_name_from_path(path))
        recipe.error = ("cannot read file: %s" % (getattr(e, "strerror", None) or e), 0, 0)
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
        assert tree is not None  # built only for a parsed recipe
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
                    if not isinstance(ctx, ast.Call):
                        continue
                    callee = dotted_name(ctx)
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
        assert isinstance(call.func, ast.Name)  # the model's directives are bare-name calls
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
            isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
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
