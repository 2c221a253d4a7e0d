"""PESO-V008: a depends_on() spec setting a variant the dependency's recipe (same
repository) does not have; a dependency whose variants cannot all be seen, a virtual and
a package of another repository are not judged."""

import textwrap

import pytest

from peso.lint.registry import RULES, all_rules
from peso.recipe.parse import load_recipe

SHA = "a" * 64

FOO = textwrap.dedent(
    '''\
    from spack_repo.builtin.build_systems.generic import Package

    from spack.package import *


    class Foo(Package):
        """Foo."""

        version("1.0", sha256="%s")

        depends_on("%s")
    '''
)

BAR = textwrap.dedent(
    '''\
    from spack_repo.builtin.build_systems.generic import Package

    from spack.package import *


    class Bar(%s):
        """Bar."""

        url = "https://bar.org/bar-1.2.tgz"

        version("1.2", sha256="%s")
    %s
    '''
)

VARIANTS = '    variant("mpi", default=False, description="MPI")\n    variant("precision", default="double", values=("single", "double"), description="p")\n'


def _v008(tmp_path, spec, variants=VARIANTS, base="Package", with_bar=True):
    packages = tmp_path / "spack_repo" / "demo" / "packages"
    (packages / "foo").mkdir(parents=True)
    (packages / "foo" / "package.py").write_text(FOO % (SHA, spec))
    if with_bar:
        (packages / "bar").mkdir()
        (packages / "bar" / "package.py").write_text(BAR % (base, SHA, variants))
    all_rules()
    return [f.message for f in RULES["PESO-V008"].check(load_recipe(str(packages / "foo" / "package.py")))]


def test_misspelt_dependency_variant_is_reported_with_the_closest_name(tmp_path):
    (message,) = _v008(tmp_path, "bar@1.2: +mpii precision=single")
    assert "variant 'mpii', which bar does not define" in message and "did you mean 'mpi'?" in message


@pytest.mark.parametrize(
    "spec", ["bar+mpi", "bar~mpi precision=single", "bar ^zlib+shared", "bar cflags=-O2 platform=linux", "bar++debug"]
)
def test_variants_the_dependency_has_or_that_are_not_its_own_pass(tmp_path, spec):
    assert _v008(tmp_path, spec) == []


@pytest.mark.parametrize(
    "variants,base",
    [
        ('    for v in ("mpi", "openmp"):\n        variant(v, default=False, description=v)\n', "Package"),
        (VARIANTS, "Baz"),
        ("    virtual = True\n", "Package"),
        (VARIANTS + "    add_variants()\n", "Package"),
    ],
)
def test_dependency_whose_variants_are_not_all_visible_is_not_judged(tmp_path, variants, base):
    assert _v008(tmp_path, "bar+openmp", variants=variants, base=base) == []


def test_dependency_of_another_repository_is_not_judged(tmp_path):
    assert _v008(tmp_path, "bar+openmp", with_bar=False) == []
