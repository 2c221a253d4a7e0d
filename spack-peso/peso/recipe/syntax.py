"""Small readers of syntax-tree nodes that every part of the recipe model and the rules
share: dotted names, string literals, docstrings."""

import ast
import re
from typing import Optional

_SPEC_NAME = re.compile(r"\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)")


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


def docstring_of(body: list) -> Optional[str]:
    if body and isinstance(body[0], ast.Expr):
        return literal_str(body[0].value)
    return None


def spec_name(spec: Optional[str]) -> Optional[str]:
    """The package name a literal spec starts with (``"hdf5@1.10:+mpi"`` -> ``hdf5``)."""
    if not spec:
        return None
    m = _SPEC_NAME.match(spec)
    return m.group(1) if m else None


def spec_name_of(node) -> Optional[str]:
    """The package name a spec expression names: a literal (``"hdf5@1.10:"``) or an
    f-string whose literal start holds the whole name (``f"hsa-rocr-dev@{ver}"``; not
    ``f"py-{name}"``, where the name goes on in the placeholder)."""
    text = literal_str(node)
    if text is not None:
        return spec_name(text)
    if isinstance(node, ast.JoinedStr) and node.values:
        head = literal_str(node.values[0]) or ""
        m = _SPEC_NAME.match(head)
        if m and m.end() < len(head):
            return m.group(1)
    return None
