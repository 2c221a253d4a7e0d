"""The one walk over every node of a recipe: calls, string literals, spec tests,
watched names and comments, collected in a single pass when a rule first asks."""

import ast
import dataclasses
import io
import tokenize
from typing import Dict, List, Optional, Tuple

from .spec_tests import spec_membership
from .syntax import dotted_name


@dataclasses.dataclass
class NodeFacts:
    """What one walk over every node of a recipe collects (see :func:`walk_nodes`)."""

    calls: List[Tuple[str, ast.Call]] = dataclasses.field(default_factory=list)
    strings: List[ast.Constant] = dataclasses.field(default_factory=list)
    spec_membership: List[Tuple[str, ast.Compare]] = dataclasses.field(default_factory=list)
    name_uses: Dict[str, List[ast.Name]] = dataclasses.field(default_factory=dict)
    comments: Dict[int, str] = dataclasses.field(default_factory=dict)


def walk_nodes(tree: ast.AST, source: Optional[str], facts: NodeFacts) -> None:
    """Collect calls, string literals and ``"+x" in spec`` tests in one pass.

    A hand-rolled stack walk: ``ast.walk`` costs twice as much through its generators,
    and leaf nodes (names, constants, contexts) need no descent."""
    calls = facts.calls
    strings = facts.strings
    joined = []
    Call, Constant, Compare, JoinedStr, Name = (
        ast.Call,
        ast.Constant,
        ast.Compare,
        ast.JoinedStr,
        ast.Name,
    )
    fields_of = _CHILD_FIELDS
    watched = WATCHED_NAMES
    stack: list = [tree]
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
            fields = fields_of[cls] = tuple(f for f in getattr(cls, "_fields", ()) if f not in _LEAF_FIELDS)
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
    facts.comments = _comments(source or "", strings, joined)


def _position(node):
    return node.lineno, node.col_offset


#: names whose every use the model records (Spack's deprecated build-system globals)
WATCHED_NAMES = frozenset(("std_cmake_args", "std_meson_args", "std_pip_args"))

#: node class -> fields that may hold child nodes (filled lazily by the walk)
_CHILD_FIELDS: dict = {}
#: fields that never hold nodes worth visiting
_LEAF_FIELDS = frozenset(
    (
        "ctx",
        "id",
        "attr",
        "arg",
        "kind",
        "type_comment",
        "name",
        "module",
        "level",
        "asname",
        "conversion",
        "is_async",
        "simple",
        "names",
        "op",
        "ops",
        "kwd_attrs",
        "rest",
        "tag",
    )
)


def _comments(text: str, strings, joined) -> Dict[int, str]:
    """Line -> comment, found by masking string literals (their spans come from the
    walk) instead of running the pure-Python tokenizer, which costs as much as parsing.
    Falls back to ``tokenize`` when an implicitly concatenated multi-line string makes
    the spans ambiguous."""
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
