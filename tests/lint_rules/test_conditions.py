"""PESO-V007 against a repository's own build-system sources: variants a base class
gives through a relative import (CachedCMakePackage's CMakePackage) count, a base whose
source cannot be found makes the recipe unjudged, and the spec reader follows Spack's
grammar for the root node only."""

import glob
import os
import textwrap

import pytest
from peso_testing import spack_python_answers

from peso.lint.registry import RULES, all_rules
from peso.recipe.parse import load_recipe
from peso.recipe.spec_variants import root_variants

BASE = textwrap.dedent(
    '''\
    from spack.package import PackageBase, variant


    class BasePackage(PackageBase):
        """A base that gives a variant."""

        variant("shared", default=True, description="Build shared libraries")
    '''
)

DERIVED = textwrap.dedent(
    '''\
    from spack_repo.testns.build_systems.gone import GonePackage

    from .base import BasePackage


    class DerivedPackage(BasePackage):
        """Reaches its variant through a relative import, as cached_cmake.py does."""


    class HalfKnownPackage(GonePackage):
        """Its base's source is not in the repository."""
    '''
)

RECIPE = textwrap.dedent(
    '''\
    from spack_repo.testns.build_systems.derived import %s

    from spack.package import *


    class Foo(%s):
        """Foo."""

        version("1.0", sha256="%s")

        depends_on("zlib", when="%s")
    '''
)


def _v007(tmp_path, base, condition):
    root = tmp_path / "spack_repo" / "testns"
    (root / "build_systems").mkdir(parents=True, exist_ok=True)
    (root / "build_systems" / "base.py").write_text(BASE)
    (root / "build_systems" / "derived.py").write_text(DERIVED)
    (root / "packages" / "foo").mkdir(parents=True, exist_ok=True)
    path = root / "packages" / "foo" / "package.py"
    path.write_text(RECIPE % (base, base, "a" * 64, condition))
    all_rules()
    return [f.message for f in RULES["PESO-V007"].check(load_recipe(str(path)))]


def test_variant_of_a_base_reached_through_a_relative_import_counts(tmp_path):
    assert _v007(tmp_path, "DerivedPackage", "+shared") == []


def test_misspelt_inherited_variant_is_reported_with_the_right_name(tmp_path):
    (message,) = _v007(tmp_path, "DerivedPackage", "~sharde")
    assert "'sharde'" in message and "did you mean 'shared'?" in message


def test_base_whose_source_is_missing_leaves_the_recipe_unjudged(tmp_path):
    assert _v007(tmp_path, "HalfKnownPackage", "~sharde") == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("+mpi ~cuda", (None, ["mpi", "cuda"])),
        ("@1.2:1.4,2.0 build_type=Debug", (None, ["build_type"])),
        ("@=1.2+x", (None, ["x"])),
        ("foo@2: -shared", ("foo", ["shared"])),
        ("platform=darwin os=ventura target=x86_64: cflags='-O2'", (None, [])),
        ("+a ^mpich+cuda", (None, ["a"])),
        ("%gcc@12 +openmp", (None, [])),
        ("++debug +b", (None, ["b"])),
        ("+a foo", None),
        ("+a ]", None),
    ],
)
def test_root_variants_follow_spacks_grammar(text, expected):
    got = root_variants(text)
    if expected is None:
        assert got is None
    else:
        assert got is not None and (got[0], [v.name for v in got[1]]) == expected


def test_root_variants_agree_with_spacks_parser_on_builtin_conditions(spack, tmp_path):
    """Every literal condition of the builtin recipes (when=, with when(), conflicts(),
    requires()): where Spack parses it, our reading names the same root and variants."""
    from peso.lint.rules.conditions import _conditions

    out = spack("repo", "list")
    folder = next(line.split()[-1] for line in out.stdout.splitlines() if "builtin" in line.split())
    texts = set()
    for path in sorted(glob.glob(os.path.join(folder, "packages", "*", "package.py")))[::2]:
        texts.update(text for text, _node, _where in _conditions(load_recipe(path)))
    texts = sorted(texts)
    assert len(texts) > 3000
    theirs = spack_python_answers(
        spack,
        tmp_path,
        texts,
        "import spack.spec\n"
        "def read(text):\n"
        "    try:\n"
        "        s = spack.spec.Spec(text)\n"
        "    except Exception:\n"
        "        return None\n"
        "    return [s.name, sorted(n for n, v in s.variants.items() if not v.propagate)]\n"
        "print(json.dumps([read(t) for t in DATA]))\n",
    )
    differ = []
    for text, spack_reading in zip(texts, theirs):
        if spack_reading is None:
            continue
        ours = root_variants(text)
        if ours is None or [ours[0] or spack_reading[0], sorted(v.name for v in ours[1])] != spack_reading:
            differ.append((text, ours, spack_reading))
    assert not differ, differ[:10]
