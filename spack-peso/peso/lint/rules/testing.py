"""Stand-alone tests (E4S P2/P9, FP2, xSDK R1): a real ``test_*`` method exists, is
documented and non-empty, uses the current test API, and needs no privileges or
batch scheduler. Build-time ``check()`` is not a stand-alone test."""

import ast
import re
from typing import Set

from ...recipe.syntax import dotted_name, literal_str
from ..registry import rule
from ._common import build_info, class_location, finding, package_methods, real_tests

BUILD_TIME_METHODS = ("check", "installcheck", "check_install", "test_install")
DEPRECATED_CALLS = {
    "self.run_test": "use test_* methods with self.test_part / Executable calls",
    "self.cache_extra_test_sources": "use cache_extra_test_sources(self, ...)",
    "self.install_test_root": "use install_test_root(self)",
}
LAUNCHERS = ("sudo", "srun", "jsrun", "sbatch", "qsub", "bsub", "salloc", "flux", "aprun")
LAUNCHER_CMD = re.compile(r"^\s*(?:\S*/)?(%s)(?:\s|$)" % "|".join(LAUNCHERS))
STALE_FLAGS = ("test_requires_compiler", "extra_install_tests", "cache_test_sources")


def _has_build_time_tests(recipe) -> bool:
    for method in recipe.all_methods():
        if method.name in BUILD_TIME_METHODS:
            return True
        for dec in method.node.decorator_list:
            if isinstance(dec, ast.Call) and any(
                k.arg == "run_tests" and getattr(k.value, "value", None) is True for k in dec.keywords
            ):
                return True
    return False


def _needs_test(recipe) -> bool:
    info = build_info(recipe)
    return not (info.inherited_tests or info.no_code)


def _inherited_hint(recipe) -> str:
    """Bases from other packages may define test_* methods the file cannot show; the
    finding says so (``--deep`` loads the class and drops it when one is inherited)."""
    unknown = build_info(recipe).unknown
    return " (unless base class %s provides one)" % ", ".join(unknown) if unknown else ""


@rule("PESO-T001")
def no_standalone_test(recipe):
    if recipe.package_class is None or real_tests(recipe) or not _needs_test(recipe):
        return
    if _has_build_time_tests(recipe):
        return  # PESO-T004 says it more precisely
    yield finding(
        "PESO-T001",
        recipe,
        class_location(recipe),
        "no stand-alone test: add a documented test_* method run by 'spack test run'" + _inherited_hint(recipe),
    )


@rule("PESO-T002")
def test_empty(recipe):
    for method in package_methods(recipe):
        if method.is_test and method.is_empty:
            yield finding("PESO-T002", recipe, method.node, "test method %s() has no body" % method.name)


@rule("PESO-T003")
def deprecated_test_api(recipe):
    for method in recipe.all_methods():
        if method.name == "test":
            yield finding(
                "PESO-T003", recipe, method.node, "def test(self) is the removed test API; write test_* methods"
            )
    source = recipe.source or ""
    calls = recipe.calls if any(name.split(".")[-1] + "(" in source for name in DEPRECATED_CALLS) else ()
    for name, node in calls:
        advice = DEPRECATED_CALLS.get(name)
        if advice:
            yield finding("PESO-T003", recipe, node, "deprecated %s(): %s" % (name, advice))
    callbacks = recipe.attributes.get("build_time_test_callbacks")
    if callbacks is not None and isinstance(callbacks.value, (ast.List, ast.Tuple)):
        for element in callbacks.value.elts:
            name = literal_str(element)
            if name and name.startswith("test_"):
                yield finding(
                    "PESO-T003", recipe, element, "stand-alone test %s listed in build_time_test_callbacks" % name
                )


@rule("PESO-T004")
def build_time_tests_only(recipe):
    if recipe.package_class is None or real_tests(recipe) or not _needs_test(recipe):
        return
    if _has_build_time_tests(recipe):
        yield finding(
            "PESO-T004",
            recipe,
            class_location(recipe),
            "only build-time tests (check/run_tests): these do not run after install; "
            "add a stand-alone test_* method" + _inherited_hint(recipe),
        )


@rule("PESO-T005")
def stale_test_flag(recipe):
    info = build_info(recipe)
    if recipe.package_class is None or real_tests(recipe) or info.opaque or info.inherited_tests:
        return  # PythonPackage's test_imports, PerlPackage's test_use are tests too
    for flag in STALE_FLAGS:
        attr = recipe.attributes.get(flag)
        if attr is not None and getattr(attr.value, "value", True) not in (False, None):
            yield finding(
                "PESO-T005", recipe, (attr.line, attr.col), "%s is set but the package has no test_* method" % flag
            )


@rule("PESO-T006")
def test_needs_privileges_or_scheduler(recipe):
    """One finding per statement that runs a launcher in a test method: a list of
    launchers to try is one choice, ``if exe == "srun"`` compares, it runs nothing, and
    a scheduler launcher listed after mpirun/mpiexec is only a fallback."""
    for method in package_methods(recipe):
        if not method.is_test:
            continue
        compared = {
            id(c)
            for node in ast.walk(method.node)
            if isinstance(node, ast.Compare)
            for c in [node.left] + node.comparators
        }
        compared |= _fallbacks(method.node)
        reported = set()
        for stmt in ast.walk(method.node):
            if not isinstance(stmt, ast.stmt) or stmt is method.node:
                continue
            for node in _own_nodes(stmt):
                launcher = _launcher(node, compared)
                if launcher and stmt.lineno not in reported:
                    reported.add(stmt.lineno)
                    yield finding(
                        "PESO-T006",
                        recipe,
                        node,
                        "test runs %r: tests must not need privileges or a batch scheduler" % launcher,
                    )


def _fallbacks(function):
    """Launchers listed beside mpirun/mpiexec in a list or call: alternatives the test
    tries in turn, so it does not *need* the scheduler. pumi tries ``["mpirun",
    "mpiexec", "srun"]``; strumpack and parallel-netcdf try ``["srun", mpirun, mpiexec]``
    and fall back when ``srun`` fails."""
    skip: Set[int] = set()
    for node in ast.walk(function):
        items = (
            node.elts if isinstance(node, (ast.List, ast.Tuple)) else node.args if isinstance(node, ast.Call) else ()
        )
        texts = [
            literal_str(item) or dotted_name(item) or (item.attr if isinstance(item, ast.Attribute) else "")
            for item in items
        ]
        if any(word in text for text in texts for word in ("mpirun", "mpiexec")):
            skip.update(id(item) for item in items)
    return skip


def _own_nodes(stmt):
    """The expression nodes of ``stmt`` itself, not of statements nested in it."""
    stack = [c for c in ast.iter_child_nodes(stmt) if not isinstance(c, ast.stmt)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt))


def _launcher(node, compared):
    """The launcher a node names as a command (a string or a call), else ''."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in compared:
        m = LAUNCHER_CMD.match(node.value)
        return m.group(1) if m else ""
    if isinstance(node, ast.Call):
        name = dotted_name(node.func).rsplit(".", 1)[-1]
        return name if name in LAUNCHERS else ""
    return ""


@rule("PESO-T007")
def test_docstring_missing(recipe):
    for method in package_methods(recipe):
        if method.is_test and not method.is_empty and not (method.docstring or "").strip():
            yield finding(
                "PESO-T007",
                recipe,
                method.node,
                "test method %s() has no docstring (spack test list shows it)" % method.name,
            )


#: calls that cannot fail for a reason that says anything about the installed package:
#: output, string and path arithmetic, spec questions (everything else, an Executable,
#: which(), make(), test_part(), a helper of the recipe, counts as a check)
INERT_CALLS = frozenset(
    (
        "print",
        "len",
        "str",
        "int",
        "float",
        "bool",
        "list",
        "dict",
        "set",
        "tuple",
        "sorted",
        "isinstance",
        "range",
        "enumerate",
        "zip",
        "repr",
        "format",
        "join_path",
        "any",
        "all",
        "min",
        "max",
        "os.path.join",
        "os.path.basename",
        "os.path.dirname",
        "os.path.exists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.islink",
        "os.path.splitext",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.relpath",
        "os.environ.get",
    )
)
#: prefixes of inert dotted callees: Spack's and Python's loggers, questions to the spec
INERT_PREFIXES = ("tty.", "logging.", "self.spec.satisfies", "self.spec.format", "self.spec.version.")
#: inert methods of strings, lists and dicts (not ``index``/``pop``, which raise when
#: the item is missing and so can check)
INERT_METHODS = frozenset(
    (
        "format",
        "join",
        "split",
        "splitlines",
        "strip",
        "rstrip",
        "lstrip",
        "replace",
        "startswith",
        "endswith",
        "lower",
        "upper",
        "append",
        "extend",
        "keys",
        "values",
        "items",
        "get",
        "satisfies",
        "encode",
        "decode",
        "copy",
        "update",
        "add",
        "count",
        "find",
    )
)


def _inert(call: ast.Call) -> bool:
    name = dotted_name(call.func)
    if name in INERT_CALLS or name.startswith(INERT_PREFIXES):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in INERT_METHODS


def _raises_skip(node: ast.Raise) -> bool:
    exc = node.exc
    callee = exc.func if isinstance(exc, ast.Call) else exc
    return "Skip" in dotted_name(callee) if callee is not None else False


def _can_fail(function: ast.AST) -> bool:
    """Something in the method can make the test fail: an assert, a raise (other than a
    skip), or a call that is not inert (an Executable or which() result, make(),
    test_part(), a helper of the recipe: anything we cannot prove harmless)."""
    for node in ast.walk(function):
        if node is function:
            continue
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Raise) and not _raises_skip(node):
            return True
        if isinstance(node, ast.Call) and not _inert(node):
            return True
    return False


def _skips_unconditionally(function: ast.FunctionDef) -> bool:
    """The body raises a skip at its top level: Spack reports the test as skipped, not
    passed, so nothing is faked."""
    return any(isinstance(stmt, ast.Raise) and _raises_skip(stmt) for stmt in function.body)


@rule("PESO-T010")
def test_checks_nothing(recipe):
    """Not for properties named ``test_*`` (strumpack's ``test_data_dir``: Spack runs
    callables only), empty methods (PESO-T002) or tests that skip unconditionally."""
    for method in package_methods(recipe):
        if not method.is_test or method.is_empty or any(d.endswith("property") for d in method.decorators):
            continue
        node = method.node
        if _skips_unconditionally(node) or _can_fail(node):
            continue
        yield finding(
            "PESO-T010",
            recipe,
            node,
            "test method %s() runs nothing that can fail (no executable, which(), make(), test_part(), "
            "assert or raise): it passes whatever was installed" % method.name,
        )
