"""The committed fixture recipes (made-up packages in builtin shape) give the findings a
reviewer would expect, at the right lines."""

import os

from _recipes import STATIC_RULE_IDS

from peso.lint.registry import RULES, all_rules
from peso.recipe.parse import load_recipe

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "recipes")


def lint(name):
    all_rules()
    recipe = load_recipe(os.path.join(DATA, name, "package.py"))
    assert recipe.error is None
    return recipe, sorted(((f.rule, f.line) for rid in STATIC_RULE_IDS for f in RULES[rid].check(recipe)))


def line_of(recipe, text, start=1):
    for number, line in enumerate(recipe.lines, 1):
        if number >= start and text in line:
            return number
    raise AssertionError("no line with %r" % text)


def test_libbar_collects_its_problems():
    recipe, got = lint("libbar")
    cls = line_of(recipe, "class Libbar")
    expected = {
        ("PESO-M001", cls),
        ("PESO-S001", cls),
        ("PESO-T004", cls),
        ("PESO-M003", line_of(recipe, "homepage =")),
        ("PESO-S002", line_of(recipe, "url =")),
        ("PESO-L002", line_of(recipe, "license(")),
        ("PESO-L004", line_of(recipe, "license(")),
        ("PESO-S003", line_of(recipe, 'version("2.1"')),
        ("PESO-S003", line_of(recipe, 'version("2.0"')),
        ("PESO-S006", line_of(recipe, 'version("2.2"')),
        ("PESO-V001", line_of(recipe, 'variant("debug"')),
        ("PESO-V003", line_of(recipe, 'variant("static"')),
        ("PESO-D004", line_of(recipe, "# generated")),
        ("PESO-V005", line_of(recipe, "conflicts(")),
        ("PESO-D003", line_of(recipe, "--with-included-zstd")),
        ("PESO-R003", line_of(recipe, '"+debug" in self.spec')),
        ("PESO-T003", line_of(recipe, "def test(self)")),
        ("PESO-T003", line_of(recipe, "self.run_test")),
    }
    assert set(got) == expected


def test_mini_solver_is_nearly_clean():
    recipe, got = lint("mini_solver")
    assert set(got) == {
        ("PESO-S007", line_of(recipe, "# FIXME")),
        ("PESO-V005", line_of(recipe, 'conflicts("%gcc@13:")')),
        # resource(name="data", destination="data") is data, not imported code (issue 11)
        ("PESO-D006", line_of(recipe, 'depends_on("metis")')),
        ("PESO-R003", line_of(recipe, '"+cuda" in spec')),
    }


def test_python_package_inherits_its_test_and_homepage():
    recipe, got = lint("py_fooparse")
    rules = {rule for rule, _ in got}
    assert "PESO-T001" not in rules and "PESO-M003" not in rules and "PESO-D002" not in rules
    # a PyPI package is not asked to name a VCS: the index is its upstream (issue 11)
    assert rules == {"PESO-M001", "PESO-D006"}
