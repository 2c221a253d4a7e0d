"""Locating audit errors in a recipe without Spack: each strategy of rules-deep.yaml on
messages shaped exactly like Spack's audit messages."""

from peso.lint.deep.findings import AuditIssue, PackageFacts, findings_from_facts
from peso.lint.deep.locate import RecipeIndex, locate

RECIPE = '''\
from spack.package import *


class Demo(CMakePackage):
    """FIXME: Put a proper description of your package here."""

    homepage = "https://www.example.com"
    name = "oops"

    version("2.0", sha256="aa")
    version("1.0", md5="0123456789abcdef0123456789abcdef")

    variant("fast", default=False)
    variant("mode", default="x", values=("a", "b"), description="mode")

    depends_on("zlib@99:")
    depends_on("hdf5+nosuch")
    with when("+fast"):
        depends_on("mpi", when="hdf5+mpi")

    conflicts("+fast", when="@:1.0")
    conflicts("+ghost", when="@:1.0")

    patch("https://github.com/o/r/commit/abc123.patch", sha256="bb")

    def setup_build_environment(self, env):
        pass

    def test_run(self):
        self.run_test("demo")
'''


def at(strategy, summary, details=()):
    return locate(strategy, summary, tuple(details), RecipeIndex(RECIPE))


def line(text):
    return [i for i, row in enumerate(RECIPE.splitlines(), 1) if text in row][0]


def test_strategies_find_the_statement():
    assert at(
        "depends_on",
        "demo: dependency on zlib@99: cannot be satisfied by known versions of zlib",
        ["happening in /x/package.py"],
    ) == (line('depends_on("zlib@99:")'), True)
    assert at(
        "depends_on",
        "demo: wrong variant used for dependency in 'depends_on()'",
        ["variant 'nosuch' does not exist in package hdf5 in package 'hdf5'", "in /x"],
    ) == (line('depends_on("hdf5+nosuch")'), True)
    assert at("depends_on", "demo: unknown package 'hdf5' in 'depends_on' directive", [" in /x"])[1]
    assert at(
        "variant-use",
        "demo: wrong variant in 'conflicts' directive",
        ["variant 'ghost' does not exist for 'demo' when @:1.0+ghost", "in /x"],
    ) == (line('"+ghost"'), True)
    assert at(
        "when", "demo: wrong 'when=' condition for 'mpi' dependency", ["using 'hdf5+mpi', should be '^hdf5+mpi'"]
    ) == (line('when="hdf5+mpi"'), True)
    assert at("variant", "Variant 'fast' in package 'demo' is missing a description") == (line('variant("fast"'), True)
    assert at(
        "url", "patch URL in package demo must end with ?full_index=1", ["https://github.com/o/r/commit/abc123.patch"]
    ) == (line("patch("), True)
    assert at("assign-name", "Package 'demo' overrides the 'name' attribute or method") == (line('name = "oops"'), True)
    assert at("version", "Package 'demo' does not use sha256 checksum", ["demo@1.0 uses md5"]) == (
        line('version("1.0"'),
        True,
    )
    assert at("method", "Package 'demo' need to move the 'setup_build_environment' method from the package class") == (
        line("def setup_build_environment"),
        True,
    )
    assert at(
        "method",
        "Package 'demo' implements or uses unsupported deprecated method.",
        ["Make changes to 'x':", "    Change 'self.run_test(' to 'test_part(self, ..)' in 'test_run' method."],
    ) == (line("self.run_test("), True)


def test_boilerplate_lines_are_one_based_and_unknowns_fall_back_to_the_class():
    # audit enumerates from 0: "homepage" on line 7 is printed as :6
    homepage = line('homepage = "https://www.example.com"')
    detail = "/x/package.py:%d: boilerplate needs to be removed: homepage" % (homepage - 1)
    assert at("boilerplate", "Package 'demo' contains boilerplate that need to be removed", [detail]) == (
        homepage,
        True,
    )
    assert at("depends_on", "demo: unknown package 'nothere' in 'depends_on' directive") == (line("class Demo"), False)


def test_findings_from_facts_split_bundled_lines(tmp_path):
    path = tmp_path / "package.py"
    path.write_text(RECIPE)
    p = str(path)
    facts = PackageFacts(
        name="demo",
        path=p,
        issues=[
            AuditIssue(
                "PKG-PROPERTIES",
                "_ensure_docstring_and_no_fixme",
                "Package 'demo' contains boilerplate that need to be removed",
                (
                    "%s:4: boilerplate needs to be removed: FIXME" % p,
                    "%s:6: boilerplate needs to be removed: example" % p,
                ),
            ),
            AuditIssue("PKG-DIRECTIVES", "_some_future_check", "demo: something new", ()),
        ],
    )
    found = findings_from_facts(facts, p, RECIPE)
    assert [(f.rule, f.line) for f in found] == [("PESO-A011", 5), ("PESO-A011", 7), ("PESO-A000", line("class Demo"))]
    assert all(f.path == p and f.package == "demo" and f.policies for f in found)
    assert "(not written in this file" in found[2].message


def test_deprecated_globals_keep_audits_correct_lines(tmp_path):
    path = tmp_path / "package.py"
    path.write_text(RECIPE)
    p = str(path)
    facts = PackageFacts(
        name="demo",
        path=p,
        issues=[
            AuditIssue(
                "PKG-PROPERTIES",
                "_uses_deprecated_globals",
                "Package 'demo' uses deprecated globals",
                ("%s:27 references 'std_cmake_args'" % p, "%s:30 references 'std_cmake_args'" % p),
            ),
        ],
    )
    found = findings_from_facts(facts, p, RECIPE)
    assert [(f.rule, f.line) for f in found] == [("PESO-A010", 27), ("PESO-A010", 30)]
