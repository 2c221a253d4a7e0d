"""Checks across recipes: judging one recipe from facts that other recipes hold.

A rule's check sees one recipe. Some questions need the whole packages folder: PESO-D007
asks whether any provider of a virtual provides a version a dependent's constraint
admits, and the providers are other recipes. Reading them from each dependent would read
every recipe of the folder once per worker, and a cached finding would go stale whenever
another recipe changed. So such a rule registers ``facts(recipe)`` (what one recipe holds
for it, made by the worker that lints it and cached with its results) and
``across(run)``, which judges on every run, cold or warm, from the facts of every recipe
in the folder. A full-repository run has them all already; a run over a few files (PR
mode, the pre-commit hook) takes the other recipes' from the cache when they are
unchanged, and otherwise parses only the recipes whose text could hold any.
"""

import os
from typing import Callable, Dict, Iterator, Optional, Set, Tuple

from ..recipe.discovery import listed_whole
from ..recipe.layout import package_folder_names
from .runner import _report_order, facts_of


def add_across_findings(raw: dict, rules: dict, active: Set[str], cache) -> None:
    """Add the findings of the active rules that judge across recipes to ``raw`` (path ->
    (package, raw findings, suppressions, facts)), each file's kept in report order."""
    judges = [r for r in rules.values() if r.across is not None and r.id in active]
    if not judges:
        return
    run = RunFacts(raw, cache)
    for judge in judges:
        for path, found in (judge.across(run) or {}).items():
            package, raw_findings, suppressions, facts = raw[path]
            merged = tuple(sorted(tuple(raw_findings) + tuple(found), key=_report_order))
            raw[path] = (package, merged, suppressions, facts)


class RunFacts:
    """The facts a rule judging across recipes reads: this run's recipes' and, for a
    packages folder the run did not list whole, every other recipe's in it."""

    def __init__(self, raw: dict, cache):
        self._raw = raw
        self._cache = cache
        #: (rule ID, packages folder) -> {path: facts}
        self._folders: Dict[Tuple[str, str], Dict[str, object]] = {}
        #: what a rule derives once per run from the facts (an index of them), by its key
        self.memo: dict = {}

    def of_run(self, rule_id: str) -> Iterator[Tuple[str, object]]:
        """(path, facts) of this run's recipes holding facts for ``rule_id``."""
        for path, entry in self._raw.items():
            facts = entry[3]
            if facts and rule_id in facts:
                yield path, facts[rule_id]

    def has_recipe(self, folder: str, name: str) -> bool:
        """Package ``name`` has a recipe in packages ``folder`` (now)."""
        return any(os.path.isfile(os.path.join(folder, d, "package.py")) for d in package_folder_names(name))

    def in_folder(self, rule_id: str, folder: str, could_hold: Callable[[bytes], bool]) -> Dict[str, object]:
        """``{path: facts}`` of every recipe in packages ``folder`` holding facts for
        ``rule_id`` (None: its facts could not be read; the rule decides nothing on it).
        ``could_hold(bytes)``: False when a recipe's text cannot hold any (it is not
        parsed then)."""
        key = (rule_id, folder)
        found = self._folders.get(key)
        if found is None:
            found = self._folders[key] = self._collect(rule_id, folder, could_hold)
        return found

    def _collect(self, rule_id: str, folder: str, could_hold: Callable[[bytes], bool]) -> Dict[str, object]:
        found: Dict[str, object] = {}
        whole = listed_whole(folder)
        for path, entry in self._raw.items():
            if entry[3] and rule_id in entry[3] and os.path.dirname(os.path.dirname(path)) == folder:
                found[path] = entry[3][rule_id]
        if whole:
            return found
        for path in recipes_in(folder):
            if path in self._raw:
                continue
            facts = self._outside(path, could_hold)
            if facts is None or rule_id in facts:
                found[path] = None if facts is None else facts[rule_id]
        return found

    def _outside(self, path: str, could_hold: Callable[[bytes], bool]) -> Optional[dict]:
        """The facts of a recipe outside this run: cached when unchanged, else parsed
        when its text could hold any; None when it cannot be read."""
        if self._cache is not None:
            # runs of one command share the cache (PR mode: the change's two sides), and
            # the recipes outside them are the same: each is looked at once
            seen = self._cache.outside_facts
            if path in seen:
                return seen[path]
            facts = seen[path] = self._outside_now(path, could_hold)
            return facts
        return self._outside_now(path, could_hold)

    def _outside_now(self, path: str, could_hold: Callable[[bytes], bool]) -> Optional[dict]:
        if self._cache is not None:
            cached = self._cache.facts_if_unchanged(path)
            if cached is not None:
                return cached
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return {}  # a package folder without a recipe
        except OSError:
            return None
        if not could_hold(data):
            return {}
        from ..recipe.parse import parse_recipe
        from .engine import known_rules

        recipe = parse_recipe(path, data)
        if recipe.tree is None:
            return None
        return facts_of(recipe, [r for r in known_rules(False).values() if r.kind == "static"])


def recipes_in(folder: str) -> Iterator[str]:
    """``<folder>/*/package.py`` (not checked to be files: a missing one reads as None)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(".") and entry.is_dir():
            yield os.path.join(entry.path, "package.py")
