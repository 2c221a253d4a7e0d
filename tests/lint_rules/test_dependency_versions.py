"""PESO-D007: a dependency version constraint no declared version of the dependency
satisfies, read from the dependency's recipe in the same repository. The failing and
passing cases of test_rules.py cannot hold it (it needs a second recipe on disk), so
they live here: ranges, lists, exact versions, prefixes and branch versions, and every
reason the dependency's version list is not trusted."""

import glob
import os
import textwrap

import pytest
from peso_testing import spack_python_answers

from peso.lint.registry import RULES, all_rules
from peso.lint.rules import version_ranges
from peso.recipe.parse import load_recipe

#: rules whose cases live in their own modules, with both recipes on disk (PESO-D007 here,
#: PESO-V008 in test_dependency_variants.py); test_every_rule_... reads it
CROSS_RECIPE_RULES = ("PESO-D007", "PESO-V008")

SHA = "a" * 64

FOO = textwrap.dedent(
    '''\
    from spack_repo.builtin.build_systems.generic import Package

    from spack.package import *


    class Foo(Package):
        """Foo."""

        version("1.0", sha256="%s")

        depends_on("bar%s")
    '''
)

BAR = textwrap.dedent(
    '''\
    from spack_repo.builtin.build_systems.generic import Package

    from spack.package import *


    class Bar(%s):
        """Bar."""

        url = "https://bar.org/bar-1.2.tgz"

    %s
    '''
)

VERSIONS = (
    '    version("develop", branch="main")\n    version("1.2.5", sha256="%s")\n    version("1.1", sha256="%s")\n'
    % (
        SHA,
        SHA,
    )
)


def _d007(tmp_path, constraint, versions=VERSIONS, base="Package", with_bar=True):
    packages = tmp_path / "spack_repo" / "demo" / "packages"
    (packages / "foo").mkdir(parents=True)
    (packages / "foo" / "package.py").write_text(FOO % (SHA, constraint))
    if with_bar:
        (packages / "bar").mkdir()
        (packages / "bar" / "package.py").write_text(BAR % (base, versions))
    all_rules()
    return [f.message for f in RULES["PESO-D007"].check(load_recipe(str(packages / "foo" / "package.py")))]


@pytest.fixture(autouse=True)
def plain_semantics(monkeypatch):
    """Spack is not importable under these tests: the reading without Spack answers."""
    monkeypatch.setattr(version_ranges, "spack_importable", lambda: False)


@pytest.mark.parametrize(
    "constraint",
    ["@3:4", "@:1.0", "@1.3", "@1.3,1.4:1.9", "@=1.2", "@2.0:2.1", "@1.2.6:1.9"],
)
def test_constraint_no_version_satisfies_is_reported(tmp_path, constraint):
    (message,) = _d007(tmp_path, constraint)
    assert "no version of bar satisfies %s" % constraint in message
    assert "develop, 1.2.5, 1.1" in message


@pytest.mark.parametrize(
    "constraint",
    # develop sorts above every release; a bound is a prefix (@:1.2 and @1.2 take 1.2.5)
    ["@3:", "@1.2:", "@:1.2", "@1.2", "@1.0,1.1", "@=1.1", "@4:", "@develop", "@1.1:1.1.9", "@:1.1"],
)
def test_constraint_some_version_satisfies_is_not_reported(tmp_path, constraint):
    assert _d007(tmp_path, constraint) == []


@pytest.mark.parametrize(
    "versions,base",
    [
        # versions computed in a loop
        ('    for v in ["1.0", "1.1"]:\n        version(v, sha256="%s")\n' % SHA, "Package"),
        # versions another package's class may add
        ('    version("1.1", sha256="%s")\n' % SHA, "Baz"),
        # a helper in the class body may declare more
        ('    version("1.1", sha256="%s")\n    add_versions()\n' % SHA, "Package"),
        # a release name the reading without Spack does not decide
        ('    version("1.1rc1", sha256="%s")\n' % SHA, "Package"),
        # url_for_version: the brief of issue 21 leaves such lists alone
        (
            '    version("1.1", sha256="%s")\n\n    def url_for_version(self, v):\n        return self.url\n' % SHA,
            "Package",
        ),
        # a virtual's versions are what its providers provide
        ('    virtual = True\n    version("1.1", sha256="%s")\n' % SHA, "Package"),
        # Spack's own opt-out of the audit
        ('    skip_version_audit = ["platform=darwin"]\n    version("1.1", sha256="%s")\n' % SHA, "Package"),
    ],
)
def test_dependency_whose_versions_are_not_all_visible_is_not_judged(tmp_path, versions, base):
    assert _d007(tmp_path, "@3:", versions=versions, base=base) == []


def test_virtual_or_other_repository_dependency_is_not_judged(tmp_path):
    assert _d007(tmp_path, "@3:", with_bar=False) == []


@pytest.mark.parametrize(
    "constraint,expected",
    [
        ("3:", True),
        ("3:4", False),
        ("1.2", True),
        (":1.2", True),
        ("=1.2", False),
        ("1.2.5,9", True),
        ("1.1:1.2", True),
    ],
)
def test_plain_answer_reads_ranges_lists_and_exact_versions(constraint, expected):
    assert version_ranges.any_satisfies(["1.2.5", "1.1", "develop"], constraint) is expected


def test_plain_answer_is_undecided_on_what_it_cannot_read():
    assert version_ranges.any_satisfies(["1.2.5"], "1.2rc1:") is None
    assert version_ranges.any_satisfies(["2021-01"], "3:") is None
    assert version_ranges.any_satisfies(["1.2"], "=1.2:") is None


def _builtin_constraint_cases(spack, limit=3000):
    """(declared versions of a dependency, constraint) pairs of the builtin recipes, and
    for each dependency three constraints none of its versions should satisfy."""
    from peso.lint.rules.dependency_versions import _declared_versions, _signature, dependency_recipe
    from peso.recipe.spec_variants import root_node

    out = spack("repo", "list")
    folder = next(line.split()[-1] for line in out.stdout.splitlines() if "builtin" in line.split())
    cases = set()
    for path in sorted(glob.glob(os.path.join(folder, "packages", "*", "package.py")))[::2]:
        recipe = load_recipe(path)
        for d in recipe.directives:
            node = root_node(d.first) if d.name == "depends_on" and d.first and "@" in d.first else None
            if node is None or not node.name or len(node.versions) != 1 or not node.versions[0]:
                continue
            dep = dependency_recipe(recipe, node.name)
            declared = _declared_versions(dep, _signature(dep)) if dep else None
            if declared:
                cases.update({(declared, node.versions[0]), (declared, "999:"), (declared, ":0.0.1")})
                cases.add((declared, "=%s.0" % declared[-1]))
        if len(cases) >= limit:
            break
    return sorted(cases)


def test_reading_without_spack_agrees_with_spack_wherever_it_decides(spack, tmp_path, monkeypatch):
    cases = _builtin_constraint_cases(spack)
    assert len(cases) > 1000
    spack_answers = spack_python_answers(
        spack,
        tmp_path,
        [[list(declared), constraint] for declared, constraint in cases],
        "import spack.version as sv\n"
        "def answer(declared, constraint):\n"
        "    try:\n"
        "        wanted = sv.ver(constraint)\n"
        "        return any(sv.Version(v).intersects(wanted) for v in declared)\n"
        "    except Exception:\n"
        "        return None\n"
        "print(json.dumps([answer(d, c) for d, c in DATA]))\n",
    )
    ours = [version_ranges._plain_answer(declared, constraint) for declared, constraint in cases]
    decided = [(c, a, b) for c, a, b in zip(cases, ours, spack_answers) if a is not None]
    assert len(decided) > 0.8 * len(cases)
    assert False in {a for _c, a, _b in decided}  # impossible constraints are among them
    differ = [(c[1], c[0][:4], a, b) for c, a, b in decided if a != b]
    assert not differ, differ[:10]


def _builtin_provided_cases(spack):
    """(constraint, provided range) pairs from the builtin recipes: every versioned
    dependency on a virtual against every range its providers provide, and ranges
    around each provided one."""
    from peso.lint.rules.dependency_versions import _provided
    from peso.recipe.spec_variants import root_node

    out = spack("repo", "list")
    folder = next(line.split()[-1] for line in out.stdout.splitlines() if "builtin" in line.split())
    provided, wanted = {}, {}
    for path in sorted(glob.glob(os.path.join(folder, "packages", "*", "package.py"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "provides(" not in text and "depends_on(" not in text:
            continue
        recipe = load_recipe(path)
        for name, version_range in _provided(recipe) if "provides(" in text else ():
            if version_range:
                provided.setdefault(name, set()).add(version_range)
        for d in recipe.directives:
            node = root_node(d.first) if d.name == "depends_on" and d.first and "@" in d.first else None
            if node is not None and node.name and len(node.versions) == 1 and node.versions[0]:
                wanted.setdefault(node.name, set()).add(node.versions[0])
    cases = set()
    for name, ranges in provided.items():
        for constraint in wanted.get(name, set()) | {":0.1", "999:"} | {r.split(":")[0] + ":" for r in ranges}:
            cases.update((constraint, r) for r in ranges)
    return sorted(cases)


def test_provided_ranges_read_without_spack_agree_with_spack(spack, tmp_path):
    cases = _builtin_provided_cases(spack)
    assert len(cases) > 100
    spack_answers = spack_python_answers(
        spack,
        tmp_path,
        cases,
        "import spack.version as sv\n"
        "def answer(a, b):\n"
        "    try:\n"
        "        return bool(sv.ver(a).intersects(sv.ver(b)))\n"
        "    except Exception:\n"
        "        return None\n"
        "print(json.dumps([answer(a, b) for a, b in DATA]))\n",
    )
    ours = [version_ranges._plain_intersect(a, b) for a, b in cases]
    decided = [(c, a, b) for c, a, b in zip(cases, ours, spack_answers) if a is not None]
    assert len(decided) > 0.8 * len(cases)
    assert {True, False} <= {a for _c, a, _b in decided}
    differ = [(c, a, b) for c, a, b in decided if a != b]
    assert not differ, differ[:10]
