"""``--fix`` / ``--diff``: rewrite mechanical findings in place.

Fixes edit *source spans* taken from AST node positions (``lineno``/``col_offset`` to
``end_lineno``/``end_col_offset``), never regexes over the file, so comments, quoting
and formatting elsewhere are kept byte for byte. Each rule's fixer lives beside its
check (``@rule(ID, fix=fixer)``) and returns a list of :class:`Edit` (non-overlapping
spans and their replacement); :func:`fix_source` applies them bottom-up, then re-parses
the result and refuses it if it no longer parses.
"""

import ast
import dataclasses
import difflib
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from ..errors import PesoError
from ..fsutil import atomic_write, check_within
from .registry import all_rules


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
    #: rule ID -> number of edits applied
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


def node_edit(lines: List[str], node: Union[ast.expr, ast.stmt], text: str) -> Edit:
    end_line = node.end_lineno or node.lineno
    end_col = node.col_offset if node.end_col_offset is None else node.end_col_offset
    return Edit(
        node.lineno,
        _char_col(lines, node.lineno, node.col_offset),
        end_line,
        _char_col(lines, end_line, end_col),
        text,
    )


def segment(lines: List[str], node: Union[ast.expr, ast.stmt]) -> str:
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


def fixers() -> Dict[str, Callable]:
    """Rule ID -> fixer, for every rule registered with one, in ID order (the order
    fixes are applied in)."""
    return {r.id: r.fix for r in all_rules() if r.fix is not None}


def fix_source(
    source: str, path: str = "<recipe>", rules: Optional[Sequence[str]] = None
) -> Tuple[str, Dict[str, int]]:
    """Apply the fixers of the rule IDs in ``rules`` (default: all) one after the other.

    Each fixer sees the output of the previous one (re-parsed), so their spans never
    refer to stale positions. Returns (fixed source, rule ID -> edits applied).
    """
    applied: Dict[str, int] = {}
    for rule_id, fixer in fixers().items():
        if rules is not None and rule_id not in rules:
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
        applied[rule_id] = len(edits)
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
        _write(result)
    return result


def _repository(path: str) -> str:
    """The repository holding ``packages/<name>/package.py``: a link leading out of it is refused."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(path))))


def _write(result: FixResult) -> None:
    atomic_write(result.path, result.fixed, encoding="utf-8", within=_repository(result.path))


def fixable_files(findings: Sequence) -> Dict[str, List[str]]:
    """path -> IDs of the fixable rules with findings in it (from a lint result)."""
    fixable = fixers()
    files: Dict[str, List[str]] = {}
    for f in findings:
        if f.rule in fixable:
            ids = files.setdefault(f.path, [])
            if f.rule not in ids:
                ids.append(f.rule)
    return files


def fix_findings(findings: Sequence, write: bool = True) -> List[FixResult]:
    """Fix the files of a lint result for the fixable rules that reported in them.

    Every fix is made and every file's real location checked before the first write: a
    refused file (a link out of its repository) leaves the whole tree as it was."""
    results = [fix_file(path, ids, write=False) for path, ids in sorted(fixable_files(findings).items())]
    if write:
        changed = [r for r in results if r.changed]
        for result in changed:
            check_within(result.path, _repository(result.path))
        for result in changed:
            _write(result)
    return results
