"""PESO-D007 on virtuals: a versioned dependency on a virtual is judged from what the
providers in the same packages folder provide, across recipes (``peso.lint.across``):
on full runs, on runs over one file (the other recipes' facts from the cache or parsed),
and again on warm runs when only a provider changed."""

import os

import pytest

from peso.lint import engine
from peso.lint.config import LintConfig
from peso.lint.rules import version_ranges

OPENJDK = """
provides("jvm@8", when="@1.8")
provides("jvm@11", when="@11")
"""


@pytest.fixture(autouse=True)
def plain_semantics(monkeypatch):
    monkeypatch.setattr(version_ranges, "spack_importable", lambda: False)


@pytest.fixture
def d007(tmp_path):
    return LintConfig(jobs=1, cache_dir=str(tmp_path / "cache"), select=["PESO-D007"], policy="all")


def _messages(project, config, targets=None):
    result = engine.lint(targets or [project.packages], config, cwd=project.root)
    return [(os.path.basename(os.path.dirname(f.path)), f.line, f.message) for f in result.findings]


def _stack(project, constraint, providers=(("openjdk", OPENJDK), ("ibm-java", 'provides("jvm@8")\n'))):
    app = project.add("app", body='depends_on("jvm%s", type="run")\n' % constraint)
    for name, body in providers:
        project.add(name, body=body)
    return app


def test_no_provider_provides_an_admitted_version(project, d007):
    _stack(project, "@:7")
    (finding,) = _messages(project, d007)
    package, line, message = finding
    assert package == "app" and line > 0
    assert "no provider of jvm in this repository provides a version in @:7" in message
    assert "ibm-java provides jvm@8" in message and "openjdk provides jvm@8, jvm@11" in message


@pytest.mark.parametrize("constraint", ["@1.8:", "@8", "@11:", "@:8", "@9:11"])
def test_a_provided_version_admitted_is_not_reported(project, d007, constraint):
    _stack(project, constraint)
    assert _messages(project, d007) == []


@pytest.mark.parametrize(
    "provider",
    [
        'provides("jvm")\n',  # any version
        'for v in ["6", "7"]:\n    provides(f"jvm@{v}")\n',  # versions computed
        'for name in ["jvm"]:\n    provides(name)\n',  # a virtual computed: may be any
        'provides(*["jvm@7"])\n',
    ],
)
def test_a_provider_whose_versions_are_unknown_leaves_it_undecided(project, d007, provider):
    _stack(project, "@:7", providers=(("openjdk", OPENJDK), ("other-jdk", provider)))
    assert _messages(project, d007) == []


def test_a_virtual_without_providers_or_a_package_of_that_name_is_not_judged(project, d007):
    project.add("app", body='depends_on("jvm@:7")\n')
    assert _messages(project, d007) == []  # no provider here: maybe another repository's package
    project.add("jvm", body='version("7.0", sha256="%s")\n' % ("a" * 64))
    assert _messages(project, d007) == []  # a package now: its own versions decide


def test_a_run_over_one_file_reads_the_providers_of_its_folder(project, d007, tmp_path):
    app = _stack(project, "@:7")
    cold = LintConfig(jobs=1, cache_dir=str(tmp_path / "other-cache"), select=["PESO-D007"], policy="all")
    assert [m[0] for m in _messages(project, cold, [app])] == ["app"]  # providers parsed
    engine.lint([project.packages], d007, cwd=project.root)
    assert [m[0] for m in _messages(project, d007, [app])] == ["app"]  # providers' facts from the cache


def test_a_changed_provider_changes_the_verdict_of_an_unchanged_dependent(project, d007):
    _stack(project, "@:7")
    assert len(_messages(project, d007)) == 1
    project.add("ibm-java", body='provides("jvm@7")\n')
    again = engine.lint([project.packages], d007, cwd=project.root)
    assert again.files_cached == 2 and again.findings == []  # app and openjdk from the cache
    project.add("ibm-java", body='provides("jvm@8")\n')
    assert len(_messages(project, d007, [project.packages])) == 1


def test_parallel_workers_give_the_same_verdicts(project, d007):
    _stack(project, "@:7")
    for i in range(80):  # enough recipes for the workers to fork
        project.add("filler-%02d" % i)
    serial = _messages(project, d007.override(cache_dir=d007.cache_dir + "-1"))
    parallel = _messages(project, d007.override(jobs=2, cache_dir=d007.cache_dir + "-2"))
    assert serial == parallel and len(serial) == 1


def test_ranges_intersect_without_spack():
    intersect = version_ranges.ranges_intersect
    assert intersect(":7", "8") is False
    assert intersect("1.8:", "8") is True
    assert intersect("7.5:7.9", ":7") is True  # :7 includes 7.5
    assert intersect("1.24.6:", "1.16.3:1.16.5") is False
    assert intersect("3.2:", ":3.1") is False
    assert intersect("11", "8,11") is True
    assert intersect("1.0rc1:", "2") is None  # not a plain number: undecided
    assert intersect("=2", "2") is None


def test_a_computed_version_of_a_named_virtual_leaves_only_that_virtual_undecided(project, d007):
    app = project.add("app", body='depends_on("jvm@:7")\ndepends_on("pil@:0.1")\n')
    project.add("openjdk", body=OPENJDK)
    project.add("pillow", body='for ver in ["9", "10"]:\n    provides("pil@" + ver, when="@" + ver)\n')
    ((package, _line, message),) = _messages(project, d007)
    assert package == "app" and "no provider of jvm" in message
    assert app
