"""A clean recipe that passes every static rule, and helpers to lint variations of it.

Failing cases are written as edits of CLEAN; the line(s) a finding must point at carry
the marker comment ``# HERE`` so expected line numbers cannot drift from the source."""

import os
import textwrap

import yaml

from peso.lint import registry
from peso.lint.registry import RULES, all_rules
from peso.lint.runner import UNREADABLE, unreadable
from peso.recipe.parse import parse_recipe

#: the rules documented in lint/data/rules.yaml (the static recipe rules under test)
RULES_YAML = os.path.join(os.path.dirname(registry.__file__), "data", "rules.yaml")
with open(RULES_YAML, encoding="utf-8") as _f:
    DOC_ENTRIES = yaml.safe_load(_f)
STATIC_RULE_IDS = [entry["id"] for entry in DOC_ENTRIES]

SHA_A = "a" * 64
SHA_B = "b" * 64

CLEAN = textwrap.dedent(
    '''\
    # Test data for spack-peso's lint rules (not a real package).
    from spack_repo.builtin.build_systems.cmake import CMakePackage

    from spack.package import *


    class Foo(CMakePackage):
        """Foo is a parallel solver for sparse linear systems."""

        homepage = "https://foo.org"
        url = "https://foo.org/foo-2.0.tar.gz"
        git = "https://github.com/foo/foo.git"

        maintainers("alice")

        license("BSD-3-Clause", checked_by="alice")

        version("develop", branch="develop")
        version("2.0", sha256="%(a)s")
        version("1.0", sha256="%(b)s")

        variant("mpi", default=True, description="Enable MPI")

        depends_on("c", type="build")
        depends_on("cxx", type="build")
        depends_on("mpi", when="+mpi")
        depends_on("hdf5@1.10:")

        conflicts("%%gcc@:7", msg="foo needs C++17")

        def cmake_args(self):
            return [self.define_from_variant("FOO_MPI", "mpi")]

        def test_version(self):
            """check that foo runs"""
            foo = which(self.prefix.bin.foo)
            foo("--version")
    '''
    % {"a": SHA_A, "b": SHA_B}
)

TEST_METHOD = '''
    def test_version(self):
        """check that foo runs"""
        foo = which(self.prefix.bin.foo)
        foo("--version")
'''


def edit(*replacements, source=CLEAN):
    """CLEAN with each (old, new) replaced exactly once (old must occur)."""
    for old, new in replacements:
        assert old in source, "test case edits text that is not in the recipe: %r" % old
        source = source.replace(old, new, 1)
    return source


def recipe_of(source, package="foo"):
    return parse_recipe("repo/packages/%s/package.py" % package.replace("-", "_"), source.encode())


def findings(source, rule_id=None, package="foo"):
    all_rules()
    recipe = recipe_of(source, package)
    if recipe.tree is None or rule_id == UNREADABLE:
        # as the runner: an unreadable recipe is one PESO-E001 finding and nothing else
        return [unreadable(recipe)] if recipe.tree is None else []
    found = []
    for rid in [rule_id] if rule_id else STATIC_RULE_IDS:
        found.extend(RULES[rid].check(recipe))
    return found


def marked_lines(source):
    return sorted(i for i, line in enumerate(source.splitlines(), 1) if "# HERE" in line)
