"""Every output format, from one lint result: text, JSON, SARIF (schema-validated),
GitHub annotations and JUnit."""

import json
import os
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from peso.lint import engine
from peso.report import github, junit, lint_json, lint_text, sarif

SCHEMA = os.path.join(os.path.dirname(__file__), "data", "sarif-schema-2.1.0.json")


@pytest.fixture
def result(project, config):
    project.add("pkg-a", body="x = 1  # MARKER\ny = 'a,b:c'  # MARKER 100% sure\n")
    project.add("pkg-b")
    project.add("pkg-c", raw="def broken(:\n")
    res = engine.lint([project.packages], config, cwd=project.root)
    assert len(res.findings) == 3
    return res


def test_text_lines_and_summary(result, project):
    out = lint_text.render(result, project.root)
    lines = out.splitlines()
    assert lines[0] == "repo/spack_repo/demo/packages/pkg_a/package.py:9:14: PESO-Z901 warning MARKER found"
    assert lines[2].startswith("repo/spack_repo/demo/packages/pkg_c/package.py:1:") and "PESO-E001 error" in lines[2]
    assert "Findings by rule:" in out and re.search(r"PESO-Z901\s+test-marker\s+2", out)
    assert "Findings by policy:" in out and re.search(r"E4S-P2\s+2", out)
    assert lines[-1].startswith("Checked 3 files (3 linted, 0 from cache)") and "1 error, 2 warnings" in lines[-1]
    assert "\033[" not in out


def test_text_is_coloured_only_on_request(result, project):
    assert "\033[" in lint_text.render(result, project.root, color=True)


def test_json_has_one_object_per_finding_with_all_fields(result, project):
    items = json.loads(lint_json.render(result, project.root))
    assert len(items) == 3
    for item in items:
        assert set(item) == {"rule", "name", "severity", "policies", "package", "path", "line", "column", "message"}
    first = items[0]
    assert first["rule"] == "PESO-Z901" and first["name"] == "test-marker" and first["policies"] == ["E4S-P2"]
    assert first["package"] == "pkg-a" and first["path"] == "repo/spack_repo/demo/packages/pkg_a/package.py"
    assert (first["line"], first["column"], first["severity"]) == (9, 14, "warning")


def test_sarif_validates_against_the_2_1_0_schema(result, project):
    log = json.loads(sarif.render(result, project.root))
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.validate(log, schema)
    (run,) = log["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    marker = rules["PESO-Z901"]
    assert marker["name"] == "test-marker"
    assert marker["shortDescription"]["text"] and marker["fullDescription"]["text"] == "Reports MARKER."
    assert "Remove it." in marker["help"]["text"] and marker["properties"]["tags"] == ["E4S-P2"]
    assert marker["helpUri"].startswith("https://")
    res = run["results"][0]
    assert (res["ruleId"], res["level"]) == ("PESO-Z901", "warning")
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "repo/spack_repo/demo/packages/pkg_a/package.py"
    assert loc["region"] == {"startLine": 9, "startColumn": 14}
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "PESO-Z901"


def test_sarif_schema_rejects_a_broken_log():
    """The schema check above can fail: a result without a message is invalid SARIF."""
    with open(SCHEMA) as f:
        schema = json.load(f)
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "A"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_github_annotations(result, project):
    lines = github.render(result, project.root).splitlines()
    assert lines[0] == (
        "::warning file=repo/spack_repo/demo/packages/pkg_a/package.py,line=9,col=14,title=PESO-Z901"
        "::MARKER found (test-marker)"
    )
    assert lines[2].startswith("::error file=repo/spack_repo/demo/packages/pkg_c/package.py,line=1,")
    for line in lines:
        assert re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+(,col=\d+)?,title=PESO-[A-Z]\d+::\S", line)


def test_github_escapes_properties_and_data():
    assert github._prop("a,b:c%") == "a%2Cb%3Ac%25"
    assert github._data("two\nlines 100%") == "two%0Alines 100%25"


def test_junit_one_case_per_package_one_failure_per_finding(result, project):
    root = ET.fromstring(junit.render(result, project.root))
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["pkg-a", "pkg-b", "pkg-c"]
    assert [len(c.findall("failure")) for c in cases] == [2, 0, 1]
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")
    assert cases[0].find("failure").get("type") == "PESO-Z901"


def test_junit_survives_control_characters_in_messages(result, project):
    result.findings[0].message = "bad \x01 byte\nand a second line"
    root = ET.fromstring(junit.render(result, project.root))
    failure = root.find("./testsuite/testcase/failure")
    assert "bad ? byte" in failure.get("message") and "\n" in failure.get("message")


#: messages that take every path through the writers' escaping
AWKWARD = [
    "plain",
    "it's",
    'say "x"',
    "both ' and \"",
    "a < b && c > d",
    "tab\there\nnew\rline",
    "ctl \x01\x1f end",
    "ünïcödé \u2028 \ud7ff \ufffe",
    "emoji \U0001f600",
    "",
]


def test_json_is_byte_for_byte_json_dumps_of_each_item(result, project):
    """The writer assembles each item from pieces; it must equal json.dumps of the dict."""
    for message, f in zip(AWKWARD, result.findings * 4):
        f.message = message
        expected = "[\n" + ",\n".join(json.dumps(lint_json._item(g, project.root)) for g in result.findings) + "\n]\n"
        assert lint_json.render(result, project.root) == expected


def test_junit_escaping_fast_path_matches_saxutils():
    from xml.sax.saxutils import escape, quoteattr

    for text in AWKWARD:
        clean = junit._NOT_XML.sub("?", text)
        assert junit.escape(text) == escape(clean)
        assert junit.quoteattr(text) == quoteattr(clean, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def test_junit_round_trips_every_kind_of_message(result, project):
    """Fast path or escaped, a parser reads back exactly the (XML-safe) message."""
    for message in AWKWARD:
        result.findings[0].message = message
        failure = ET.fromstring(junit.render(result, project.root)).find("./testsuite/testcase/failure")
        clean = junit._NOT_XML.sub("?", message)
        assert failure.get("message") == "PESO-Z901 warning: " + clean
        assert failure.text.endswith(": PESO-Z901 warning " + clean.replace("\r", "\n"))
