"""Profiles for the people who run the linter: Spack maintainers (``spack``, the default
for the builtin repository) and E4S/xSDK curators (``e4s``, ``xsdk``)."""

import pathlib

import pytest

from peso.errors import PesoError
from peso.lint import engine, registry
from peso.lint.config import LintConfig
from peso.lint.profiles import get_profile, load_profiles

NO_TEST_RECIPE = '''from spack.package import *


class Plain(Package):
    """A library that is not an E4S product."""

    homepage = "https://example.org"
    url = "https://example.org/plain-1.0.tar.gz"

    version("1.0", sha256="%s")
''' % ("0" * 64)


def _repo(tmp_path, namespace):
    folder = tmp_path / namespace / "spack_repo" / namespace / "packages" / "plain"
    folder.mkdir(parents=True)
    (folder / "package.py").write_text(NO_TEST_RECIPE)
    (folder.parent.parent / "repo.yaml").write_text("repo:\n  namespace: %s\n  api: v2.0\n" % namespace)
    return str(folder.parent.parent)


def test_the_spack_profile_runs_no_membership_policy_and_keeps_real_defects():
    spack = get_profile("spack")
    rules = {r.id: r for r in registry.all_rules()}
    assert not spack.covers(rules["PESO-T001"])  # "no stand-alone test" is E4S P2, not a Spack rule
    for defect in ("PESO-E001", "PESO-S003", "PESO-S009", "PESO-T002", "PESO-T009", "PESO-R001"):
        assert spack.covers(rules[defect]) and spack.severity(rules[defect], "error") == "error", defect
    assert spack.severity(rules["PESO-M001"], "warning") == "info"  # advice, capped
    profiles, _ = load_profiles()
    assert {"spack", "e4s", "xsdk", "all"} <= set(profiles)


def test_without_a_profile_the_builtin_repository_gets_spack_and_others_e4s(tmp_path):
    builtin = _repo(tmp_path, "builtin")
    curation = _repo(tmp_path, "curation")
    for repo, profile, t001 in ((builtin, "spack", False), (curation, "e4s", True)):
        result = engine.lint([repo], LintConfig(), use_cache=False, cwd=str(tmp_path))
        assert result.profile.name == profile
        assert any(f.rule == "PESO-T001" for f in result.findings) is t001, [f.rule for f in result.findings]
    named = engine.lint([builtin], LintConfig(policy="e4s"), use_cache=False, cwd=str(tmp_path))
    assert named.profile.name == "e4s" and any(f.rule == "PESO-T001" for f in named.findings)


def _add(repo, name):
    folder = pathlib.Path(repo) / "packages" / name
    folder.mkdir()
    cls = "".join(p.capitalize() for p in name.split("_"))
    (folder / "package.py").write_text(NO_TEST_RECIPE.replace("class Plain", "class %s" % cls))


def _t001(result):
    return {f.package: f.severity for f in result.findings if f.rule == "PESO-T001"}


def test_e4s_membership_errors_apply_to_catalogue_products_only(tmp_path, monkeypatch):
    """E4S P2 is a criterion for joining E4S: an error for a product the catalogue lists,
    advice (info) for any other recipe; the catalogue in force decides, read each time it
    changes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    envdir = tmp_path / "environments"
    (envdir / "catalog").mkdir(parents=True)
    catalogue = envdir / "catalog" / "e4s.yaml"
    catalogue.write_text("schema: peso-catalog/v1\nproducts:\n- name: plain\n  spec: plain +mpi\n")
    monkeypatch.setenv("PESO_ENVIRONMENTS", str(envdir))
    repo = _repo(tmp_path, "curation")
    _add(repo, "other")
    lint = lambda: engine.lint([repo], LintConfig(policy="e4s"), use_cache=False, cwd=str(tmp_path))  # noqa: E731
    assert _t001(lint()) == {"plain": "error", "other": "info"}
    catalogue.write_text("schema: peso-catalog/v1\nproducts:\n- name: other-product\n  spec: other\n")
    assert _t001(lint()) == {"plain": "info", "other": "error"}  # named by the spec's package
    # a curation repository's own catalogue (one that names it in repos:) adds its products
    (envdir / "catalog" / "mine.yaml").write_text(
        "schema: peso-catalog/v1\nrepos: [%s]\nproducts:\n- name: plain\n  spec: plain\n" % repo
    )
    assert _t001(lint()) == {"plain": "error", "other": "error"}
    # the maintainers' profile does not run the membership rule at all
    assert _t001(engine.lint([repo], LintConfig(policy="spack"), use_cache=False, cwd=str(tmp_path))) == {}


def test_the_real_catalogue_decides_which_recipes_are_products(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PESO_ENVIRONMENTS", raising=False)
    repo = _repo(tmp_path, "curation")
    _add(repo, "hypre")  # an E4S product (environments/catalog/e4s.yaml)
    result = engine.lint([repo], LintConfig(), use_cache=False, cwd=str(tmp_path))
    assert result.profile.name == "e4s"
    assert _t001(result) == {"hypre": "error", "plain": "info"}


def test_a_missing_catalogue_is_one_line_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PESO_ENVIRONMENTS", str(tmp_path / "nowhere"))
    repo = _repo(tmp_path, "curation")
    with pytest.raises(PesoError) as e:
        engine.lint([repo], LintConfig(policy="e4s"), use_cache=False, cwd=str(tmp_path))
    assert "catalog" in str(e.value) and "nowhere" in str(e.value)
