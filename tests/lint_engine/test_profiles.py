"""Profiles for the people who run the linter: Spack maintainers (``spack``, the default
for the builtin repository) and E4S/xSDK curators (``e4s``, ``xsdk``)."""

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
