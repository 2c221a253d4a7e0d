"""The static recipe model (peso.recipe): what it extracts from a package.py, where,
and that it never raises."""

import io
import os
import textwrap
import tokenize

import pytest

from peso.recipe.layout import class_name_for, package_name_from_path
from peso.recipe.parse import load_recipe, parse_recipe

SOURCE = textwrap.dedent(
    '''\
    # Test data: a recipe exercising every part of the model.
    import os

    from spack_repo.builtin.build_systems import cmake
    from spack_repo.builtin.build_systems.cuda import CudaPackage as Cuda

    from spack.package import *


    class PyFooBar(cmake.CMakePackage, Cuda):
        """Foo bar: a test package. # not a comment"""

        homepage = "https://foo.org"  # the homepage
        git: str = "https://github.com/foo/bar.git"
        url = "https://foo.org/foo-" + "1.0.tar.gz"

        version("develop", branch="develop")
        version("1.0", sha256="ab" * 32)  # FIXME

        with default_args(type="build"):
            depends_on("c")
            depends_on("cmake@3:", type=("build", "link"))

        with when("+mpi"), when("@1:"):
            depends_on("mpi")
            with when("%gcc"):
                conflicts("^mpich", msg="no")

        if os.name == "nt":
            conflicts("platform=windows", msg="unsupported")

        for v in ["a", "b"]:
            variant(v, default=False, description="x")

        depends_on(*["zlib"])

        @run_after("install")
        @on_package_attributes(run_tests=True)
        def check_install(self):
            if "+mpi" in self.spec:
                make("check", "# not a comment either")

        def test_empty(self):
            """nothing"""

        def test_run(self):
            exe = which("srun")
            exe(f"{self.prefix}#x")  # trailing comment


    class CMakeBuilder(cmake.CMakeBuilder):
        def cmake_args(self):
            return [std_cmake_args, "-DX=ON"]
    '''
)


@pytest.fixture(scope="module")
def recipe():
    r = parse_recipe("repos/builtin/packages/py_foo_bar/package.py", SOURCE.encode())
    assert r.error is None
    return r


def line(text, start=1):
    for number, content in enumerate(SOURCE.splitlines(), 1):
        if number >= start and text in content:
            return number
    raise AssertionError(text)


def test_identity(recipe):
    assert recipe.path == "repos/builtin/packages/py_foo_bar/package.py"
    assert recipe.package == "py-foo-bar"
    assert recipe.source == SOURCE
    assert recipe.lines[0].startswith("# Test data")
    assert len(recipe.lines) == SOURCE.count("\n")


def test_main_class(recipe):
    cls = recipe.package_class
    assert cls.name == "PyFooBar"
    assert cls.bases == ["cmake.CMakePackage", "Cuda"]
    assert cls.base_names == ["CMakePackage", "Cuda"]
    assert cls.docstring.startswith("Foo bar")
    assert cls.line == line("class PyFooBar") and cls.col == 1
    assert [c.name for c in recipe.classes] == ["PyFooBar", "CMakeBuilder"]
    assert recipe.imports["Cuda"] == "spack_repo.builtin.build_systems.cuda.CudaPackage"
    assert recipe.imports["cmake"] == "spack_repo.builtin.build_systems.cmake"


def test_attributes(recipe):
    attrs = recipe.attributes
    assert attrs["homepage"].literal == "https://foo.org"
    assert attrs["homepage"].line == line("homepage =")
    assert attrs["git"].literal == "https://github.com/foo/bar.git"  # annotated assignment
    assert attrs["url"].literal is None  # not a literal: the value node is kept
    assert attrs["url"].value.__class__.__name__ == "BinOp"


def test_directives_with_conditions_and_defaults(recipe):
    names = [(d.name, d.line) for d in recipe.directives]
    assert ("version", line('version("develop"')) in names
    deps = recipe.directives_named("depends_on")
    c, cmake_dep, mpi, star = deps
    assert c.arg_str(0) == "c" and c.kw_str("type") == "build"  # from default_args
    assert cmake_dep.kwargs["type"].__class__.__name__ == "Tuple"  # explicit beats default
    assert [w.text for w in mpi.when] == ["+mpi", "@1:"]
    assert mpi.when_line == line('with when("+mpi")') and mpi.conditional
    (gcc_conflict,) = [d for d in recipe.directives if d.arg_str(0) == "^mpich"]
    assert [w.text for w in gcc_conflict.when] == ["+mpi", "@1:", "%gcc"]
    assert gcc_conflict.when_line == line('with when("%gcc")')
    assert gcc_conflict.kw_str("msg") == "no"
    assert any(d.arg_str(0) == "platform=windows" for d in recipe.directives)  # inside if
    loop_variant = recipe.directives_named("variant")[0]
    assert loop_variant.arg_str(0) is None and loop_variant.arg(0).id == "v"  # inside for
    assert star.has_star and not c.has_star
    assert c.col == 9


def test_methods(recipe):
    methods = recipe.methods
    check = methods["check_install"]
    assert check.decorators == ["run_after", "on_package_attributes"]
    assert not check.is_test and not check.is_empty
    assert methods["test_empty"].is_test and methods["test_empty"].is_empty
    assert methods["test_empty"].docstring == "nothing"
    run = methods["test_run"]
    assert run.is_test and not run.is_empty and run.docstring is None
    assert run.line == line("def test_run") and run.end_line == line("trailing comment")
    assert [m.name for m in recipe.all_methods()][-1] == "cmake_args"


def test_whole_module_walk(recipe):
    calls = [name for name, _ in recipe.calls]
    assert "which" in calls and "make" in calls and "self.spec" not in calls
    lines = [node.lineno for _, node in recipe.calls]
    assert lines == sorted(lines)
    assert [text for text, _ in recipe.spec_membership] == ["+mpi"]
    assert "-DX=ON" in [s.value for s in recipe.strings]
    assert [n.lineno for n in recipe.name_uses["std_cmake_args"]] == [line("std_cmake_args")]


def test_comments_match_the_tokenizer(recipe):
    expected = {}
    for tok in tokenize.tokenize(io.BytesIO(SOURCE.encode()).readline):
        if tok.type == tokenize.COMMENT:
            expected[tok.start[0]] = tok.string
    assert recipe.comments == expected
    assert recipe.comments[line('version("1.0"')] == "# FIXME"
    assert line('# not a comment"') not in recipe.comments


def test_comment_inside_implicit_concatenation():
    source = b'x = (\n    "a#b"  # real\n    "c"\n)\ny = "#no"\n'
    r = parse_recipe("p/x/package.py", source)
    assert r.comments == {2: "# real"}


@pytest.mark.parametrize(
    "path,package",
    [
        ("repos/builtin/packages/py_numpy/package.py", "py-numpy"),
        ("packages/_7zip/package.py", "7zip"),
        ("packages/_pass/package.py", "pass"),
        ("packages/zlib/package.py", "zlib"),
    ],
)
def test_package_names(path, package):
    assert package_name_from_path(path) == package


@pytest.mark.parametrize(
    "package,cls", [("py-numpy", "PyNumpy"), ("7zip", "_7zip"), ("hdf5", "Hdf5"), ("r-x_y", "RXY")]
)
def test_class_names(package, cls):
    assert class_name_for(package) == cls


def test_main_class_by_name_then_by_base():
    source = b"class Helper:\n    pass\n\n\nclass Other(Package):\n    pass\n"
    r = parse_recipe("p/foo/package.py", source)
    assert r.package_class.name == "Other"
    source += b"\n\nclass Foo(Other):\n    pass\n"
    assert parse_recipe("p/foo/package.py", source).package_class.name == "Foo"


def test_no_class():
    r = parse_recipe("p/foo/package.py", b"x = 1\n")
    assert r.error is None and r.package_class is None
    assert r.directives == [] and r.methods == {} and r.attributes == {}


@pytest.mark.parametrize(
    "source,message,where",
    [
        (b"class Foo(Package):\n    def f(self)\n        pass\n", "syntax error", (2, 16)),
        (b"class Foo(Package):\n    x = (\n", "syntax error", None),
        (b"x = 1\n\xff\xfe = 2\n", "not valid UTF-8", (2, 0)),
        (b"x = 1\x00\n", "", None),
    ],
)
def test_errors_are_recorded_not_raised(source, message, where):
    r = parse_recipe("p/foo/package.py", source)
    assert r.tree is None and r.error is not None
    assert message in r.error[0]
    if where:
        assert r.error[1:] == where
    assert 0 <= r.error[1] <= max(len(r.lines), 1)


def test_load_recipe_reads_the_file(tmp_path):
    pkg = tmp_path / "my_pkg" / "package.py"
    pkg.parent.mkdir()
    pkg.write_bytes(SOURCE.encode())
    r = load_recipe(pkg)
    assert r.path == str(pkg) and r.package == "my-pkg" and r.error is None
    assert r.package_class.name == "PyFooBar"  # no MyPkg class: first *Package class wins


def test_load_recipe_unreadable(tmp_path):
    r = load_recipe(tmp_path / "missing" / "package.py")
    assert r.tree is None and r.error[0].startswith("cannot read file")
    if os.geteuid() != 0:
        pkg = tmp_path / "locked" / "package.py"
        pkg.parent.mkdir()
        pkg.write_text("x = 1\n")
        pkg.chmod(0)
        assert load_recipe(pkg).error[0].startswith("cannot read file")


def test_deep_nesting_is_an_error_not_a_crash():
    source = ("x = " + "(" * 300 + "1" + ")" * 300 + "\n").encode()
    r = parse_recipe("p/foo/package.py", source)
    assert r.error is not None or r.tree is not None
    deeper = ("x = " + "[" * 100000 + "]" * 100000 + "\n").encode()
    r = parse_recipe("p/foo/package.py", deeper)
    assert r.tree is None and r.error is not None
