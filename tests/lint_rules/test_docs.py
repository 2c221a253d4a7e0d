"""The rule documentation (lint/data/rules.yaml) and the rule code stay in step: every
documented rule has a check, every static check is documented completely, and the
policies a rule names exist in the policy files."""

import glob
import os
import re

import pytest
import yaml
from _recipes import DOC_ENTRIES, STATIC_RULE_IDS

from peso.lint import rules as rule_package
from peso.lint.registry import RULE_FILES, RULES, SEVERITIES, all_rules
from peso.policy.definitions import POLICY_DIR, load_policies

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
    assert RULES[entry["id"]].kind == "static"


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


def test_policy_files_leave_the_rule_mapping_to_the_rule_docs():
    """The rule docs are the one source of the rule-to-policy mapping: the policy files
    list no rules, and each policy is served by exactly the rules (static, engine, deep)
    whose docs name it."""
    for path in glob.glob(os.path.join(POLICY_DIR, "*.yaml")):
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        for entry in (data.get("policies") or []) if isinstance(data, dict) else []:
            assert "rules" not in entry, (path, entry["id"])
    for policy in load_policies():
        claiming = {r.id for r in RULES.values() if policy.id in r.policies}
        assert set(policy.rules) == claiming, (policy.id, sorted(set(policy.rules) ^ claiming))
    served = {r for p in load_policies() for r in p.rules}
    assert {"PESO-E001", "PESO-T001", "PESO-A001"} <= served


KIND_OF_FILE = {"rules.yaml": "static", "rules-engine.yaml": "engine", "rules-deep.yaml": "deep"}


@pytest.mark.parametrize("path", RULE_FILES, ids=os.path.basename)
def test_every_documented_rule_is_registered_where_its_findings_are_made(path):
    """One place per rule: each entry of a rule file has one function registered with
    @rule(ID, kind=...), of the kind its file documents."""
    all_rules(deep=True)
    with open(path, encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    kind = KIND_OF_FILE[os.path.basename(path)]
    for entry in entries:
        rule = RULES[entry["id"]]
        assert callable(rule.check) and rule.kind == kind, (entry["id"], rule.kind, kind)


def test_autofix_flag_agrees_with_the_registered_fixers():
    all_rules(deep=True)
    flagged = {r.id for r in RULES.values() if r.doc.get("autofix")}
    with_fixer = {r.id for r in RULES.values() if r.fix is not None}
    assert flagged == with_fixer
    assert with_fixer >= {"PESO-M002", "PESO-R003", "PESO-S006"}  # the test can fail: it sees fixers
