"""The one detector of spec tests in recipe code.

``"+x" in spec`` reads as ``spec.satisfies("+x")`` but is easy to get subtly wrong, so
the model (PESO-R003), its fixer and ``--deep``'s variant checks (PESO-K001) all ask
this module: :func:`spec_membership` for the ``in`` / ``not in`` idiom on a spec or a
dependency's spec, :func:`spec_test` for that and ``<spec>.satisfies("...")``.
"""

import ast
import re
from typing import Optional, Tuple

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


def spec_test(node) -> Optional[Tuple[str, ast.expr, bool]]:
    """``(spec text, spec expression, negated)`` for every literal question recipe code
    asks a spec: the membership idiom (:func:`spec_membership`) and
    ``spec.satisfies("+x")`` / ``self.spec["dep"].satisfies("@2:")``; else None."""
    if node.__class__ is ast.Compare:
        return spec_membership(node)
    if node.__class__ is not ast.Call or not node.args:
        return None
    func = node.func
    if func.__class__ is ast.Attribute and func.attr == "satisfies" and is_spec_expr(func.value):
        first = node.args[0]
        if first.__class__ is ast.Constant and first.value.__class__ is str:
            return first.value, func.value, False
    return None
