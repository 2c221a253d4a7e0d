"""Bind the engine's own rules (``rules-engine.yaml``) so they list, select and explain
like every other rule.

Their findings come from the engine (unreadable files, suppressions, waivers, crashed
rules), not from a per-recipe check, so the bound check does nothing and the runner
skips them.
"""

from .registry import RULES, rule

ENGINE_RULE_IDS = ("PESO-E001", "PESO-E002", "PESO-E003", "PESO-E004", "PESO-E005", "PESO-E006")


def _produced_by_the_engine(recipe):
    return ()


for _rule_id in ENGINE_RULE_IDS:
    if RULES.get(_rule_id) is not None and RULES[_rule_id].check is None:
        rule(_rule_id)(_produced_by_the_engine)
