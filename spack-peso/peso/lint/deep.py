"""``spack peso lint --deep``: the checks that need Spack with package classes loaded.

Three things the static linter cannot know without importing the recipes:

* every ``spack audit packages`` check, run one package at a time and one check
  function at a time, so that (unlike ``spack audit``, which stops printing after the
  first failing tag) nothing is lost and each error is filed under the rule that
  lists its function in ``rules-deep.yaml``, with a ``file:line`` found in the AST
  (:mod:`.deep_locate`);
* inherited stand-alone tests (``spack.install_test.test_functions``): a package
  whose base class provides ``test_*`` methods is not "untested", so with ``--deep``
  the static no-standalone-test finding is dropped for it;
* variants that a method tests for (``self.spec.satisfies("+x")``) but that neither
  the class nor a base class defines (PESO-K001).

The work is spread over forked worker processes (the classes load in each worker), so
a whole-repository deep run costs less wall time than ``spack audit packages`` alone.
Functions whose name starts with ``spack_`` need to run inside Spack; the rest do not.
"""

import ast
import dataclasses
import multiprocessing
import os
import subprocess
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..errors import PesoError
from ..recipe.spec_tests import spec_membership
from .deep_locate import RecipeIndex, locate
from .registry import RULES, Finding

#: the rule a check function lands in when rules-deep.yaml does not list it
FALLBACK_RULE = "PESO-A000"
#: rule for variants tested in method bodies that the package does not define
SPEC_CHECK_RULE = "PESO-K001"
#: names (in rules.yaml) of the static "has no stand-alone test" rules that --deep
#: overrides when the loaded class inherits test_* methods
NO_TEST_RULE_NAMES = ("no-standalone-test", "build-time-tests-only")
#: the audit group `spack audit packages` runs
AUDIT_GROUP = "packages"


@dataclasses.dataclass
class AuditIssue:
    """One ``spack.audit.Error`` with the tag and check function that produced it."""

    tag: str
    check: str
    summary: str
    details: Tuple[str, ...]


@dataclasses.dataclass
class PackageFacts:
    """What a worker learnt about one package with its class loaded."""

    name: str
    path: str = ""
    issues: List[AuditIssue] = dataclasses.field(default_factory=list)
    tests: List[str] = dataclasses.field(default_factory=list)
    variants: List[str] = dataclasses.field(default_factory=list)
    load_error: str = ""


# --------------------------------------------------------------------------------------
# rule lookup (data in rules-deep.yaml)


def check_to_rule() -> Dict[str, str]:
    """audit check function name -> peso rule id, from the ``audit_checks`` keys."""
    table = {}
    for rule in RULES.values():
        for check in rule.doc.get("audit_checks") or ():
            table[check] = rule.id
    return table


def deep_rule_ids() -> set:
    """IDs of the rules documented in rules-deep.yaml (audit-derived and K001)."""
    return {r.id for r in RULES.values() if "audit_checks" in r.doc}


def no_test_rule_ids() -> set:
    """IDs of the static no-stand-alone-test rules (looked up by name in the registry)."""
    return {rule.id for rule in RULES.values() if rule.name in NO_TEST_RULE_NAMES}


# --------------------------------------------------------------------------------------
# inside Spack: collect facts per package


def spack_audit_checks() -> List[Tuple[str, object]]:
    """(tag, function) for every check of the ``packages`` audit group, in audit's order."""
    import spack.audit

    return [
        (tag, fn) for tag in spack.audit.GROUPS[AUDIT_GROUP] for fn in spack.audit.CALLBACKS[tag].callbacks
    ]


def spack_package_facts(name: str, audit: bool = True) -> PackageFacts:
    """Run every audit check on one package (unless ``audit`` is False) and record its
    tests and variants."""
    import spack.audit
    import spack.install_test
    import spack.repo

    facts = PackageFacts(name=name)
    try:
        facts.path = spack.repo.PATH.filename_for_package_name(name)
        pkg_cls = spack.repo.PATH.get_pkg_class(name)
    except Exception as e:  # a recipe that does not even load
        facts.load_error = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
        return facts
    for tag, fn in spack_audit_checks() if audit else ():
        try:
            errors = fn(pkgs=[name], error_cls=spack.audit.Error)
        except Exception as e:
            facts.issues.append(
                AuditIssue(tag, fn.__name__, "audit check %s crashed on %s: %s" % (fn.__name__, name, e), ())
            )
            continue
        for err in errors:
            facts.issues.append(AuditIssue(tag, fn.__name__, str(err.summary), tuple(str(d) for d in err.details)))
    try:
        facts.tests = sorted("%s.%s" % (cls, fn.__name__) for cls, fn in spack.install_test.test_functions(pkg_cls))
    except Exception:
        facts.tests = []
    try:
        facts.variants = sorted(pkg_cls.variant_names())
    except Exception:
        facts.variants = []
    return facts


#: whether the workers of the current collection run the audit checks (set before forking)
_AUDIT = True


def _facts_chunk(names: Sequence[str]) -> List[Tuple[PackageFacts, List[Finding]]]:
    """Facts and findings of some packages (findings are made here: parsing the recipes
    for line numbers is spread over the workers too)."""
    out = []
    for name in names:
        facts = spack_package_facts(name, _AUDIT)
        findings = findings_from_facts(facts, facts.path) if (_AUDIT and facts.path) else []
        out.append((facts, findings))
    return out


class _MemoizedGetsource:
    """Make ``inspect.getsource`` remember its answers for the duration of a collection.

    Audit's test/deprecated-method checks call ``inspect.getsource`` on every method of
    every class in a package's MRO, so the methods of PackageBase and the build-system
    bases are re-read and re-tokenized for each of 8,900 packages: that alone is about
    half of ``spack audit packages``' time. A function's source cannot change during one
    run, so caching by function object gives the same answers, once.
    """

    def __enter__(self):
        import inspect

        self._inspect = inspect
        self._original = original = inspect.getsource
        cache: Dict[object, str] = {}

        def getsource(obj):
            try:
                return cache[obj]
            except KeyError:
                text = cache[obj] = original(obj)
                return text
            except TypeError:  # unhashable: no caching
                return original(obj)

        inspect.getsource = getsource
        return self

    def __exit__(self, *exc):
        self._inspect.getsource = self._original
        return False


def spack_collect_findings(names: Sequence[str], jobs: int = 0, audit: bool = True):
    """(facts by name, findings) for every package name, in ``jobs`` forked workers."""
    global _AUDIT
    import spack.repo

    _AUDIT = audit
    spack.repo.PATH.all_package_names()  # build the index once, before forking
    jobs = jobs or os.cpu_count() or 1
    names = list(names)
    facts: Dict[str, PackageFacts] = {}
    findings: List[Finding] = []
    with _MemoizedGetsource():
        if jobs <= 1 or len(names) < 8:
            results = [_facts_chunk(names)]
        else:
            # small chunks handed out dynamically: recipe costs vary a lot (boost vs zlib)
            size = max(1, min(40, len(names) // (jobs * 8) or 1))
            chunks = [names[i : i + size] for i in range(0, len(names), size)]
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(jobs) as pool:
                results = list(pool.imap_unordered(_facts_chunk, chunks))
    for chunk in results:
        for f, found in chunk:
            facts[f.name] = f
            findings.extend(found)
    return facts, findings


def spack_names_for_paths(files: Iterable[Tuple[str, str]]) -> Tuple[Dict[str, str], List[str]]:
    """Map (path, package name) pairs to packages of the configured repositories.

    Returns (name -> path, paths that no configured repository holds under that name:
    those cannot be loaded, so deep checks skip them).
    """
    import spack.repo

    found, outside = {}, []
    for path, name in files:
        try:
            known = spack.repo.PATH.filename_for_package_name(name) if spack.repo.PATH.exists(name) else None
        except Exception:
            known = None
        if known and os.path.realpath(known) == os.path.realpath(path):
            found[name] = path
        else:
            outside.append(path)
    return found, outside


def spack_deep(files: Iterable[Tuple[str, str]], jobs: int = 0, audit: bool = True):
    """Deep findings for linted files: ``(findings, facts by name, paths skipped)``.

    Findings carry the path the caller linted (which may differ from Spack's spelling
    of it, e.g. through a symlink).
    """
    names, outside = spack_names_for_paths(files)
    facts, findings = spack_collect_findings(sorted(names), jobs, audit)
    for f in findings:
        f.path = names.get(f.package, f.path)
    findings.sort(key=Finding.sort_key)
    return findings, facts, outside


# --------------------------------------------------------------------------------------
# facts -> findings (no Spack needed)


def findings_from_facts(facts: PackageFacts, path: str, source: Optional[str] = None) -> List[Finding]:
    """peso findings for one package: its audit errors located in its recipe, and K001."""
    if source is None:
        try:
            with open(path, encoding="utf-8") as f:
                source = f.read()
        except OSError:
            source = ""
    index = RecipeIndex(source)
    rules_by_check = check_to_rule()
    findings = []
    if facts.load_error:
        findings.append(_make(FALLBACK_RULE, facts.name, path, index.class_line, "package class fails to load: " + facts.load_error))
    for issue in facts.issues:
        rule_id = rules_by_check.get(issue.check, FALLBACK_RULE)
        strategy = RULES[rule_id].doc.get("locate", "class")
        message = _message(issue)
        # checks that bundle one detail per offending line get one finding per line
        per_line = [d for d in issue.details if ":" in d and d.startswith(path.rstrip())] if path else []
        if per_line and strategy in ("boilerplate", "method"):
            for detail in per_line:
                line, _ = locate(strategy, issue.summary, (detail,), index)
                findings.append(_make(rule_id, facts.name, path, line, "%s: %s" % (issue.summary, detail.split(": ", 1)[-1])))
            continue
        line, exact = locate(strategy, issue.summary, issue.details, index)
        if not exact:
            message += " (not written in this file: inherited or computed)"
        findings.append(_make(rule_id, facts.name, path, line, message))
    findings.extend(_unknown_variant_checks(facts, path, source))
    return findings


def _message(issue: AuditIssue) -> str:
    details = [d.strip() for d in issue.details if d.strip() and not d.strip().startswith("in /")]
    details = [d for d in details if not d.startswith("happening in ")]
    text = issue.summary
    if details:
        text += " [" + "; ".join(details) + "]"
    return "%s (spack audit %s/%s)" % (text, issue.tag, issue.check)


def _make(rule_id: str, package: str, path: str, line: int, message: str) -> Finding:
    rule = RULES[rule_id]
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=message,
        path=path,
        line=line,
        column=1 if line else 0,
        package=package,
        policies=rule.policies,
        name=rule.name,
    )


def _unknown_variant_checks(facts: PackageFacts, path: str, source: str) -> List[Finding]:
    """PESO-K001: spec checks in methods naming variants the loaded class does not have."""
    if not facts.variants or not source or SPEC_CHECK_RULE not in RULES:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    known = set(facts.variants)
    findings = []
    for node, spec_text in spec_checks(tree):
        for variant in root_variant_names(spec_text, facts.name):
            if variant not in known:
                findings.append(
                    _make(
                        SPEC_CHECK_RULE,
                        facts.name,
                        path,
                        node.lineno,
                        "spec check %r names variant '%s', which %s does not define (own or inherited)"
                        % (spec_text, variant, facts.name),
                    )
                )
    return findings


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
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "satisfies"
                and own(node.func.value)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield node, node.args[0].value
            else:
                membership = spec_membership(node)  # the model's detector (PESO-R003)
                if membership is not None and own(membership[1]):
                    yield node, membership[0]


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


def apply_inherited_tests(findings: List[Finding], facts: Dict[str, PackageFacts]) -> List[Finding]:
    """Drop the static no-stand-alone-test findings for packages with inherited tests."""
    rule_ids = no_test_rule_ids()
    tested = {name for name, f in facts.items() if f.tests}
    return [f for f in findings if not (f.rule in rule_ids and f.package in tested)]


# --------------------------------------------------------------------------------------
# outside Spack


def reexec_in_spack(argv: Sequence[str]) -> int:
    """Run ``spack peso <argv>`` through the real Spack and return its exit status.

    ``-c config:extensions:[<this extension>]`` makes that Spack load this very copy of
    spack-peso even when it runs a Python where the package is not installed.
    """
    from ..spackcall.runtime import require_spack

    spack = require_spack()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        return subprocess.call([spack, "-c", "config:extensions:[%s]" % root, "peso", *argv])
    except OSError as e:
        raise PesoError("cannot run %s: %s" % (spack, e))


def _no_static_check(recipe):
    """Deep rules find nothing in a recipe's text; :func:`collector` adds their findings."""
    return ()


def register_rules() -> None:
    """Make the deep rules known to the lint engine for this run (``--deep``).

    Bound to a no-op static check, they are listed, selected (``--select PESO-A``,
    ``--ignore PESO-K001``, policy IDs) and given profile severities exactly like the
    static rules; only a run with ``--deep`` registers them.
    """
    for rule_id in deep_rule_ids():
        if RULES[rule_id].check is None:
            RULES[rule_id].check = _no_static_check


def collector(jobs: int = 0):
    """The ``deep`` hook of :func:`peso.lint.engine.lint` (inside Spack): the deep findings
    of the linted files, a filter dropping the static no-stand-alone-test finding of
    packages whose base class provides tests, and the paths Spack could not load. The
    engine applies selection, profile severities, inline suppressions and waivers to deep
    findings exactly as to static ones."""

    def deep(files):
        findings, facts, outside = spack_deep(files, jobs)
        return findings, (lambda static: apply_inherited_tests(static, facts)), outside

    return deep


def lint_argv(argv: Optional[Sequence[str]] = None) -> List[str]:
    """``lint ...`` as given to this process (``python -m peso lint --deep X`` -> ``lint --deep X``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return argv[argv.index("lint"):] if "lint" in argv else ["lint", *argv]
