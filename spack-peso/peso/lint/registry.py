"""Rule registry: each rule is a plain function registered under a stable ID.

Modelled on Spack's ``audit.py`` (checks registered by decorators into groups), with
what that lacks: per-rule IDs, severities, policies and documentation. The metadata of
every rule (name, default severity, policies, what/why/example/fix) is data, kept in
``rules*.yaml`` files next to this file (``rules.yaml`` for static rules,
``rules-engine.yaml`` for the engine's own, ``rules-deep.yaml`` for rules that need
Spack loaded); ``@rule(ID, kind=..., fix=...)`` binds the function that produces the
rule's findings, and its fixer, to that entry where the findings are made, so adding
a rule touches one function (and its fixer beside it) and one YAML entry.

Kinds: ``static`` checks run on every recipe; ``engine`` findings are made by the
engine itself (unreadable files, suppressions, waivers, crashed rules); ``deep`` ones
come from packages loaded in Spack (``lint --deep``). Which kinds a run knows is a
choice of the caller (:func:`all_rules`), never a change to this registry.

A check takes a :class:`peso.recipe.model.Recipe` and yields :class:`Finding` objects made with
``rule.finding(recipe, node_or_line, message)``; it never prints and never raises for a
recipe's content (the engine turns an escaping exception into an internal-error finding).
"""

import dataclasses
import glob
import os
from typing import Callable, Dict, List, Optional, Tuple

from ..datacache import load_yaml
from ..errors import PesoError

SEVERITIES = ("info", "warning", "error")
KINDS = ("static", "engine", "deep")
RULE_FILES = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rules*.yaml")))


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclasses.dataclass
class Finding:
    """One problem at one place. ``line``/``column`` are 1-based; 0 means 'whole file'."""

    rule: str
    severity: str
    message: str
    path: str
    line: int = 0
    column: int = 0
    package: str = ""
    policies: Tuple[str, ...] = ()
    name: str = ""

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["policies"] = list(self.policies)
        return d


@dataclasses.dataclass
class Rule:
    """A rule's metadata (from ``rules.yaml``) plus the function that checks it."""

    id: str
    name: str
    severity: str
    policies: Tuple[str, ...]
    summary: str
    doc: dict
    #: the registered function: for ``static`` rules ``check(recipe) -> findings``, run
    #: on every recipe; for ``engine`` and ``deep`` rules the function producing them
    check: Optional[Callable] = None
    #: static, engine or deep (set by :func:`rule`; "" while unregistered)
    kind: str = ""
    #: ``fix(tree, lines) -> [Edit]`` for ``--fix`` (see :mod:`.autofix`), or None
    fix: Optional[Callable] = None
    #: a rule that judges across recipes: ``facts(recipe)`` gives what one recipe holds
    #: for it (marshal-able, cached with the file's results; empty for most recipes) and
    #: ``across(run) -> {path: [raw finding]}`` judges the run's recipes from every
    #: recipe's facts, on every run (see ``engine.RepositoryFacts``)
    facts: Optional[Callable] = None
    across: Optional[Callable] = None

    def finding(self, recipe, where, message: str, severity: Optional[str] = None) -> Finding:
        """A finding of this rule in ``recipe`` at an AST node, a line number, or (line, col)."""
        return self.finding_at(recipe.path, recipe.package, where, message, severity)

    def finding_at(self, path: str, package: str, where, message: str, severity: Optional[str] = None) -> Finding:
        """A finding of this rule in the recipe at ``path`` (when no model of it is at hand)."""
        line, column = _location(where)
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            message=message,
            path=path,
            line=line,
            column=column,
            package=package,
            policies=self.policies,
            name=self.name,
        )


def _location(where) -> Tuple[int, int]:
    if where is None:
        return 0, 0
    if isinstance(where, int):
        return where, 1 if where else 0
    if isinstance(where, tuple):
        return where
    # an ast node: col_offset is 0-based
    return getattr(where, "lineno", 0), getattr(where, "col_offset", -1) + 1


def _load_rule_docs(paths=RULE_FILES) -> Dict[str, Rule]:
    rules = {}
    for path in paths:
        rules.update(_load_rule_file(path))
    return rules


def _load_rule_file(path: str) -> Dict[str, Rule]:
    # on every lint's critical path: libyaml's loader, and the parsed data kept between runs
    entries = load_yaml(path, c_loader=True) or []
    rules = {}
    for entry in entries:
        try:
            rule = Rule(
                id=entry["id"],
                name=entry["name"],
                severity=entry["severity"],
                policies=tuple(entry.get("policies") or ()),
                summary=entry["summary"],
                doc=entry,
            )
        except KeyError as e:
            raise PesoError("rule entry %r lacks key %s" % (entry.get("id"), e), path=path)
        if rule.severity not in SEVERITIES:
            raise PesoError("bad severity %r" % rule.severity, path=path, key=rule.id)
        rules[rule.id] = rule
    return rules


#: rule ID -> Rule; filled from rules.yaml, checks bound by :func:`rule`
RULES: Dict[str, Rule] = _load_rule_docs()


def rule(
    rule_id: str,
    kind: str = "static",
    fix: Optional[Callable] = None,
    facts: Optional[Callable] = None,
    across: Optional[Callable] = None,
):
    """Decorator registering the function that produces ``rule_id``'s findings (for a
    static rule, its check), of ``kind``, with its fixer if it has one, and for a rule
    that also judges across recipes its ``facts`` and ``across`` functions (see
    :class:`Rule`)."""
    if kind not in KINDS:
        raise ValueError("rule %s: kind %r is not one of %s" % (rule_id, kind, ", ".join(KINDS)))

    def register(func: Callable) -> Callable:
        entry = RULES.get(rule_id)
        if entry is None:
            raise KeyError("rule %s has no entry in the rule docs (rules*.yaml)" % rule_id)
        entry.check, entry.kind, entry.fix = func, kind, fix
        entry.facts, entry.across = facts, across
        return func

    return register


def all_rules(deep: bool = False) -> List[Rule]:
    """The registered static and engine rules, and the deep ones when ``deep``, importing
    the modules that register them on first use."""
    from . import rules, runner, suppress, waivers  # noqa: F401  (register their rules)
    from .deep import findings, spec_checks  # noqa: F401

    kinds = KINDS if deep else ("static", "engine")
    return [r for r in sorted(RULES.values(), key=lambda r: r.id) if r.kind in kinds]
