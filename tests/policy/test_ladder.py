"""Evidence ladders as data: every ladder loads and names a real policy; a malformed one is
a one-line error; a cell is failed by any fail rung, passed by a pass rung, and only
supported by a partial one; every undecided cell says what would decide it."""

import pytest

from peso.errors import PesoError
from peso.policy.decisions import default_decisions
from peso.policy.definitions import load_policies
from peso.policy.evaluate import FAIL, NEEDS_EVIDENCE, PASS, evaluate_product
from peso.policy.evidence import Observation
from peso.policy.ladder import LADDERS, climb, default_ladders, load_ladders


def obs(fact, value, package="szx", source="run/build.json (szx@1.0/aaaaaaa)"):
    return Observation(package, fact, value, source, "2026-11-29T12:00:00Z", "detail of %s" % fact, "host")


def cell(policy_id, observations, findings=()):
    policies = [p for p in load_policies() if p.id == policy_id]
    report = evaluate_product(
        "szx", "szx", "szx/package.py", findings, policies, observations=observations, fill={"target": "frontier"}
    )
    return report.results[policy_id]


def test_every_ladder_names_a_policy_and_says_why():
    ladders = default_ladders()
    ids = {p.id for p in load_policies()}
    assert set(ladders) <= ids
    for ladder in ladders.values():
        assert ladder.reasoning, ladder.policy
        for rung in ladder.rungs:
            assert rung.why and rung.when
    # every policy heading its verdict has a ladder saying what would decide it (the
    # members of a same-verdict group share their head's)
    heads = {d.canonical for d in default_decisions().values()}
    assert heads <= set(ladders) and not set(ladders) - heads
    assert all(ladders[pid].to_decide for pid in heads if pid in ladders)


@pytest.mark.parametrize(
    "text,problem",
    [
        ("ladders: {E4S-P1: {pass: [{why: x}]}}\n", "E4S-P1/pass[0]: a rung needs a non-empty 'when'"),
        ("ladders: {E4S-P1: {pass: [{when: {build: built}}]}}\n", "E4S-P1/pass[0]: a rung needs a 'why'"),
        ("ladders: {E4S-P99: {}}\n", "E4S-P99: no such policy"),
        ("ladders: {E4S-P1: {passes: []}}\n", "E4S-P1: unknown key(s) passes"),
        ("ladders: {E4S-P1: {to_decide: [{evidence: x}]}}\n", "to_decide entries need 'evidence' and 'produce'"),
        ("- a list\n", "expected a 'ladders' mapping"),
        (
            "facts: {build: [built]}\nladders: {E4S-P1: {pass: [{when: {biuld: built}, why: w}]}}\n",
            "E4S-P1/pass[0]: unknown fact 'biuld'",
        ),
        (
            "facts: {build: [built]}\nladders: {E4S-P1: {pass: [{when: {build: biult}, why: w}]}}\n",
            "E4S-P1/pass[0]: build has no value 'biult'",
        ),
    ],
)
def test_bad_ladder_file_is_a_one_line_error(tmp_path, text, problem):
    path = tmp_path / "ladders.yaml"
    path.write_text(text)
    with pytest.raises(PesoError) as e:
        load_ladders(str(path), known=[p.id for p in load_policies()])
    assert str(path) in str(e.value) and problem in str(e.value)
    assert "\n" not in str(e.value)


def test_yaml_booleans_in_a_rung_mean_yes_and_no(tmp_path):
    path = tmp_path / "ladders.yaml"
    path.write_text("ladders:\n  E4S-P3:\n    reasoning: r\n    pass: [{when: {recipe.changes_source: no}, why: w}]\n")
    ladder = load_ladders(str(path))["E4S-P3"]
    assert climb(ladder, [obs("recipe.changes_source", "no")], {}).status == "pass"


def test_concretizing_is_partial_support_for_p1_not_a_pass():
    result = cell("E4S-P1", [obs("concretize", "ok")])
    assert result.status == NEEDS_EVIDENCE
    assert "partial evidence: it concretizes" in result.explanation
    # the cell names the evidence that decides it and the command that produces it
    assert result.to_decide and "spack peso stack build --target frontier" in result.to_decide[0]["produce"]
    assert [o["effect"] for o in result.observations] == ["partial"]


def test_a_build_passes_p1_and_its_own_failure_fails_it():
    result = cell("E4S-P1", [obs("concretize", "ok"), obs("build", "built")])
    assert result.status == PASS and result.decided_by == "evidence"
    assert result.observations[0]["source"] == "run/build.json (szx@1.0/aaaaaaa)"
    assert result.observations[0]["date"] == "2026-11-29T12:00:00Z"
    assert not result.to_decide
    assert cell("E4S-P1", [obs("build", "failed")]).status == FAIL
    # a dependency's failure decides nothing
    assert cell("E4S-P1", [obs("build", "blocked")]).status == NEEDS_EVIDENCE
    # any failing evidence beats a passing one (built on one target, failed on another)
    assert cell("E4S-P1", [obs("build", "built"), obs("build", "failed")]).status == FAIL


def test_p2_is_failed_by_a_vacuous_pass_even_when_the_recipe_has_a_test():
    # no findings and no fact: silence passes nothing
    assert cell("E4S-P2", []).status == NEEDS_EVIDENCE
    # a test method that can run passes P2 from the recipe
    runnable = obs("recipe.standalone_test", "runnable", source="szx/package.py:12")
    assert cell("E4S-P2", [runnable]).status == PASS and cell("E4S-P2", [runnable]).decided_by == "recipe"
    vacuous = cell("E4S-P2", [runnable, obs("test", "vacuous")])
    assert vacuous.status == FAIL and "without testing anything" in vacuous.explanation
    passed = cell("E4S-P2", [runnable, obs("test", "passed")])
    assert passed.status == PASS and passed.decided_by == "recipe+evidence"
    assert cell("E4S-P2", [runnable, obs("test", "failed")]).status == FAIL
    # a skipped run says nothing beyond the recipe
    skipped = cell("E4S-P2", [runnable, obs("test", "skipped")])
    assert skipped.status == PASS and skipped.decided_by == "recipe"
    # a test whose every method is broken is a concern only; a passing run still decides
    broken = obs("recipe.standalone_test", "broken", source="szx/package.py:12")
    assert cell("E4S-P2", [broken]).status == NEEDS_EVIDENCE
    assert cell("E4S-P2", [broken, obs("test", "passed")]).status == PASS


def test_m14_needs_a_build_for_a_64_bit_cpu():
    assert cell("xSDK-M14", [obs("build", "built")]).status == NEEDS_EVIDENCE
    assert cell("xSDK-M14", [obs("concretize", "ok")]).status == NEEDS_EVIDENCE
    assert cell("xSDK-M14", [obs("build", "built"), obs("prefix.arch_family", "x86_64")]).status == PASS


def test_human_policies_say_how_a_product_reports_them():
    result = cell("E4S-P8", [obs("build", "built"), obs("test", "passed")])
    assert result.status == NEEDS_EVIDENCE
    assert "compatibility document" in result.to_decide[0]["produce"]


def test_the_shipped_ladders_file_is_the_default():
    assert LADDERS.endswith("policy/data/ladders.yaml")


def test_no_pass_rests_on_concretization_alone():
    """Soundness, on the data itself: concretizing is never enough to pass a policy."""
    for ladder in default_ladders().values():
        for rung in ladder.of_kind("pass"):
            assert set(rung.when) != {"concretize"}, ladder.policy
            assert "skipped" not in rung.when.get("test", ()) and "vacuous" not in rung.when.get("test", ())
            assert "blocked" not in rung.when.get("build", ())


def test_documentation_and_symbol_policies_are_never_passed_on_presence_alone():
    """What the source or prefix can only suggest stays partial: sufficient documentation
    (P4, M17), a version API that must also report build options (M8), and namespaced
    header and library names while symbols or macros are not (FLP3, M9)."""
    assert cell("E4S-P4", [obs("source.documentation", "readme-and-docs")]).status == NEEDS_EVIDENCE
    assert cell("xSDK-M17", [obs("source.documentation", "readme-and-docs")]).status == NEEDS_EVIDENCE
    assert cell("xSDK-M8", [obs("prefix.version_api", "found")]).status == NEEDS_EVIDENCE
    for pid in ("E4S-FLP3", "xSDK-M9"):
        assert cell(pid, [obs("prefix.namespacing", "namespaced")]).status == NEEDS_EVIDENCE
        assert (
            cell(pid, [obs("prefix.namespacing", "namespaced"), obs("prefix.symbols", "unclear")]).status
            == NEEDS_EVIDENCE
        )
        # names, exported symbols and macros all namespaced: that is what the policy asks
        assert cell(pid, [obs("prefix.namespacing", "namespaced"), obs("prefix.symbols", "namespaced")]).status == PASS
        assert cell(pid, [obs("prefix.namespacing", "generic")]).status == FAIL
        assert cell(pid, [obs("prefix.namespacing", "nothing")]).status == PASS
    assert cell("xSDK-R8", [obs("prefix.version_macros", "string-only")]).status == NEEDS_EVIDENCE
    assert cell("xSDK-M13", [obs("prefix.layout", "lib64")]).status == NEEDS_EVIDENCE
    assert cell("xSDK-M5", [obs("source.contact", "documented")]).status == PASS


def test_the_self_report_line_a_cell_asks_for_is_read_back(tmp_path):
    """The line an undecided cell suggests, pasted into the product's document, decides it."""
    import re

    import yaml

    from peso.policy import compat

    policies = [p for p in load_policies() if p.id in ("E4S-P8", "xSDK-M3")]
    report = evaluate_product("szx", "szx", "szx/package.py", [], policies)
    doc = {"product_name": "szx", "policy_groups": [{"Official": {"policies": []}}], "xsdk_policies": []}
    for pid, result in report.results.items():
        produce = result.to_decide[0]["produce"]
        where, line = re.search(r"under (\S+): '(.*)'$", produce).groups()
        entry = yaml.safe_load(line.replace("<how the product meets %s>" % pid, "reviewed by the team"))[0]
        if where == "xsdk_policies":
            doc["xsdk_policies"].append(entry)
        else:
            assert where == "policy_groups/Official/policies"
            doc["policy_groups"][0]["Official"]["policies"].append(entry)
    path = tmp_path / "szx-compat.yaml"
    path.write_text(yaml.safe_dump(doc))
    compat.apply_claims(report, compat.claims(compat.read_document(str(path)), str(path)), str(path))
    for result in report.results.values():
        assert result.source == "self-reported" and result.claimed == 2


def test_a_claim_the_evidence_contradicts_is_a_contradiction():
    from peso.policy import compat

    policies = [p for p in load_policies() if p.id == "E4S-P1"]
    report = evaluate_product("szx", "szx", "szx/package.py", [], policies, observations=[obs("build", "failed")])
    found = compat.apply_claims(report, {"E4S-P1": compat.COMPLETE}, "/x/.e4s/szx-compat.yaml")
    assert (
        found
        and "szx-compat.yaml claims E4S-P1 Complete, but the evidence shows build: failed (run/build.json"
        in found[0][1]
    )


def test_every_undecided_cell_names_what_would_decide_it():
    policies = load_policies()
    clean = evaluate_product("szx", "szx", "szx/package.py", [], policies)
    missing = evaluate_product("nope", "nope", "", [], policies, error="no recipe found for nope")
    for report in (clean, missing):
        for pid, result in report.results.items():
            if result.status == NEEDS_EVIDENCE:
                assert result.to_decide and all(t["evidence"] and t["produce"] for t in result.to_decide), pid
    assert missing.results["E4S-P6"].to_decide[0]["evidence"] == "the product's Spack recipe"
