"""Inside Spack: load each package and collect what the deep rules need.

Every audit check of the ``packages`` group runs one package at a time, the class's
inherited stand-alone tests and variants are read, and the findings are made in the
same worker (parsing recipes for line numbers is spread too). Workers are plain forks
(:func:`peso.lint.runner.fork_map`), the same choice as the static lint.
Functions whose name starts with ``spack_`` need to run inside Spack; the rest do not.
"""

import dataclasses
import os
import subprocess
import sys
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ...errors import PesoError
from ..registry import Finding
from ..runner import fork_map
from .findings import AuditIssue, PackageFacts, apply_inherited_tests, findings_from_facts

#: the audit group `spack audit packages` runs
AUDIT_GROUP = "packages"


def spack_audit_checks() -> List[Tuple[str, Callable]]:
    """(tag, function) for every check of the ``packages`` audit group, in audit's order."""
    import spack.audit

    return [(tag, fn) for tag in spack.audit.GROUPS[AUDIT_GROUP] for fn in spack.audit.CALLBACKS[tag].callbacks]


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
    except (Exception, SystemExit) as e:  # a recipe that does not even load (or exits)
        facts.load_error = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
        return facts
    for tag, fn in spack_audit_checks() if audit else ():
        try:
            errors = fn(pkgs=[name], error_cls=spack.audit.Error)
        except (Exception, SystemExit) as e:
            facts.issues.append(
                AuditIssue(
                    tag,
                    fn.__name__,
                    "Spack's audit check %s crashed on %s: %s: %s" % (fn.__name__, name, type(e).__name__, e),
                    (),
                    crashed=True,
                )
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
        import inspect

        inspect.getsource = self._original
        return False


class _TolerantIndexes:
    """Let Spack's repository indexes (providers, tags, patches) be built without the
    recipes that fail to load, for the duration of a collection.

    Spack builds every index by loading every package of a repository, so one recipe
    that raises on import would make each index - and with them most audit checks of
    every other package - fail: one bad recipe aborted the whole ``--deep`` run. With
    this, an index simply lacks that package; the package itself is reported when it is
    loaded for its own checks (PESO-A010, package-not-loadable), and the run goes on.
    """

    def __enter__(self):
        import spack.repo

        self._originals = []
        for indexer in spack.repo.Indexer.__subclasses__():
            original = indexer.__dict__.get("update")
            if original is None:
                continue
            self._originals.append((indexer, original))
            indexer.update = self._tolerant(original)
        return self

    @staticmethod
    def _tolerant(update):
        def tolerant_update(indexer, pkg_fullname):
            try:
                return update(indexer, pkg_fullname)
            except (Exception, SystemExit):  # the package does not load: index the others
                return None

        return tolerant_update

    def __exit__(self, *exc):
        for indexer, original in self._originals:
            indexer.update = original
        return False


def spack_collect_findings(names: Sequence[str], jobs: int = 0, audit: bool = True):
    """(facts by name, findings) for every package name, in ``jobs`` forked workers."""
    global _AUDIT
    import spack.repo

    _AUDIT = audit
    jobs = jobs or os.cpu_count() or 1
    names = list(names)
    facts: Dict[str, PackageFacts] = {}
    findings: List[Finding] = []
    with _MemoizedGetsource(), _TolerantIndexes():
        spack.repo.PATH.all_package_names()  # build the indexes once, before forking
        if jobs <= 1 or len(names) < 8:
            results = _facts_chunk(names)
        else:
            results = fork_map(_facts_chunk, names, min(jobs, len(names)))
    for f, found in results:
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


@dataclasses.dataclass
class DeepCollector:
    """The ``deep`` hook of :func:`peso.lint.engine.lint` (inside Spack), the one way
    ``lint --deep`` and ``policy report`` add what loaded packages show: the deep
    findings of the linted files (when ``audit``), a filter dropping the static
    no-stand-alone-test finding of packages whose base class provides tests, and the
    paths Spack could not load. The engine applies selection, profile severities,
    inline suppressions and waivers to deep findings exactly as to static ones."""

    jobs: int = 0
    #: run the audit checks and K001 (the deep rules); False: inherited tests only
    audit: bool = True

    def collect(self, files: Iterable[Tuple[str, str]]):
        findings, facts, outside = spack_deep(files, self.jobs, self.audit)
        return findings, (lambda static: apply_inherited_tests(static, facts)), outside


def reexec_in_spack(argv: Sequence[str]) -> int:
    """Run ``spack peso <argv>`` through the real Spack and return its exit status.

    ``-c config:extensions:[<this extension>]`` makes that Spack load this very copy of
    spack-peso even when it runs a Python where the package is not installed.
    """
    from ...spackcall.runtime import require_spack

    spack = require_spack()
    #: spack-peso/peso/lint/deep -> spack-peso
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    try:
        return subprocess.call([spack, "-c", "config:extensions:[%s]" % root, "peso", *argv])
    except OSError as e:
        raise PesoError("cannot run %s: %s" % (spack, e))


def lint_argv(argv: Optional[Sequence[str]] = None) -> List[str]:
    """``lint ...`` as given to this process (``python -m peso lint --deep X`` -> ``lint --deep X``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return argv[argv.index("lint") :] if "lint" in argv else ["lint", *argv]
