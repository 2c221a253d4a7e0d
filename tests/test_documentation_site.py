"""The documentation site builds with warnings as errors, and its references are generated
from the program (``docs/_ext/peso_reference.py``): the CLI from the argparse parser, the
rules from the rule documentation the code reads. Console examples: test_docs_examples.py."""

import ast
import os
import subprocess
import sys

import yaml
from peso_testing import ROOT, missing, run_peso

PESO = os.path.join(ROOT, "spack-peso", "peso")


def _string_args(path: str, function: str, position: int):
    """The literal argument at ``position`` of every call of ``function`` in a module."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function:
            argument = node.args[position]
            assert isinstance(argument, ast.Constant), "%s: %s(...) with a computed code" % (path, function)
            yield argument.value


def _documented(relative: str):
    with open(os.path.join(PESO, relative), encoding="utf-8") as f:
        return {rule["id"]: rule for rule in yaml.safe_load(f)}


def test_every_stack_rule_emitted_is_documented_and_every_documented_one_emitted():
    emitted = set(_string_args(os.path.join(PESO, "policy", "stacklint.py"), "_problem", 0))
    documented = _documented("policy/data/stack_rules.yaml")
    assert emitted and emitted == set(documented)
    for rule in documented.values():
        assert all(rule.get(key) for key in ("name", "severity", "summary", "what", "why", "example", "fix")), rule[
            "id"
        ]


def test_every_catalogue_code_emitted_is_documented_and_every_documented_one_emitted():
    path = os.path.join(PESO, "stack", "generate", "catalog_lint.py")
    emitted = set(_string_args(path, "finding", 0))
    documented = _documented("stack/generate/data/catalog_rules.yaml")
    assert emitted and emitted == set(documented)
    # the severity is read from the documentation: each code's facts are written once
    assert all(rule["severity"] in ("error", "warning", "info") for rule in documented.values())


def test_the_docs_build_with_warnings_as_errors(tmp_path):
    try:
        import myst_parser  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError:
        missing("NO SPHINX: pip install -e '.[docs]'")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(tmp_path / "html")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = tmp_path / "html"
    for page in ("index", "own-stack", "catalogue-targets", "bootstrap", "architecture", "reference/cli"):
        assert (html / (page + ".html")).is_file(), page
    cli = (html / "reference" / "cli.html").read_text()
    for command in ("stack generate", "stack build", "stack test", "policy report", "curate", "bootstrap"):
        assert command in cli, command
    assert "exit status" in cli
    rules = (html / "reference" / "rules.html").read_text()
    sources = (
        "lint/data/rules.yaml",
        "lint/data/rules-engine.yaml",
        "lint/data/rules-deep.yaml",
        "policy/data/stack_rules.yaml",
    )
    every_id = [rule_id for source in sources for rule_id in _documented(source)]
    every_id += list(_documented("stack/generate/data/catalog_rules.yaml"))
    assert len(every_id) > 60
    for rule_id in every_id:
        assert rule_id in rules, rule_id


def test_explain_answers_for_a_rule_of_every_family():
    """``lint --explain`` reads the one index of rule documentation: a stack rule and a
    catalogue code are explained like a recipe rule, with the command that reports them."""
    from peso import rule_docs
    from peso.report.lint_rules import render_documented

    documented = {rule_id for family in rule_docs.FAMILIES for rule_id in _ids(family)}
    assert {"STACK-R001", "unknown-variant", "PESO-T001"} <= documented
    for family in (rule_docs.STACK, rule_docs.CATALOGUE):
        for rule_id in _ids(family):
            text = render_documented(*rule_docs.find(rule_id.lower()))
            assert text.startswith(rule_id) and "Reported by: " + family.reported_by in text
            assert "What it checks:" in text and "How to fix:" in text, rule_id
    proc = run_peso("lint", "--explain", "stack-t001", cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("STACK-T001 root-without-standalone-test"), proc.stderr
    assert "spack peso policy stack" in proc.stdout
    proc = run_peso("lint", "--explain", "no-such-rule", cwd=ROOT)
    assert proc.returncode == 2 and "unknown rule" in proc.stderr and not proc.stdout


def _ids(family):
    return [rule["id"] for name in family.files for rule in yaml.safe_load(open(os.path.join(PESO, name)))]
