"""One ``spack peso lint`` run as a library call: changed recipes, deep collection, fixing,
re-linting, waivers and the baseline, in that order, returning a :class:`LintSession`
that the command hands to a writer.

The command parses its options into a :class:`LintRequest` and prints what comes back;
everything that decides lives here, so the order of the steps is written down once.
"""

import dataclasses
from typing import List, Optional, Sequence

from ..errors import PesoError
from . import autofix, baseline, changed, engine
from .cache import LintCache
from .config import LintConfig
from .engine import LintResult


@dataclasses.dataclass
class LintRequest:
    """What to lint and how (the command's options after merging the configuration)."""

    targets: Sequence[str]
    config: LintConfig
    use_cache: bool = True
    #: add the checks of loaded packages (inside Spack only)
    deep: bool = False
    #: rewrite fixable findings (``--fix``); with ``diff`` compute the fixes, write nothing
    fix: bool = False
    diff: bool = False
    baseline: Optional[str] = None
    update_baseline: bool = False
    changed_since: Optional[str] = None
    #: PR mode: lint what changed since this revision, report only what the change added
    new_since: Optional[str] = None


@dataclasses.dataclass
class LintSession:
    """What one run found and did."""

    #: the final lint result (after fixes and the baseline); None when nothing changed
    result: Optional[LintResult] = None
    #: files the fixers changed (written unless ``diff``)
    fixes: List[autofix.FixResult] = dataclasses.field(default_factory=list)
    #: the comparison with the baseline, when one was given
    compared: Optional[baseline.BaselineResult] = None
    #: ``--changed-since`` found no changed recipe: nothing was linted
    nothing_changed: bool = False
    #: ``--new-since``: findings that were already there at the revision, left out
    preexisting: int = 0


def run(request: LintRequest) -> LintSession:
    """Lint, fix and compare as ``request`` says; see the module docstring."""
    if request.update_baseline and not request.baseline:
        raise PesoError("--update-baseline needs --baseline FILE")
    targets = list(request.targets)
    since = request.new_since or request.changed_since
    if request.new_since and request.changed_since:
        raise PesoError("--new-since and --changed-since are alternatives: give one")
    if since:
        targets = changed.changed_recipes(since, request.targets)
        if not targets:
            return LintSession(nothing_changed=True)
    collector = None
    if request.deep:
        from .deep.audit import DeepCollector

        collector = DeepCollector(jobs=request.config.jobs or 0)
    session = LintSession()
    if request.fix or request.diff:
        # fixes are static: the deep checks run on the fixed files only (deep rules stay
        # known, so --select PESO-A still names rules)
        first = engine.lint(targets, request.config, use_cache=request.use_cache, deep_rules=request.deep)
        session.fixes = [r for r in autofix.fix_findings(first.findings, write=not request.diff) if r.changed]
        if request.diff:
            session.result = first
            return session
    # one cache for every lint of this run: loaded once, not once per side of PR mode
    cache = LintCache(request.config.cache_dir) if request.use_cache else None
    session.result = engine.lint(targets, request.config, use_cache=request.use_cache, deep=collector, cache=cache)
    if request.new_since:
        from .prmode import introduced

        def lint_old(paths, contents):
            return engine.lint(
                paths, request.config, use_cache=request.use_cache, contents=contents, cache=cache
            ).findings

        session.result.findings, session.preexisting = introduced(request.new_since, session.result, lint_old)
    if request.baseline:
        session.compared = baseline.apply_baseline(session.result, request.baseline, update=request.update_baseline)
    return session
