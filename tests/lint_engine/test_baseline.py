"""--baseline on real builtin recipes: only new findings fail, fixed ones are reported,
and fingerprints survive line shifts."""

import json

import pytest

from peso.errors import PesoError
from peso.lint import baseline, engine
from peso.lint.config import LintConfig


def lint(repo):
    config = LintConfig().override(policy="all")
    result = engine.lint([str(repo / "packages")], config, use_cache=False)
    packages = [p for _path, p in result.files]
    return result.findings, packages


def test_unchanged_repo_has_no_new_findings(repo_copy, tmp_path):
    findings, packages = lint(repo_copy)
    assert len(findings) >= 3  # the copied recipes have real problems
    path = str(tmp_path / "peso-baseline.json")
    assert baseline.write_baseline(path, findings, packages) == len(findings)
    again, packages = lint(repo_copy)
    result = baseline.compare(again, baseline.load_baseline(path), packages)
    assert result.new == [] and result.fixed == []
    assert len(result.known) == len(again)


def test_line_shift_keeps_fingerprints_and_a_new_problem_is_new(repo_copy, tmp_path):
    findings, packages = lint(repo_copy)
    path = str(tmp_path / "b.json")
    baseline.write_baseline(path, findings, packages)
    recipe = repo_copy / "packages" / "exampm" / "package.py"
    text = recipe.read_text()
    # shift every line down by 7 and add one new problem further down
    text = "# a\n# b\n# c\n\n\n# d\n# e\n" + text
    text = text.replace(
        "        return options",
        '        if "+mpi" in self.spec:\n            options.append("-DMPI=ON")\n        return options',
    )
    recipe.write_text(text)
    after, packages = lint(repo_copy)
    result = baseline.compare(after, baseline.load_baseline(path), packages)
    assert [(f.rule, f.package) for f in result.new] == [("PESO-R003", "exampm")]
    assert '"+mpi"' in text.splitlines()[result.new[0].line - 1]
    assert result.fixed == []
    # the old R003 finding moved by 7 lines and is still known
    old = [f for f in findings if f.rule == "PESO-R003" and f.package == "exampm"][0]
    moved = [f for f in result.known if f.rule == "PESO-R003" and f.package == "exampm"]
    assert [f.line for f in moved] == [old.line + 7]


def test_fixed_findings_are_reported(repo_copy, tmp_path):
    from peso.lint import autofix

    findings, packages = lint(repo_copy)
    path = str(tmp_path / "b.json")
    baseline.write_baseline(path, findings, packages)
    autofix.fix_file(str(repo_copy / "packages" / "szx" / "package.py"), ["PESO-M002"])
    after, packages = lint(repo_copy)
    result = baseline.compare(after, baseline.load_baseline(path), packages)
    assert [(e.rule, e.package) for e in result.fixed] == [("PESO-M002", "szx")]
    assert result.new == []


def test_identical_lines_are_counted_not_merged(tmp_path):
    from peso.lint.registry import Finding

    src = tmp_path / "package.py"
    src.write_text('x = "+a" in spec\nx = "+a" in spec\n')
    a = Finding("PESO-R003", "info", "m", str(src), 1, 1, "p")
    b = Finding("PESO-R003", "info", "m", str(src), 2, 1, "p")
    prints = baseline.fingerprints([a, b])
    assert len(set(prints)) == 2


def test_partial_update_keeps_other_packages(repo_copy, tmp_path):
    findings, packages = lint(repo_copy)
    path = str(tmp_path / "b.json")
    baseline.write_baseline(path, findings, packages)
    only_szx = [f for f in findings if f.package == "szx"]
    baseline.write_baseline(path, only_szx, ["szx"])
    kept = {e.package for e in baseline.load_baseline(path).entries}
    assert {"alpaka", "exampm", "szx"} <= kept


def test_missing_baseline_is_empty_and_bad_one_is_one_line_error(tmp_path):
    assert baseline.load_baseline(str(tmp_path / "none.json")).entries == []
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "findings": [{"rule": "X"}]}))
    with pytest.raises(PesoError) as e:
        baseline.load_baseline(str(bad))
    assert "bad.json" in str(e.value) and "\n" not in str(e.value)
    bad.write_text("{not json")
    with pytest.raises(PesoError):
        baseline.load_baseline(str(bad))
