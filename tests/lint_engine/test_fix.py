"""--fix on real builtin recipes: the result parses, keeps everything else byte for byte,
and lints clean for the rule it fixed."""

import ast

import pytest

from peso.lint import autofix, registry
from peso.recipe.parse import load_recipe

CASES = [
    # (package, rule id, text before, text after)
    ("szx", "PESO-M002", 'maintainers = ["robertu94"]', 'maintainers("robertu94")'),
    ("exampm", "PESO-R003", '"+shared" in self.spec', 'self.spec.satisfies("+shared")'),
    ("alpaka", "PESO-S006", None, None),
]


def rule_findings(rule_id, path):
    registry.all_rules()
    return list(registry.RULES[rule_id].check(load_recipe(path)))


@pytest.mark.parametrize("package,rule_id,before,after", CASES)
def test_fix_makes_the_rule_clean(repo_copy, package, rule_id, before, after):
    path = str(repo_copy / "packages" / package / "package.py")
    original = open(path).read()
    assert rule_findings(rule_id, path), "the copied recipe must show the problem first"
    if before:
        assert before in original
    result = autofix.fix_file(path, [rule_id])
    assert result.applied == {rule_id: result.applied[rule_id]} and result.applied[rule_id] >= 1
    fixed = open(path).read()
    ast.parse(fixed)
    assert rule_findings(rule_id, path) == []
    if after:
        assert after in fixed and before not in fixed
    # only the flagged statements changed: same number of lines, same set of lines
    assert len(fixed.splitlines()) == len(original.splitlines())
    changed = [(a, b) for a, b in zip(original.splitlines(), fixed.splitlines()) if a != b]
    assert 1 <= len(changed) <= 2


def test_version_order_moves_whole_statements(repo_copy):
    path = str(repo_copy / "packages" / "alpaka" / "package.py")
    original = open(path).read()
    autofix.fix_file(path, ["PESO-S006"])
    fixed = open(path).read()
    assert sorted(original.splitlines()) == sorted(fixed.splitlines())  # nothing lost or invented
    assert fixed.index('version("2.0.0"') < fixed.index('version("1.3.0"')


def test_diff_does_not_write(repo_copy):
    path = str(repo_copy / "packages" / "szx" / "package.py")
    original = open(path).read()
    result = autofix.fix_file(path, write=False)
    assert open(path).read() == original
    diff = result.diff()
    assert '-    maintainers = ["robertu94"]' in diff
    assert '+    maintainers("robertu94")' in diff


def test_not_in_becomes_not_satisfies():
    source = 'class A:\n    def f(self):\n        if "~mpi" not in self.spec and x:\n            pass\n'
    fixed, applied = autofix.fix_source(source, rules=["PESO-R003"])
    assert 'if not self.spec.satisfies("~mpi") and x:' in fixed
    assert applied == {"PESO-R003": 1}


def test_dependency_spec_and_non_spec_membership():
    source = (
        "class A:\n"
        "    def f(self, spec):\n"
        '        a = "@1.12:" in spec["hdf5"]\n'
        '        b = "intl" in self.spec["gettext"].libs.names\n'
    )
    fixed, _ = autofix.fix_source(source)
    assert 'a = spec["hdf5"].satisfies("@1.12:")' in fixed
    assert 'b = "intl" in self.spec["gettext"].libs.names' in fixed  # a list, not a spec


def test_version_order_keeps_comments_and_branches_first():
    source = (
        "class A:\n"
        '    version("1.0", sha256="a")\n'
        "    # the new one\n"
        '    version("1.10", sha256="b")\n'
        '    version("develop", branch="develop")\n'
        '    version("1.2rc1", sha256="c")\n'
        '    version("1.2", sha256="d")\n'
    )
    fixed, _ = autofix.fix_source(source, rules=["PESO-S006"])
    lines = fixed.splitlines()
    assert lines[1] == '    version("develop", branch="develop")'
    assert lines[2:4] == ["    # the new one", '    version("1.10", sha256="b")']
    assert lines[4:] == [
        '    version("1.2", sha256="d")',
        '    version("1.2rc1", sha256="c")',
        '    version("1.0", sha256="a")',
    ]


def test_multiline_maintainers_and_unicode_columns():
    source = 'class A:\n    """Ünïcode"""\n    x = "é"; maintainers = [\n        "a",\n        "b",\n    ]\n'
    fixed, applied = autofix.fix_source(source, rules=["PESO-M002"])
    assert 'x = "é"; maintainers("a", "b")' in fixed
    ast.parse(fixed)


def test_unparsable_recipe_is_a_clear_error(tmp_path):
    bad = tmp_path / "package.py"
    bad.write_text("class A(:\n")
    with pytest.raises(Exception) as e:
        autofix.fix_file(str(bad))
    assert "package.py" in str(e.value) and "does not parse" in str(e.value)


def test_duplicate_version_fixer_deletes_only_an_identical_copy(tmp_path):
    path = tmp_path / "package.py"
    path.write_text(
        "from spack.package import *\n\n\nclass Foo(Package):\n"
        '    version("2.0", sha256="%s")\n'
        '    version("1.0", sha256="%s")\n'
        '    version("2.0", sha256="%s")\n'
        '    version("1.0", tag="v0.9")  # which one is right is for a person to say\n' % ("a" * 64, "b" * 64, "a" * 64)
    )
    result = autofix.fix_file(str(path), ["PESO-S009"])
    fixed = path.read_text()
    assert result.applied == {"PESO-S009": 1}
    assert fixed.count('version("2.0"') == 1 and fixed.count('version("1.0"') == 2
    assert [f.line for f in rule_findings("PESO-S009", str(path))] == [7]
