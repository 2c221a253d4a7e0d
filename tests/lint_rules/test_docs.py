"""The rule documentation (lint/rules.yaml) and the rule code stay in step: every
documented rule has a check, every static check is documented completely, and the
policies a rule names exist in the policy files."""

import re

import pytest

from _recipes import DOC_ENTRIES, STATIC_RULE_IDS
from peso.lint import rules as rule_package
from peso.lint.registry import RULES, SEVERITIES, all_rules
from peso.policy.definitions import load_policies

REQUIRED = ("id", "name", "severity", "policies", "summary", "what", "why", "example", "fix", "autofix")


@pytest.mark.parametrize("entry", DOC_ENTRIES, ids=[e["id"] for e in DOC_ENTRIES])
def test_doc_entry_is_complete_and_bound(entry):
    missing = [key for key in REQUIRED if key not in entry or entry[key] in (None, "")]
    assert not missing, missing
    assert re.match(r"^PESO-[A-Z]\d{3}$", entry["id"])
    assert re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", entry["name"])
    assert entry["severity"] in SEVERITIES
    assert isinstance(entry["autofix"], bool)
    assert "\n" not in entry["summary"].strip()
    assert callable(RULES[entry["id"]].check), "documented rule has no check"


def test_ids_and_names_are_unique():
    assert len(set(STATIC_RULE_IDS)) == len(STATIC_RULE_IDS)
    names = [e["name"] for e in DOC_ENTRIES]
    assert len(set(names)) == len(names)


def test_every_check_in_the_rules_package_is_documented_here():
    bound = {r.id for r in all_rules() if r.check.__module__.startswith(rule_package.__name__)}
    assert bound == set(STATIC_RULE_IDS)


def test_at_least_thirty_rules():
    assert len(STATIC_RULE_IDS) >= 30


def test_rule_policies_exist_in_policy_files():
    known = {p.id for p in load_policies()}
    for entry in DOC_ENTRIES:
        assert entry["policies"], entry["id"]
        unknown = set(entry["policies"]) - known
        assert not unknown, (entry["id"], unknown)


def test_policy_files_name_only_documented_rules():
    for policy in load_policies():
        for rule_id in policy.rules:
            assert rule_id in RULES, (policy.id, rule_id)


def test_policy_files_and_rule_docs_agree():
    """A policy's `rules` list is exactly the set of rules that name the policy."""
    for policy in load_policies(rules={}):
        claiming = {e["id"] for e in DOC_ENTRIES if policy.id in e["policies"]}
        static = {r for r in policy.rules if r in STATIC_RULE_IDS}
        assert static == claiming, (policy.id, sorted(static ^ claiming))
