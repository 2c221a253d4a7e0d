"""``--fix`` / ``--diff``: rewrite mechanical findings in place.

Fixes edit *source spans* taken from AST node positions (``lineno``/``col_offset`` to
``end_lineno``/``end_col_offset``), never regexes over the file, so comments, quoting
and formatting elsewhere are kept byte for byte. Each fixer returns a list of
:class:`Edit` (non-overlapping spans and their replacement); :func:`fix_source` applies
them bottom-up, then re-parses the result and refuses it if it no longer parses.

Fixers (keyed by rule *name*, so they follow the static rules' IDs):

* ``spec-membership-idiom``: ``"+x" in self.spec`` -> ``self.spec.satisfies("+x")``,
  ``"+x" not in spec`` -> ``not spec.satisfies("+x")``;
* ``maintainers-misuse``: ``maintainers = ["a", "b"]`` -> ``maintainers("a", "b")``;
* ``version-order``: a run of adjacent ``version(...)`` statements (with their leading
  comment lines) is reordered: infinity versions (develop, main, ...) first, then
  releases newest to oldest, using Spack's version ordering.
"""

import ast
import dataclasses
import difflib
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import PesoError
from ..fsutil import atomic_write
from ..recipe.spec_tests import spec_membership
from .rules._common import orders_as_branch, version_key  # the version-order rule's notions


@dataclasses.dataclass
class Edit:
    """Replace source from (line, col) to (end_line, end_col); lines 1-based, cols 0-based
    character offsets (Python's AST gives UTF-8 byte offsets: converted on creation)."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclasses.dataclass
class FixResult:
    path: str
    original: str
    fixed: str
    #: rule name -> number of edits applied
    applied: Dict[str, int]

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(True),
                self.fixed.splitlines(True),
                fromfile="a/" + self.path.lstrip("/"),
                tofile="b/" + self.path.lstrip("/"),
            )
        )


# --------------------------------------------------------------------------------------
# span helpers


def _char_col(lines: List[str], line: int, byte_col: int) -> int:
    """AST columns are UTF-8 byte offsets; convert to a character offset."""
    text = lines[line - 1]
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def node_edit(lines: List[str], node: ast.AST, text: str) -> Edit:
    return Edit(
        node.lineno,
        _char_col(lines, node.lineno, node.col_offset),
        node.end_lineno,
        _char_col(lines, node.end_lineno, node.end_col_offset),
        text,
    )


def segment(lines: List[str], node: ast.AST) -> str:
    """The exact source text of a node."""
    e = node_edit(lines, node, "")
    if e.line == e.end_line:
        return lines[e.line - 1][e.col : e.end_col]
    parts = [lines[e.line - 1][e.col :]]
    parts.extend(lines[e.line : e.end_line - 1])
    parts.append(lines[e.end_line - 1][: e.end_col])
    return "\n".join(parts)


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (overlapping ones after the first are skipped)."""
    lines = source.split("\n")
    accepted: List[Edit] = []
    for e in sorted(edits, key=lambda e: (e.line, e.col)):
        if accepted and (e.line, e.col) < (accepted[-1].end_line, accepted[-1].end_col):
            continue
        accepted.append(e)
    for e in reversed(accepted):
        head = lines[e.line - 1][: e.col]
        tail = lines[e.end_line - 1][e.end_col :]
        lines[e.line - 1 : e.end_line] = (head + e.text + tail).split("\n")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# the fixers


def fix_spec_membership(tree: ast.AST, lines: List[str]) -> List[Edit]:
    """Rewrite what :func:`peso.recipe.spec_tests.spec_membership` recognises (the detector of
    PESO-R003), so the fixer and the rule never disagree."""
    edits = []
    for node in ast.walk(tree):
        membership = spec_membership(node)
        if membership is None:
            continue
        _text, spec, negated = membership
        new = "%s.satisfies(%s)" % (segment(lines, spec), segment(lines, node.left))
        if negated:
            new = "not " + new
        edits.append(node_edit(lines, node, new))
    return edits


def fix_maintainers_list(tree: ast.AST, lines: List[str]) -> List[Edit]:
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


def _version_of(stmt: ast.stmt) -> Optional[str]:
    if (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id == "version"
        and stmt.value.args
        and isinstance(stmt.value.args[0], ast.Constant)
        and isinstance(stmt.value.args[0].value, str)
    ):
        return stmt.value.args[0].value
    return None



def _is_branch(stmt: ast.stmt) -> bool:
    call = stmt.value
    tag = next((k.value.value for k in call.keywords if k.arg == "tag" and isinstance(k.value, ast.Constant)
                and isinstance(k.value.value, str)), None)
    return orders_as_branch(_version_of(stmt), any(k.arg == "branch" for k in call.keywords), tag)


def _version_runs(body: List[ast.stmt]):
    """Runs of adjacent version() statements in one block (other statements break a run)."""
    run: List[ast.stmt] = []
    for stmt in body:
        if _version_of(stmt) is not None:
            run.append(stmt)
            continue
        if len(run) > 1:
            yield run
        run = []
        for block in _blocks(stmt):
            yield from _version_runs(block)
    if len(run) > 1:
        yield run


def _blocks(stmt):
    if isinstance(stmt, ast.ClassDef):
        return [stmt.body]
    if isinstance(stmt, ast.With):
        return [stmt.body]
    if isinstance(stmt, ast.If):
        return [stmt.body, stmt.orelse]
    return []


def fix_version_order(tree: ast.AST, lines: List[str], key: Callable = None) -> List[Edit]:
    """Reorder each run whose statements are out of order. A unit is the statement's
    lines plus the blank and comment lines above it (for the first statement, only the
    comment lines directly above); units keep their own text."""
    key = key or version_key
    edits = []
    for run in _version_runs(getattr(tree, "body", [])):
        keys = [(1, 0) if _is_branch(s) else (0, key(_version_of(s))) for s in run]
        order = sorted(range(len(run)), key=lambda i: keys[i], reverse=True)
        # stable among equals: sorted(reverse=True) keeps original order of equal keys
        if order == list(range(len(run))):
            continue
        units = []
        previous_end = None
        for stmt in run:
            start = stmt.lineno
            if previous_end is None:
                # the first statement takes the comment lines directly above it
                while start - 1 >= 1 and lines[start - 2].strip().startswith("#"):
                    start -= 1
            else:
                # later ones take everything since the previous statement: blank lines and
                # comments (adjacent statements of one block have nothing else between them)
                start = previous_end + 1
            units.append((start, stmt.end_lineno))
            previous_end = stmt.end_lineno
        first_line = units[0][0]
        if any(lines[e - 1].rstrip().endswith(";") for _, e in units):
            continue  # a statement sharing its line with another cannot move alone
        blocks = ["\n".join(lines[s - 1 : e]) for s, e in units]
        new = "\n".join(blocks[i] for i in order)
        last = units[-1][1]
        edits.append(Edit(first_line, 0, last, len(lines[last - 1]), new))
    return edits


#: rule name -> fixer; the order here is the order fixes are applied in
FIXERS: Dict[str, Callable] = {
    "spec-membership-idiom": fix_spec_membership,
    "maintainers-misuse": fix_maintainers_list,
    "version-order": fix_version_order,
}


# --------------------------------------------------------------------------------------
# driver


def fix_source(source: str, path: str = "<recipe>", rules: Optional[Sequence[str]] = None) -> Tuple[str, Dict[str, int]]:
    """Apply the fixers named in ``rules`` (default: all) one after the other.

    Each fixer sees the output of the previous one (re-parsed), so their spans never
    refer to stale positions. Returns (fixed source, rule name -> edits applied).
    """
    applied: Dict[str, int] = {}
    for name, fixer in FIXERS.items():
        if rules is not None and name not in rules:
            continue
        try:
            tree = ast.parse(source, filename=path)
        except SyntaxError as e:
            raise PesoError("cannot fix a recipe that does not parse (line %s)" % e.lineno, path=path)
        lines = source.split("\n")
        edits = fixer(tree, lines)
        if not edits:
            continue
        candidate = apply_edits(source, edits)
        try:
            ast.parse(candidate, filename=path)
        except SyntaxError:
            continue  # never write a broken recipe: skip this fixer for this file
        source = candidate
        applied[name] = len(edits)
    return source, applied


def fix_file(path: str, rules: Optional[Sequence[str]] = None, write: bool = True) -> FixResult:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            original = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise PesoError("cannot read recipe: %s" % e, path=path)
    fixed, applied = fix_source(original, path, rules)
    result = FixResult(path, original, fixed, applied)
    if write and result.changed:
        atomic_write(path, fixed, encoding="utf-8")
    return result


def fixable_files(findings: Sequence, rules_by_id: Dict) -> Dict[str, List[str]]:
    """path -> names of the fixable rules with findings in it (from a lint result)."""
    files: Dict[str, List[str]] = {}
    for f in findings:
        rule = rules_by_id.get(f.rule)
        name = rule.name if rule is not None else f.name
        if name in FIXERS:
            names = files.setdefault(f.path, [])
            if name not in names:
                names.append(name)
    return files


def fix_findings(findings: Sequence, rules_by_id: Dict, write: bool = True) -> List[FixResult]:
    """Fix the files of a lint result for the fixable rules that reported in them."""
    return [fix_file(path, names, write) for path, names in sorted(fixable_files(findings, rules_by_id).items())]
