"""Small readers of syntax-tree nodes that every part of the recipe model and the rules
share: dotted names, string literals, docstrings."""

import ast
from typing import Optional


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
