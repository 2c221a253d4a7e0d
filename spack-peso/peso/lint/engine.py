"""The lint engine: find the recipes, lint them (cache + parallel workers), then apply the
profile, selection, inline suppressions and waivers.

Data flows one way: paths -> raw per-file findings (cached by content hash) -> filtered
:class:`~peso.lint.registry.Finding` objects in a :class:`LintResult`. Raw findings are
cached before any user choice is applied, so changing ``--select``, ``--policy``, a
suppression reason or the waiver file never invalidates the cache. The engine never
prints; the command hands the result to a writer in ``peso/report``.
"""

import dataclasses
import datetime
import fnmatch
import gc
import operator
import os
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from ..errors import PesoError
from ..recipe.discovery import discover, stats_of_run
from . import registry
from .across import add_across_findings
from .cache import LintCache, file_digest, stat_signature
from .config import LintConfig
from .profiles import Profile, get_profile
from .registry import Finding, Rule, severity_rank
from .runner import default_jobs, lint_paths
from .suppress import apply_suppressions
from .waivers import WaiverFile, apply_waivers, load_waivers

WAIVER_FILE_NAME = "peso-waivers.yaml"
#: the order the engine passes a Finding's fields in (positionally, on the warm path)
_FINDING_FIELDS = ("rule", "severity", "message", "path", "line", "column", "package", "policies", "name")
if tuple(f.name for f in dataclasses.fields(Finding)) != _FINDING_FIELDS:
    raise ImportError("Finding's fields changed: update engine._FINDING_FIELDS and its positional use")
#: :meth:`Finding.sort_key` as one C call per finding (a test keeps them equal)
SORT_KEY = operator.attrgetter("path", "line", "column", "rule", "message")


@dataclasses.dataclass
class LintResult:
    findings: List[Finding]
    #: (path, package) of every file linted, from the cache or not
    files: List[Tuple[str, str]]
    #: every rule known to this run, by ID (for writers: names, docs, policies)
    rules: Dict[str, Rule]
    #: IDs of the rules that ran
    active: List[str]
    profile: Profile
    files_seen: int = 0
    files_linted: int = 0
    files_cached: int = 0
    suppressed: int = 0
    waived: int = 0
    waiver_file: Optional[str] = None
    #: linted files that ``deep`` could not load as packages (static checks only)
    deep_skipped: List[str] = dataclasses.field(default_factory=list)

    def failed(self, fail_on: str) -> bool:
        threshold = severity_rank(fail_on)
        return any(severity_rank(f.severity) >= threshold for f in self.findings)


# --------------------------------------------------------------------------- rule choice


def known_rules(deep: bool = False) -> Dict[str, Rule]:
    """The rules a run knows, by ID: static and engine rules, and the deep ones when
    ``deep`` (``lint --deep``, ``policy report --deep``)."""
    return {r.id: r for r in registry.all_rules(deep)}


def find_rule(text: str) -> Rule:
    """The rule an ID (any case) or a rule name names, of every kind (``--explain``)."""
    rules = known_rules(deep=True)
    rule = rules.get(text.strip().upper())
    if rule is None:
        rule = next((r for r in rules.values() if r.name == text.strip()), None)
    if rule is None:
        raise PesoError("unknown rule (see --list-rules)", path=text)
    return rule


def select_rules(rules: Dict[str, Rule], profile: Profile, select=None, ignore=()) -> List[str]:
    """IDs of the rules that run: the profile's (or ``select``'s) minus ``ignore``."""
    if select:
        chosen = set()
        for selector in select:
            chosen |= _match(rules, selector, "--select")
    else:
        chosen = {rid for rid, r in rules.items() if profile.covers(r)}
    for selector in ignore or ():
        chosen -= _match(rules, selector, "--ignore")
    return sorted(chosen)


def _match(rules: Dict[str, Rule], selector: str, option: str) -> Set[str]:
    """Rules a selector names: an ID, an ID prefix, a rule name, or a policy (glob)."""
    s = selector.strip()
    up = s.upper()
    hits = {
        rid
        for rid, r in rules.items()
        if rid == up
        or rid.startswith(up)
        or r.name == s
        or any(p == s or fnmatch.fnmatchcase(p, s) for p in r.policies)
    }
    if not hits:
        raise PesoError("%r matches no rule, rule prefix, name or policy" % selector, path=option)
    return hits


# --------------------------------------------------------------------------- the run


def lint(
    targets: Sequence[str],
    config: Optional[LintConfig] = None,
    use_cache: bool = True,
    today: Optional[datetime.date] = None,
    cwd: Optional[str] = None,
    deep=None,
    deep_rules: Optional[bool] = None,
    products: Optional[FrozenSet[str]] = None,
    contents: Optional[Dict[str, bytes]] = None,
    cache: Optional[LintCache] = None,
) -> LintResult:
    """Lint the recipes named by ``targets`` under ``config``; see the module docstring.

    ``deep`` (a :class:`peso.lint.deep.audit.DeepCollector`, inside Spack) has a
    ``collect([(path, package)])`` returning ``(findings, drop, skipped paths)``: findings
    from loaded packages and a filter over a file's static findings. They join each
    file's findings before suppressions and waivers apply, so both work the same for
    every rule. ``deep_rules`` (default: whether ``deep`` runs the audit) makes the deep
    rules known to this run: selectable, profiled and counted as run. ``products``: the
    package names that are products, when the caller knows (``policy report``: the
    stack's roots), instead of the profile's catalogue (:mod:`peso.lint.products`).
    ``contents``: path -> bytes to lint instead of that file's (PR mode: the recipe as it
    was at a revision), cached as the path's previous version. ``cache``: an open
    :class:`LintCache` to use (runs of one command share it: loaded once)."""
    # Tens of thousands of small, acyclic tuples and findings: the cyclic collector would
    # only rescan them over and over (a third of a warm run's time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if deep_rules is None:
            deep_rules = deep is not None and deep.audit
        config = config or LintConfig()
        opened = (cache or LintCache(config.cache_dir)) if use_cache else None
        return _lint(targets, config, opened, today, cwd or os.getcwd(), deep, deep_rules, products, contents)
    finally:
        if gc_was_enabled:
            gc.enable()


def _lint(targets, config, cache, today, cwd, deep, deep_rules, known_products, contents) -> LintResult:
    stats: Dict[str, os.stat_result] = {}
    listed: Set[str] = set()
    paths = discover(targets, cwd, stats, listed)
    profile = get_profile(config.policy, {_namespace(p) for p in paths})
    rules = known_rules(deep_rules)
    active = select_rules(rules, profile, config.select, config.ignore)
    waiver_file = _load_waiver_file(config, cwd, rules)
    active_set = set(active)

    with stats_of_run(stats, listed):  # discovery's stats serve the whole run
        raw, hits = _raw_results(paths, rules, config, cache, contents or {})
        add_across_findings(raw, rules, active_set, cache)
    result = LintResult(findings=[], files=[], rules=rules, active=active, profile=profile, files_seen=len(paths))
    result.files_cached = hits
    result.files_linted = len(paths) - result.files_cached
    severity_of = _severity_function(profile)
    result.files = [(path, raw[path][0]) for path in paths]
    products = known_products if known_products is not None else _products(profile, active_set, raw)
    deep_by_path: Dict[str, List[Finding]] = {}
    drop = None
    if deep is not None:
        deep_findings, drop, result.deep_skipped = deep.collect(result.files)
        for f in deep_findings:
            if f.rule in active_set:
                f.severity = severity_of(rules[f.rule], f.severity, products is None or f.package in products)
                deep_by_path.setdefault(f.path, []).append(f)
    findings: List[Finding] = []
    # (rule ID, raw severity) -> the rule's constant fields, or None when it is not active:
    # a warm run turns tens of thousands of cached tuples into findings right here
    constant: Dict[Tuple[str, str, bool], Any] = {}
    # discovery sorts the paths, the runner each file's raw findings (and they are cached so)
    in_order = all(a < b for a, b in zip(paths, paths[1:]))
    for path in paths:
        package, raw_findings, suppressions, _facts = raw[path]
        product = products is None or package in products
        file_findings = []
        for rule_id, severity, message, line, column in raw_findings:
            fields = constant.get((rule_id, severity, product), False)
            if fields is False:
                rule = rules[rule_id] if rule_id in active_set else None
                fields = constant[rule_id, severity, product] = rule and (
                    rule.id,
                    severity_of(rule, severity, product),
                    rule.policies,
                    rule.name,
                )
            if fields is not None:  # positional: half the cost of keywords (order checked above)
                file_findings.append(
                    Finding(fields[0], fields[1], message, path, line, column, package, fields[2], fields[3])
                )
        if drop is not None:
            file_findings = drop(file_findings)
        if deep_by_path and path in deep_by_path:
            file_findings += deep_by_path.pop(path)
            in_order = False
        if not suppressions:  # nothing to drop or to report (most files)
            findings.extend(file_findings)
            continue
        kept, problems = apply_suppressions(file_findings, suppressions, active_set, registry.RULES)
        result.suppressed += len(file_findings) - len(kept)
        for rule_id, line, column, message in problems:
            rule = rules[rule_id]
            kept.append(_finding(rule, severity_of, rule.severity, message, path, line, column, package))
            in_order = False
        findings.extend(kept)
    if waiver_file is not None:
        result.waiver_file = waiver_file.path
        packages = {package for _path, package in result.files}
        before = len(findings)
        findings, problems = apply_waivers(findings, waiver_file, packages, active_set, today)
        result.waived = before - len(findings)
        for rule_id, line, package, message in problems:
            rule = rules[rule_id]
            findings.append(_finding(rule, severity_of, rule.severity, message, waiver_file.path, line, 1, package))
            in_order = False
    if not in_order:  # else: files in path order, each file's raw findings in report order
        findings.sort(key=SORT_KEY)
    result.findings = findings
    return result


def _finding(rule, severity_of, severity, message, path, line, column, package) -> Finding:
    return rule.finding_at(path, package, (line, column), message, severity_of(rule, severity))


def _products(profile: Profile, active: Set[str], raw) -> Optional[FrozenSet[str]]:
    """The package names of the profile's catalogue products, when it scopes membership
    rules to them and one of those rules found something (else None: no scoping)."""
    scoped = active.intersection(profile.product_rules)
    if not profile.product_catalog or not scoped:
        return None
    if not any(f[0] in scoped for _package, found, _suppressions, _facts in raw.values() for f in found):
        return None
    from .products import product_packages

    repos = {os.path.dirname(os.path.dirname(os.path.dirname(path))) for path in raw if _namespace(path)}
    return product_packages(profile.product_catalog, repos)


def _namespace(path: str) -> str:
    """``builtin`` for ``.../spack_repo/builtin/packages/zlib/package.py`` ('' elsewhere)."""
    parts = path.replace(os.sep, "/").split("/")
    if len(parts) >= 5 and parts[-3] == "packages" and parts[-5] == "spack_repo":
        return parts[-4]
    return ""


def _severity_function(profile: Profile):
    """``profile.severity`` memoised per (rule, severity): called once per finding."""
    memo: Dict[Tuple[str, str, bool], str] = {}

    def severity_of(rule, severity, product=True):
        key = (rule.id, severity, product)
        raised = memo.get(key)
        if raised is None:
            raised = memo[key] = profile.severity(rule, severity, product)
        return raised

    return severity_of


def _raw_results(paths, rules, config, cache, contents=None) -> Tuple[dict, int]:
    """({path: (package, raw findings, suppressions, facts)}, number of cache hits);
    ``cache``: the open LintCache or None; ``contents``: see :func:`lint`. Run inside
    ``stats_of_run``: a path's stat is the discovery's when it made one."""
    hits_before = cache.hits if cache is not None else 0
    contents = contents or {}
    results = {}
    todo = []
    for path in paths:
        if path in contents:
            entry = cache.get_version(path, file_digest(contents[path], path)) if cache is not None else None
            if entry is not None:
                results[path] = entry[1:]
            else:
                todo.append(path)
            continue
        if cache is not None and path in cache.entries:
            # unchanged since it was linted (stat signature): no read; else read and hash
            entry = cache.get_unchanged(path)
            if entry is None:
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                        signature = stat_signature(os.fstat(f.fileno()))
                    entry = cache.get(path, file_digest(data, path), signature)
                except OSError:
                    entry = None
            if entry is not None:
                results[path] = entry[1:]
                continue
        todo.append(path)
    if todo:
        checks = [r for r in rules.values() if r.kind == "static"]
        jobs = config.jobs or default_jobs()
        linted = lint_paths(todo, checks, jobs, {p: contents[p] for p in todo if p in contents})
        for path, package, raw_findings, suppressions, digest, read_signature, reads, facts in linted:
            results[path] = (package, raw_findings, suppressions, facts)
            if cache is not None and digest is not None:
                if path in contents:
                    cache.put_previous(path, (digest, package, raw_findings, suppressions, facts))
                else:
                    cache.put(path, (digest, package, raw_findings, suppressions, facts), read_signature, reads)
    if cache is not None:
        try:
            cache.save()
        except OSError:
            pass  # a read-only cache folder only costs speed
    return results, (cache.hits - hits_before if cache is not None else 0)


def _load_waiver_file(config: LintConfig, cwd: str, rules) -> Optional[WaiverFile]:
    """The configured waiver file, else ``peso-waivers.yaml`` beside the config or in cwd."""
    known = set(rules) | set(registry.RULES)
    if config.waivers:
        return load_waivers(os.path.join(cwd, config.waivers), known)
    folders = [os.path.dirname(config.source)] if config.source else []
    folders.append(cwd)
    for folder in folders:
        path = os.path.join(folder, WAIVER_FILE_NAME)
        if os.path.isfile(path):
            return load_waivers(path, known)
    return None
