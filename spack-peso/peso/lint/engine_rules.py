"""Bind the engine's own rules (``rules-engine.yaml``) so they list, select and explain
like every other rule.

Their findings come from the engine (unreadable files, suppressions, waivers, crashed
rules), not from a per-recipe check, so the bound check does nothing and the runner
skips them.
"""

from .registry import RULES, rule

ENGINE_RULE_IDS = ("PESO-X001", "PESO-X002", "PESO-X003", "PESO-X004", "PESO-X005")
#: rules the runner reports itself instead of running their check: PESO-E001 (parse
#: errors, documented in rules.yaml) is reported without running any other rule
RUNNER_RULE_IDS = ("PESO-E001",) + ENGINE_RULE_IDS


def _produced_by_the_engine(recipe):
    return ()


for _rule_id in ENGINE_RULE_IDS:
    if RULES.get(_rule_id) is not None and RULES[_rule_id].check is None:
        rule(_rule_id)(_produced_by_the_engine)
