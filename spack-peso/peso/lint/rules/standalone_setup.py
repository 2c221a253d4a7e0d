"""Install-time set-up of stand-alone tests (E4S P2, xSDK R1): defects that only show
when ``spack test run`` runs, found in the recipe before anyone builds.

* PESO-T008: an install-time hook writes the build-time compiler (Spack's compiler
  wrapper, from ``os.environ["CC"]``, ``spack_cc`` or ``self.compiler.cc``) into the test
  sources it caches. At test time Spack 1.x's wrapper refuses to run outside a build
  ("Spack compiler must be run from Spack!"), so the test fails (superlu).
* PESO-T009: a ``@run_after``/``@run_before`` callback defined on the package class of
  a recipe that defines its own builder class. ``spack.builder._create`` returns the
  recipe's builder as it is ("in case a builder is explicitly coded in package.py, no
  attempt is made to look for build-related methods in the *Package"); only the adapter
  built for old-style packages merges the package's callbacks
  (``_PackageAdapterMeta.combine_callbacks``). So the callback never runs, and a test that
  relies on it finds nothing cached (hypre).
"""

import ast
from typing import Dict, List, Optional, Set

from ...recipe.model import Method
from ...recipe.syntax import dotted_name, literal_str
from ..registry import rule
from ._common import finding, package_methods

COMPILER_VARIABLES = frozenset(("CC", "CXX", "FC", "F77"))
ENVIRON_NAMES = frozenset(("os.environ", "environ", "env"))
SPACK_COMPILER_NAMES = frozenset(("spack_cc", "spack_cxx", "spack_fc", "spack_f77"))
COMPILER_ATTRIBUTES = frozenset(("cc", "cxx", "fc", "f77"))
CACHING_CALLS = frozenset(("cache_extra_test_sources", "install_test_root"))
CALLBACK_DECORATORS = frozenset(("run_after", "run_before"))


def _is_callback(method: Method) -> bool:
    return any(d.rsplit(".", 1)[-1] in CALLBACK_DECORATORS for d in method.decorators)


def _callees(method: Method, methods: Dict[str, Method]) -> List[Method]:
    """The method and the methods of its class it calls through ``self.`` (transitively)."""
    seen: Set[str] = set()
    order = []
    todo = [method]
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        order.append(current)
        for node in ast.walk(current.node):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func
                if isinstance(target.value, ast.Name) and target.value.id == "self" and target.attr in methods:
                    todo.append(methods[target.attr])
    return order


def _compiler_reference(node) -> Optional[str]:
    """How a node names the build-time compiler, or None."""
    if isinstance(node, ast.Subscript) and dotted_name(node.value) in ENVIRON_NAMES:
        key = literal_str(node.slice)
        if key in COMPILER_VARIABLES:
            return '%s["%s"]' % (dotted_name(node.value), key)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        if (
            dotted_name(node.func.value) in ENVIRON_NAMES
            and node.args
            and literal_str(node.args[0]) in COMPILER_VARIABLES
        ):
            return '%s.get("%s")' % (dotted_name(node.func.value), literal_str(node.args[0]))
    if isinstance(node, ast.Name) and node.id in SPACK_COMPILER_NAMES:
        return node.id
    if (
        isinstance(node, ast.Attribute)
        and node.attr in COMPILER_ATTRIBUTES
        and dotted_name(node.value) == "self.compiler"
    ):
        return "self.compiler." + node.attr
    return None


@rule("PESO-T008")
def build_compiler_in_test_sources(recipe):
    methods = {m.name: m for m in package_methods(recipe)}
    for hook in methods.values():
        if not _is_callback(hook):
            continue
        reached = _callees(hook, methods)
        caches = any(
            isinstance(n, ast.Call) and dotted_name(n.func).rsplit(".", 1)[-1] in CACHING_CALLS
            for m in reached
            for n in ast.walk(m.node)
        )
        if not caches:
            continue
        for m in reached:
            for node in ast.walk(m.node):
                reference = _compiler_reference(node)
                if reference:
                    yield finding(
                        "PESO-T008",
                        recipe,
                        node,
                        "install-time hook %s() writes the build-time compiler (%s) into "
                        "cached test sources: Spack's wrapper does not run at test time; "
                        "resolve the compiler in the test" % (hook.name, reference),
                    )
                    break
            else:
                continue
            break


@rule("PESO-T009")
def callback_not_called(recipe):
    cls = recipe.package_class
    if cls is None:
        return
    builders = [
        c.name
        for c in recipe.classes
        if c is not cls and c.name.endswith("Builder") and any(b.endswith("Builder") for b in c.base_names)
    ]
    if not builders:
        return
    for method in package_methods(recipe):
        if _is_callback(method):
            decorators = getattr(method.node, "decorator_list", None) or [method.node]
            callback = next(
                (d for d in decorators if dotted_name(getattr(d, "func", d)).rsplit(".", 1)[-1] in CALLBACK_DECORATORS),
                decorators[0],
            )
            yield finding(
                "PESO-T009",
                recipe,
                callback,  # the @run_after line is what makes it a callback: point there
                "%s() is a build callback on the package class, but the recipe defines "
                "%s: Spack runs that builder's callbacks only, so this one never runs; "
                "move it into the builder" % (method.name, ", ".join(builders)),
            )
