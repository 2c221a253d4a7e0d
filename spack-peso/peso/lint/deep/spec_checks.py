"""PESO-K001: spec checks in methods naming variants the loaded class does not define.

Reads the recipe's syntax tree for ``self.spec.satisfies("+x")`` and ``"+x" in spec``
(through the recipe model's one detector), then asks Spack's spec parser which root
variants each names, and compares them with the loaded class's variants.
"""

import ast
from typing import List, Tuple

from ...recipe.spec_tests import spec_test
from ..registry import rule


@rule("PESO-K001", kind="deep")
def unknown_variant_checks(package: str, variants: List[str], source: str) -> List[Tuple[int, str]]:
    """(line, message) for each spec check in a method of ``source`` naming a variant of
    ``package`` that is not among ``variants`` (own or inherited, from the loaded class)."""
    if not source:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    known = set(variants)
    found = []
    for node, spec_text in spec_checks(tree):
        for variant in root_variant_names(spec_text, package):
            if variant not in known:
                message = "spec check %r names variant '%s', which %s does not define (own or inherited)" % (
                    spec_text,
                    variant,
                    package,
                )
                found.append((node.lineno, message))
    return found


#: phase methods Spack calls as ``method(self, spec, prefix)``: their ``spec`` is the package's
PHASES_WITH_SPEC = frozenset(
    ("install", "build", "configure", "edit", "autoreconf", "cmake", "meson", "patch", "check", "installcheck")
)


def _own_spec_aliases(func: ast.AST) -> bool:
    """True if a bare ``spec`` inside ``func`` is the package's own spec."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    params = [a.arg for a in func.args.args]
    if func.name in PHASES_WITH_SPEC and params[:2] == ["self", "spec"]:
        return True
    if "spec" in params:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and _is_self_spec(node.value):
            if any(isinstance(t, ast.Name) and t.id == "spec" for t in node.targets):
                return True
    return False


def _is_self_spec(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "spec"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def spec_checks(tree: ast.AST):
    """(node, spec string) for ``<spec>.satisfies("...")`` and ``"..." in <spec>``, where
    ``<spec>`` is ``self.spec`` or a bare ``spec`` known to alias it in that method."""
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        bare_ok = _own_spec_aliases(func)

        def own(node):
            return _is_self_spec(node) or (bare_ok and isinstance(node, ast.Name) and node.id == "spec")

        for node in _walk_no_nested(func):
            test = spec_test(node)  # the model's one detector (PESO-R003 uses it too)
            if test is not None and own(test[1]):
                yield node, test[0]


def _walk_no_nested(func):
    """Nodes of a function body, not descending into nested function definitions."""
    stack = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.append(child)


def root_variant_names(spec_text: str, package: str) -> List[str]:
    """Variant names a spec string sets on the package itself (Spack's parser)."""
    try:
        import spack.spec

        spec = spack.spec.Spec(spec_text)
    except Exception:
        return []
    if spec.name and spec.name != package:
        return []
    return [n for n in spec.variants if n not in ("patches", "dev_path", "commit", "build_system")]
