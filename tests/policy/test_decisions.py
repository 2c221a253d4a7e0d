"""The decision model (policy/data/decisions.yaml): lint noise never becomes a policy pass,
tests that cannot run do not count, and same-requirement policies share one verdict."""

import shutil

import pytest
from policy_data import REPO

from peso.errors import PesoError
from peso.lint.config import LintConfig
from peso.lint.profiles import load_profiles
from peso.lint.registry import all_rules
from peso.policy import products, run
from peso.policy.decisions import DECISIONS, default_decisions, groups, load_decisions
from peso.policy.definitions import load_policies
from peso.policy.evaluate import NEEDS_EVIDENCE, PASS, evaluate_product
from peso.policy.evidence import recipe_facts
from peso.recipe.parse import load_recipe

RULES = {r.id: r for r in all_rules(True)}

#: one recipe that trips the rules profiles quieten: V002 (no Debug), L005 (restricted
#: licence), M001 (no maintainers), D006 (open ranges), S002 (http), T006 (srun)
QUIET = '''\
from spack_repo.builtin.build_systems.generic import Package

from spack.package import *


class PesoQuiet(Package):
    """A package tripping the rules that lint profiles quieten for noise."""

    homepage = "http://example.org/quiet"
    url = "http://example.org/quiet-1.0.tar.gz"

    license("CC-BY-NC-4.0")

    version("1.0", sha256="%s")

    variant("build_type", default="Release", values=("Release", "MinSizeRel"), description="build type")

    depends_on("c", type="build")
    depends_on("zlib")

    def test_run(self):
        """run it with srun"""
        srun = which("srun")
        srun("-n", "1", self.prefix.bin.quiet)

    def install(self, spec, prefix):
        make("install")
''' % ("0" * 64)

#: visit's test_smoke_test, as builtin has it: the placeholder is never formatted
VISIT_LIKE = '''\
from spack_repo.builtin.build_systems.cmake import CMakePackage

from spack.package import *


class PesoVisitLike(CMakePackage):
    """A package whose only test passes a literal placeholder."""

    homepage = "https://example.org/visit"
    url = "https://example.org/visit-1.0.tar.gz"

    version("1.0", sha256="%s")

    def test_smoke_test(self):
        """Test visit -cli"""
        visit_cmd = Executable(self.prefix.bin.visit)
        with working_dir("smoke", create=True):
            script_file_path = "script_file.py"
            with open(script_file_path, "w") as f:
                f.write("print(1)")
            visit_cmd("-cli", "-nowin", "-s", "{script_file_path}")

    def test_data(self):
        """compare with a reference the recipe does not ship"""
        ref = join_path(self.test_suite.current_test_data_dir, "expected.out")
        assert ref
''' % ("0" * 64)


def _repo(tmp_path, recipes):
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    for name, text in recipes.items():
        folder = repo / "packages" / name
        folder.mkdir()
        (folder / "package.py").write_text(text)
    return str(repo)


def test_every_rule_serving_a_policy_is_sorted_and_info_rules_never_decide():
    decisions = default_decisions()
    assert len(decisions) == len(load_policies()) == 44
    for policy in load_policies():
        d = decisions[policy.id]
        assert set(policy.rules) <= set(d.deciding) | set(d.indicators), policy.id
        assert all(RULES[r].severity in ("warning", "error") for r in d.deciding), policy.id
        assert d.needs_pass and d.needs_fail and d.reasoning


def test_a_model_that_lets_an_info_rule_decide_or_leaves_a_rule_unsorted_is_refused(tmp_path):
    text = open(DECISIONS).read()
    info = tmp_path / "info.yaml"
    info.write_text(
        text.replace("indicators: [PESO-D006]", "indicators: []").replace(
            "deciding: [PESO-A001, PESO-A003]", "deciding: [PESO-A001, PESO-A003, PESO-D006]"
        )
    )
    with pytest.raises(PesoError, match="E4S-FP3: PESO-D006 only report info and cannot decide"):
        load_decisions(str(info))
    unsorted = tmp_path / "unsorted.yaml"
    unsorted.write_text(text.replace("indicators: [PESO-M001]\n", "indicators: []\n"))
    with pytest.raises(PesoError, match="xSDK-M5: rule.s. PESO-M001 serve this policy"):
        load_decisions(str(unsorted))


def test_the_issue_examples_are_concerns_not_failures():
    """maintainers, http homepage, no git=, srun fallback, no recipe test: concerns only."""
    policies = load_policies()

    class F:
        def __init__(self, rule):
            self.rule, self.severity, self.message, self.path, self.line = rule, "warning", "m", "p.py", 1
            self.policies, self.name = RULES[rule].policies, RULES[rule].name

    cases = {
        "PESO-M001": ("E4S-P1", "xSDK-M5"),
        "PESO-M003": ("E4S-P4",),
        "PESO-S001": ("E4S-P3", "xSDK-M15"),
        "PESO-T006": ("E4S-P9", "E4S-FP2", "xSDK-M2"),
        "PESO-T001": ("E4S-FP5",),
    }
    for rule, pids in cases.items():
        report = evaluate_product("x", "x", "p.py", [F(rule)], policies)
        for pid in pids:
            result = report.results[pid]
            assert result.status == NEEDS_EVIDENCE, (rule, pid)
            assert [e.role for e in result.evidence if e.rule == rule] == ["concern"]
            assert rule in result.explanation  # shown as a concern
    # silence passes nothing: FP3/R6, M16 and every other policy stay undecided without evidence
    empty = evaluate_product("x", "x", "p.py", [], policies)
    assert {r.status for r in empty.results.values()} == {NEEDS_EVIDENCE}


def test_a_quietened_rule_never_turns_a_policy_cell_into_a_pass(tmp_path):
    """For every profile: each rule it disables or caps still leaves the policies it
    serves undecided or failing on a recipe where the rule's condition holds."""
    repo = _repo(tmp_path, {"peso-quiet": QUIET})
    chosen = products.from_names(["peso-quiet"], [repo])
    everything = run.build_report(chosen, LintConfig(policy="all"), use_cache=False).products[0]
    fired = {e.rule for r in everything.results.values() for e in r.evidence}
    profiles, _default = load_profiles()
    quietened = {}
    for name, profile in profiles.items():
        lowered = {rid for rid in profile.cap} | set(profile.disabled)
        lowered |= {rid for rid, rule in RULES.items() if rule.policies and not profile.covers(rule)}
        quietened[name] = lowered & fired
    assert {"PESO-V002", "PESO-L005", "PESO-M001", "PESO-D006"} <= set().union(*quietened.values())
    decisions = default_decisions()
    for name, rules in quietened.items():
        report = run.build_report(chosen, LintConfig(policy=name), use_cache=False).products[0]
        for rid in rules:
            for pid in RULES[rid].policies:
                if pid not in everything.results:
                    continue
                quiet, loud = report.results[pid], everything.results[pid]
                # the profile changes nothing of the verdict ...
                assert quiet.status == loud.status, (name, rid, pid)
                # ... a rule that decides the policy keeps it failing ...
                if rid in decisions[pid].deciding:
                    assert quiet.status != PASS, (name, rid, pid)
                # ... and any pass stands on positive evidence, never on the rule's silence
                if quiet.status == PASS:
                    assert any(o["effect"] == PASS for o in quiet.observations), (name, rid, pid)


def test_a_test_that_cannot_run_does_not_count(tmp_path):
    repo = _repo(tmp_path, {"peso-visit-like": VISIT_LIKE})
    path = products.recipe_path("peso-visit-like", [repo])
    value, _line, detail = recipe_facts.standalone_test(load_recipe(path))
    assert value == "broken"
    assert "'{script_file_path}'" in detail and "expected.out" in detail
    report = run.build_report(products.from_names(["peso-visit-like"], [repo]), use_cache=False).products[0]
    for pid in ("E4S-P2", "xSDK-R1"):
        assert report.results[pid].status == NEEDS_EVIDENCE
        assert "cannot work" in report.results[pid].explanation
    # shipping the data file and formatting the placeholder make it a test that can run
    fixed = VISIT_LIKE.replace('"{script_file_path}"', 'f"{script_file_path}"')
    (tmp_path / "repo" / "packages" / "peso-visit-like" / "package.py").write_text(fixed)
    (tmp_path / "repo" / "packages" / "peso-visit-like" / "test").mkdir()
    (tmp_path / "repo" / "packages" / "peso-visit-like" / "test" / "expected.out").write_text("1\n")
    assert recipe_facts.standalone_test(load_recipe(path))[0] == "runnable"
    report = run.build_report(products.from_names(["peso-visit-like"], [repo]), use_cache=False).products[0]
    assert report.results["E4S-P2"].status == report.results["xSDK-R1"].status == PASS


def test_same_requirement_policies_get_one_verdict_from_one_evidence_set(tmp_path):
    from peso import yamlio
    from peso.policy.xsdk_doc import STATEMENTS

    decisions = default_decisions()
    pairs = yamlio.load(STATEMENTS)["same_requirement"]
    grouped = {frozenset(g) for g in groups(decisions)}
    for xsdk, e4s in pairs.items():
        assert any({xsdk, e4s} <= g for g in grouped), (xsdk, e4s)
    repo = _repo(tmp_path, {"peso-quiet": QUIET, "peso-visit-like": VISIT_LIKE})
    chosen = products.from_names(["szx", "alpaka", "exampm", "peso-quiet", "peso-visit-like"], [repo])
    report = run.build_report(chosen, use_cache=False)
    for product in report.products:
        for group in groups(decisions):
            assert len({product.results[pid].status for pid in group}) == 1, (product.product, group)
    # P3 and M15 in particular, on the recipes that patch and those that do not
    assert {p.results["E4S-P3"].status for p in report.products} == {
        p.results["xSDK-M15"].status for p in report.products
    }
