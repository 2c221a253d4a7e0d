"""The version list (E4S P1): listed in Spack's order, each version once. Both rules
carry their fixer: reordering adjacent ``version()`` statements, deleting an identical
repeat."""

import ast
from typing import Callable, Dict, List, Optional

from ..autofix import Edit, segment
from ..registry import rule
from ._common import finding, is_true, orders_as_branch, version_directives, version_key


def _starts_group(recipe, d) -> bool:
    """A version the maintainer set apart: a comment line right above it (root's
    "# Supported STS release series") or its own repository (swig's swig-fortran fork)."""
    return "git" in d.kwargs or recipe.line_text(d.line - 1).strip().startswith("#")


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
    """For a statement :func:`_version_of` names (a ``version(...)`` call)."""
    call = getattr(stmt, "value", None)
    assert isinstance(call, ast.Call)
    tag = next(
        (
            k.value.value
            for k in call.keywords
            if k.arg == "tag" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
        ),
        None,
    )
    return orders_as_branch(_version_of(stmt) or "", any(k.arg == "branch" for k in call.keywords), tag)


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


def fix_version_order(tree: ast.AST, lines: List[str], key: Optional[Callable] = None) -> List[Edit]:
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


@rule("PESO-S006", fix=fix_version_order)
def version_order(recipe):
    """Branches first, then releases newest first, as ``spack versions`` shows them.
    Each run of versions with the same deprecation state is its own list (a
    ``with default_args(deprecated=True)`` block after the current ones is fine), and a
    ``preferred=True`` version may stand first on purpose (perl-graph keeps its decimal
    0.9704 above 0.20105, which Spack orders the other way). A branch with a release
    number for a name (r-rhtslib's ``version("1.28.0", branch="RELEASE_3_15")``) is
    ordered among the releases. A group the maintainer set apart (:func:`_starts_group`)
    is its own list. A version declared again is PESO-S009's (one finding a line): it is
    left out of the order."""
    seen_release = None
    previous = None  # (key, name, branch, deprecated) of the last release
    declared = set()
    for d in version_directives(recipe):
        name = d.arg_str(0)
        if name is None or d.when:
            continue
        if (name, d.branch) in declared:  # the same arm of an if: declared again
            continue
        declared.add((name, d.branch))
        if orders_as_branch(name, "branch" in d.kwargs, d.kw_str("tag")):
            if _starts_group(recipe, d):
                seen_release, previous = None, None
            if seen_release is not None:
                yield finding(
                    "PESO-S006",
                    recipe,
                    d.node,
                    "branch version %r listed after release %r; branches go first" % (name, seen_release),
                )
            continue
        if _starts_group(recipe, d):
            seen_release, previous = None, None
        seen_release = seen_release or name
        key = version_key(name)
        deprecated = is_true(d.kwargs.get("deprecated"))
        if previous is not None and (previous[2] != d.branch or previous[3] != deprecated or previous[4]):
            previous = None  # another if/for branch, deprecation group or after a preferred one
        if previous is not None and key > previous[0] and not _build_tags_of_one_release(name, previous[1]):
            yield finding(
                "PESO-S006",
                recipe,
                d.node,
                "version %r listed after older %r; list versions newest first" % (name, previous[1]),
            )
        previous = (key, name, d.branch, deprecated, is_true(d.kwargs.get("preferred")))


def _build_tags_of_one_release(name: str, other: str) -> bool:
    """``5.3.0-cp310`` and ``5.3.0-cp39`` (py-itk's per-Python wheels): one release in
    several builds, whose order says nothing about which is newer."""
    if "-" not in name or "-" not in other:
        return False
    return name.split("-", 1)[0] == other.split("-", 1)[0]


def _duplicate_versions(tree: ast.AST):
    """``(first, again)`` statement pairs: a ``version("X", ...)`` declared again later in the
    same class body (``with`` blocks included; the two arms of an ``if`` are alternatives,
    so only straight-line statements count). The one detector of PESO-S009 and its fixer."""
    for cls in getattr(tree, "body", []):
        if not isinstance(cls, ast.ClassDef):
            continue
        seen: Dict[str, ast.stmt] = {}
        statements = list(cls.body)
        while statements:
            stmt = statements.pop(0)
            if isinstance(stmt, ast.With):
                statements[:0] = stmt.body
                continue
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "version"
                and call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
            ):
                continue
            name = call.args[0].value
            if name in seen:
                yield seen[name], stmt
            else:
                seen[name] = stmt


def fix_duplicate_version(tree: ast.AST, lines: List[str]) -> List[Edit]:
    """Delete a repeated declaration that is the same text as the first, line and all; one
    that differs (another tag, another checksum) needs a person to say which is right."""
    edits = []
    for first, again in _duplicate_versions(tree):
        end = again.end_lineno or again.lineno
        alone = (
            lines[again.lineno - 1][: again.col_offset].strip() == ""
            and not lines[end - 1][again.end_col_offset or 0 :].split("#")[0].strip()
        )
        if alone and segment(lines, first) == segment(lines, again):
            edits.append(
                Edit(again.lineno, 0, end + 1, 0, "")
                if end < len(lines)
                else Edit(again.lineno, 0, end, len(lines[end - 1]), "")
            )
    return edits


@rule("PESO-S009", fix=fix_duplicate_version)
def duplicate_version(recipe):
    if recipe.tree is None or recipe.source.count("version(") < 2:
        return
    for first, again in _duplicate_versions(recipe.tree):
        yield finding(
            "PESO-S009",
            recipe,
            again.value,
            "version %r is declared again (first at line %d); Spack keeps only this later one"
            % (again.value.args[0].value, first.lineno),
        )
