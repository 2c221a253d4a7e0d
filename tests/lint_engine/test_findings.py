"""Broken recipes become findings with a location; suppressions and profiles."""

import os

import pytest

from peso.lint import engine


def lint(project, config, *targets, **kw):
    return engine.lint(list(targets) or [project.packages], config, cwd=project.root, **kw)


def by_rule(result, rule_id):
    return [f for f in result.findings if f.rule == rule_id]


def test_syntax_error_is_a_finding_with_its_line(project, config):
    path = project.add("broken", raw="class Broken(Package):\n    version('1.0'\n    x = = 2\n")
    project.add("fine")
    result = lint(project, config)
    (f,) = by_rule(result, "PESO-E001")
    assert f.path == path and f.package == "broken"
    assert f.line >= 2 and "syntax error" in f.message
    assert result.files_seen == 2 == len(result.files)


def test_undecodable_file_is_a_finding_with_its_line(project, config):
    project.add("latin", raw=b"# ok\n# caf\xe9\nx = 1\n")
    (f,) = by_rule(lint(project, config), "PESO-E001")
    assert f.line == 2 and "UTF-8" in f.message


def test_unreadable_file_is_a_finding_not_a_crash(project, config):
    folder = os.path.join(project.packages, "ghost")
    os.makedirs(folder)
    os.symlink(os.path.join(folder, "missing.py"), os.path.join(folder, "package.py"))
    result = lint(project, config)
    (f,) = by_rule(result, "PESO-E001")
    assert f.package == "ghost" and f.line == 0 and "cannot read" in f.message


def test_marker_rule_reports_line_and_column(project, config, marker_rule):
    path = project.add("pkg", body="x = 1  # MARKER\n")
    (f,) = lint(project, config).findings
    assert (f.rule, f.path, f.severity) == ("PESO-Z901", path, "warning")
    assert f.line == 9 and f.column == 14


def test_crashing_rule_is_reported_and_others_still_run(project, config, marker_rule):
    from peso.lint import registry

    def boom(recipe):
        raise ZeroDivisionError("oops")
        yield

    crash = registry.Rule("PESO-Z902", "test-crash", "info", (), "crashes", {})
    registry.RULES[crash.id] = crash
    registry.rule(crash.id)(boom)
    try:
        project.add("pkg", body="x = 1  # MARKER\n")
        result = lint(project, config.override(select=["PESO-E001", "PESO-X", "PESO-Z"]))
    finally:
        del registry.RULES[crash.id]
    assert [f.rule for f in result.findings] == ["PESO-X005", "PESO-Z901"]
    assert "PESO-Z902" in result.findings[0].message and "ZeroDivisionError" in result.findings[0].message


def test_suppression_with_reason_hides_the_finding(project, config, marker_rule):
    project.add("pkg", body="x = 1  # MARKER  peso: ignore[PESO-Z901] fixture needs it\n")
    result = lint(project, config)
    assert result.findings == [] and result.suppressed == 1


def test_suppression_without_reason_is_itself_a_finding(project, config, marker_rule):
    project.add("pkg", body="x = 1  # MARKER peso: ignore[PESO-Z901]\n")
    result = lint(project, config)
    (f,) = result.findings
    assert (f.rule, f.severity, f.line) == ("PESO-X001", "error", 9)
    assert result.suppressed == 1


def test_several_ids_and_unused_and_unknown_ones(project, config, marker_rule):
    project.add(
        "pkg",
        body="x = 1  # MARKER peso: ignore[PESO-Z901, PESO-E001] both listed\n"
        "y = 2  # peso: ignore[PESO-Z901] nothing to hide here\n"
        "z = 3  # peso: ignore[PESO-Q999] no such rule\n",
    )
    result = lint(project, config)
    got = [(f.rule, f.line) for f in result.findings]
    assert got == [("PESO-X002", 9), ("PESO-X002", 10), ("PESO-X002", 11)]
    messages = [f.message for f in result.findings]
    assert "PESO-E001" in messages[0] and "PESO-Q999" in messages[2] and "unknown" in messages[2]


def test_suppression_of_a_rule_not_running_is_not_unused(project, config, marker_rule):
    project.add("pkg", body="x = 1  # MARKER peso: ignore[PESO-Z901] reason\n")
    result = lint(project, config.override(select=["PESO-E001", "PESO-X"]))
    assert result.findings == []


def test_ignore_removes_a_rule(project, config, marker_rule):
    project.add("pkg", body="x = 1  # MARKER\n")
    assert lint(project, config.override(ignore=["PESO-Z901"])).findings == []


def test_select_by_policy(project, config, marker_rule):
    project.add("pkg", body="x = 1  # MARKER\n")
    result = lint(project, config.override(select=["E4S-P2"]))
    assert "PESO-Z901" in [f.rule for f in result.findings]
    assert all("E4S-P2" in result.rules[rule_id].policies for rule_id in result.active)
    assert "PESO-X001" not in result.active


def test_profiles_choose_rules_and_raise_severities(project, config):
    """Data in profiles.yaml: e4s makes the stand-alone-test rule an error (for a product
    of the catalogue: hypre is one); xsdk runs no E4S-only rule; all keeps default
    severities."""
    project.add("hypre")  # no test_* method
    no_select = config.override(select=[])

    def t001(policy):
        result = lint(project, no_select.override(policy=policy))
        return [f.severity for f in result.findings if f.rule == "PESO-T001"], result

    assert t001("e4s")[0] == ["error"]
    assert t001("all")[0] == ["warning"]
    _, xsdk = t001("xsdk")
    assert "PESO-S007" not in xsdk.active and "PESO-L001" in xsdk.active and "PESO-X001" in xsdk.active
    assert [f.severity for f in xsdk.findings if f.rule == "PESO-L001"] == ["error"]


def test_profile_raises_by_policy_and_never_lowers(marker_rule):
    from peso.lint.profiles import Profile

    profile = Profile("p", "", ("E4S-*",), True, {"E4S-P2": "error"}, {"PESO-Z901": "info"})
    assert profile.covers(marker_rule)
    assert profile.severity(marker_rule, "warning") == "error"
    assert profile.severity(marker_rule, "error") == "error"
    lower = Profile("q", "", ("xSDK-*",), False, {}, {"PESO-Z901": "info"})
    assert not lower.covers(marker_rule)
    assert lower.severity(marker_rule, "warning") == "warning"


def test_unknown_profile_is_a_usage_error(project, config):
    from peso.errors import PesoError

    project.add("pkg")
    with pytest.raises(PesoError, match="unknown lint profile 'nope'"):
        lint(project, config.override(policy="nope"))


def test_engine_sort_key_orders_as_finding_sort_key():
    """The engine sorts with a C attrgetter; it must order exactly as Finding.sort_key."""
    from peso.lint.registry import Finding

    findings = [
        Finding("PESO-B", "info", m, p, line, col)
        for p in ("b", "a")
        for line in (2, 1)
        for col in (3, 1)
        for m in ("y", "x")
    ] + [Finding("PESO-A", "info", "x", "a", 1, 1)]
    assert [engine.SORT_KEY(f) for f in findings] == [f.sort_key() for f in findings]
    assert sorted(findings, key=engine.SORT_KEY) == sorted(findings, key=Finding.sort_key)


def test_findings_come_sorted_cold_and_warm_without_a_final_sort(tmp_path):
    """The runner caches each file's raw findings in report order and discovery sorts the
    paths, so the engine skips its final sort: the result must still be in sort order."""
    from peso.lint.config import LintConfig
    from peso.lint.registry import Finding

    repo = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "repo")
    config = LintConfig().override(policy="all", cache_dir=str(tmp_path / "cache"), jobs=1)
    for run in ("cold", "warm"):
        result = engine.lint([repo], config, cwd=str(tmp_path))
        rules_per_file = {}
        for f in result.findings:
            rules_per_file.setdefault(f.path, set()).add(f.rule)
        assert max(len(r) for r in rules_per_file.values()) > 3, run  # several rules per file
        assert result.findings == sorted(result.findings, key=Finding.sort_key), run
