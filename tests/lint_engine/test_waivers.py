"""The waiver file: waived, expired and unused entries; malformed files."""

import datetime

import pytest

from peso.errors import PesoError
from peso.lint import engine

TODAY = datetime.date(2026, 6, 1)


def run(project, config, waivers_text, **kw):
    path = project.write("peso-waivers.yaml", waivers_text)
    return engine.lint([project.packages], config.override(waivers=path), cwd=project.root, today=TODAY, **kw)


def test_live_waiver_hides_findings_of_its_package_only(project, config):
    project.add("pkg-a", body="x = 1  # MARKER\n")
    b = project.add("pkg-b", body="x = 1  # MARKER\n")
    result = run(
        project,
        config,
        """\
        waivers:
          - package: pkg-a
            rule: PESO-Z901
            reason: upstream keeps the marker
            owner: alice
            expires: 2026-12-31
        """,
    )
    assert [(f.rule, f.path) for f in result.findings] == [("PESO-Z901", b)]
    assert result.waived == 1


def test_glob_package_pattern(project, config):
    project.add("py-one", body="x = 1  # MARKER\n")
    project.add("py-two", body="x = 1  # MARKER\n")
    result = run(
        project,
        config,
        """\
        - {package: "py-*", rule: PESO-Z901, reason: python packages, owner: bob, expires: 2027-01-01}
        """,
    )
    assert result.findings == [] and result.waived == 2


def test_expired_waiver_no_longer_hides_and_is_reported(project, config):
    project.add("pkg-a", body="x = 1  # MARKER\n")
    result = run(
        project,
        config,
        """\
        waivers:
          - package: pkg-a
            rule: PESO-Z901
            reason: was temporary
            owner: alice
            expires: 2026-01-31
        """,
    )
    rules = sorted(f.rule for f in result.findings)
    assert rules == ["PESO-X003", "PESO-Z901"]
    (expired,) = [f for f in result.findings if f.rule == "PESO-X003"]
    assert expired.path.endswith("peso-waivers.yaml") and expired.line == 2
    assert "2026-01-31" in expired.message and "alice" in expired.message


def test_unused_waiver_is_reported_only_when_its_package_was_linted(project, config):
    project.add("pkg-a")
    other = project.add("pkg-b")
    text = """\
        waivers:
          - package: pkg-a
            rule: PESO-Z901
            reason: no longer needed
            owner: alice
            expires: 2030-01-01
        """
    (f,) = run(project, config, text).findings
    assert (f.rule, f.line, f.package) == ("PESO-X004", 2, "pkg-a")
    path = project.write("peso-waivers.yaml", text)
    only_b = engine.lint([other], config.override(waivers=path), cwd=project.root, today=TODAY)
    assert only_b.findings == []


def test_waiver_file_found_next_to_the_config(project, config):
    project.add("pkg-a", body="x = 1  # MARKER\n")
    project.write("peso.yaml", "policy: all\n")
    project.write(
        "peso-waivers.yaml",
        "- {package: pkg-a, rule: PESO-Z901, reason: r, owner: o, expires: 2099-01-01}\n",
    )
    from peso.lint.config import load_config

    cfg = load_config(project.root).override(jobs=1, cache_dir=config.cache_dir, select=config.select)
    result = engine.lint([project.packages], cfg, cwd=project.root)
    assert result.findings == [] and result.waiver_file.endswith("peso-waivers.yaml")


@pytest.mark.parametrize(
    "text, key, problem",
    [
        ("- {package: a, rule: PESO-Z901, reason: r, owner: o}\n", "[0].expires", "missing required key"),
        ("- {package: a, rule: PESO-Z901, reason: r, owner: o, expires: soon}\n", "[0].expires", "expected a date"),
        ("- {package: a, rule: PESO-NOPE, reason: r, owner: o, expires: 2030-01-01}\n", "[0].rule", "unknown rule"),
        (
            "waivers:\n  - {package: a, rule: PESO-Z901, reason: r, owner: o, expires: 2030-01-01, colour: red}\n",
            "waivers[0].colour",
            "unknown key",
        ),
        ("waivers: 3\n", "waivers", "expected a list"),
        ("- [unclosed\n", "line 2", "not valid YAML"),
    ],
)
def test_malformed_waiver_file_is_one_line_naming_file_and_key(project, config, text, key, problem):
    project.add("pkg-a")
    with pytest.raises(PesoError) as e:
        run(project, config, text)
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(project.root) and "peso-waivers.yaml: %s: " % key in message
    assert problem in message


def test_missing_waiver_file_is_an_error(project, config):
    project.add("pkg-a")
    with pytest.raises(PesoError, match="waiver file not found"):
        engine.lint([project.packages], config.override(waivers="nope.yaml"), cwd=project.root)
