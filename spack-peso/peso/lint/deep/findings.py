"""Facts of loaded packages -> peso findings (no Spack needed): audit errors located in
the recipe and filed under the rule that lists their check in ``rules-deep.yaml``, the
K001 spec checks, and the inherited-tests filter over the static findings."""

import dataclasses
from typing import Dict, List, Optional, Tuple

from ..registry import RULES, Finding, rule
from .locate import RecipeIndex, locate
from .spec_checks import unknown_variant_checks

#: the rule a check function lands in when rules-deep.yaml does not list it
FALLBACK_RULE = "PESO-A000"
#: a check that raised on the package (the engine's rule-crashed rule)
CRASHED_RULE = "PESO-X005"
#: a recipe Spack cannot load (it raises or exits on import): reported, the run goes on
NOT_LOADABLE_RULE = "PESO-A010"
#: rule for variants tested in method bodies that the package does not define
SPEC_CHECK_RULE = "PESO-K001"
#: names (in rules.yaml) of the static "has no stand-alone test" rules that --deep
#: overrides when the loaded class inherits test_* methods
NO_TEST_RULE_NAMES = ("no-standalone-test", "build-time-tests-only")


@dataclasses.dataclass
class AuditIssue:
    """One ``spack.audit.Error`` with the tag and check function that produced it."""

    tag: str
    check: str
    summary: str
    details: Tuple[str, ...]
    #: the check raised instead of answering: a crash (PESO-X005), not a finding of its rule
    crashed: bool = False


@dataclasses.dataclass
class PackageFacts:
    """What a worker learnt about one package with its class loaded."""

    name: str
    path: str = ""
    issues: List[AuditIssue] = dataclasses.field(default_factory=list)
    tests: List[str] = dataclasses.field(default_factory=list)
    variants: List[str] = dataclasses.field(default_factory=list)
    load_error: str = ""


def check_to_rule() -> Dict[str, str]:
    """audit check function name -> peso rule id, from the ``audit_checks`` keys."""
    table = {}
    for entry in RULES.values():
        for check in entry.doc.get("audit_checks") or ():
            table[check] = entry.id
    return table


def no_test_rule_ids() -> set:
    """IDs of the static no-stand-alone-test rules (looked up by name in the registry)."""
    return {entry.id for entry in RULES.values() if entry.name in NO_TEST_RULE_NAMES}


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
        findings.append(
            _make(
                NOT_LOADABLE_RULE,
                facts.name,
                path,
                index.class_line,
                "package class fails to load: " + facts.load_error,
            )
        )
    for issue in facts.issues:
        if issue.crashed:
            findings.append(_make(CRASHED_RULE, facts.name, path, index.class_line, issue.summary))
            continue
        rule_id = rules_by_check.get(issue.check, FALLBACK_RULE)
        strategy = RULES[rule_id].doc.get("locate", "class")
        message = _message(issue)
        # checks that bundle one detail per offending line get one finding per line
        per_line = [d for d in issue.details if ":" in d and d.startswith(path.rstrip())] if path else []
        if per_line and strategy in ("boilerplate", "method"):
            for detail in per_line:
                line, _ = locate(strategy, issue.summary, (detail,), index)
                findings.append(
                    _make(rule_id, facts.name, path, line, "%s: %s" % (issue.summary, detail.split(": ", 1)[-1]))
                )
            continue
        line, exact = locate(strategy, issue.summary, issue.details, index)
        if not exact:
            message += " (not written in this file: inherited or computed)"
        findings.append(_make(rule_id, facts.name, path, line, message))
    if facts.variants and SPEC_CHECK_RULE in RULES:
        for line, message in unknown_variant_checks(facts.name, facts.variants, source):
            findings.append(_make(SPEC_CHECK_RULE, facts.name, path, line, message))
    return findings


#: the audit-derived rules (every rules-deep.yaml entry with ``audit_checks`` but K001)
#: are all produced by findings_from_facts
for _rule_id in sorted(r.id for r in RULES.values() if "audit_checks" in r.doc and r.id != SPEC_CHECK_RULE):
    rule(_rule_id, kind="deep")(findings_from_facts)


def _message(issue: AuditIssue) -> str:
    details = [d.strip() for d in issue.details if d.strip() and not d.strip().startswith("in /")]
    details = [d for d in details if not d.startswith("happening in ")]
    text = issue.summary
    if details:
        text += " [" + "; ".join(details) + "]"
    return "%s (spack audit %s/%s)" % (text, issue.tag, issue.check)


def _make(rule_id: str, package: str, path: str, line: int, message: str) -> Finding:
    return RULES[rule_id].finding_at(path, package, line, message)


def apply_inherited_tests(findings: List[Finding], facts: Dict[str, PackageFacts]) -> List[Finding]:
    """Drop the static no-stand-alone-test findings for packages with inherited tests."""
    rule_ids = no_test_rule_ids()
    tested = {name for name, f in facts.items() if f.tests}
    return [f for f in findings if not (f.rule in rule_ids and f.package in tested)]
