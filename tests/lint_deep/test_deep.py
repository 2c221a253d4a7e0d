"""--deep with the real Spack: audit errors become located peso findings, inherited tests
count, and variants tested in method bodies are checked against the loaded class."""

import json
import os

import pytest
from policy_data import EXT

PARENT = '''\
from spack_repo.builtin.build_systems.generic import Package

from spack.package import *


class PesoDeepParent(Package):
    """Parent whose stand-alone test its children inherit."""

    homepage = "https://example.org/parent"
    url = "https://example.org/parent-1.0.tar.gz"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    variant("shared", default=True, description="build shared libraries")

    def test_version(self):
        """the installed tool prints its version"""
        which("true")()
'''

CHILD = '''\
from spack_repo.peso_deep_test.packages.peso_deep_parent.package import PesoDeepParent

from spack.package import *


class PesoDeepChild(PesoDeepParent):
    """Child with no test method of its own, and three mistakes only Spack can see."""

    homepage = "https://example.org/child"
    url = "https://example.org/child-1.0.tar.gz"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    depends_on("peso-no-such-package")
    conflicts("+ghost", when="@1.0")
    conflicts("~shared", when="@:0.9")

    def install(self, spec, prefix):
        if self.spec.satisfies("+phantom"):
            pass
        if "+shared" in self.spec:
            pass
'''


@pytest.fixture
def deep_scope(tmp_path):
    """builtin plus a small repository (namespace peso_deep_test) in a config scope."""
    repo = tmp_path / "repo" / "spack_repo" / "peso_deep_test"
    for name, text in (("peso_deep_parent", PARENT), ("peso_deep_child", CHILD)):
        (repo / "packages" / name).mkdir(parents=True)
        (repo / "packages" / name / "package.py").write_text(text)
    (repo / "repo.yaml").write_text("repo:\n  namespace: peso_deep_test\n  api: v2.0\n")
    scope = tmp_path / "scope"
    scope.mkdir()
    (scope / "repos.yaml").write_text("repos:\n  peso_deep_test: %s\n" % repo)
    return str(scope), repo


def lint_json(spack, scope, *args):
    scope_args = ["-C", scope] if scope else []
    proc = spack(*scope_args, "peso", "lint", "--no-cache", "--format", "json", "--policy", "all", *args, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def line_of(path, text):
    lines = open(path).read().splitlines()
    return [i for i, line in enumerate(lines, 1) if text in line][0]


def test_deep_findings_have_rules_policies_and_lines(spack, deep_scope):
    scope, repo = deep_scope
    child = str(repo / "packages" / "peso_deep_child" / "package.py")
    _, static = lint_json(spack, scope, "peso-deep-child")
    assert "PESO-T001" in {f["rule"] for f in static}  # no test method in the file itself
    proc, deep = lint_json(spack, scope, "--deep", "peso-deep-child")
    by_rule = {}
    for f in deep:
        by_rule.setdefault(f["rule"], []).append(f)
    # the base class provides test_version: --deep drops the static finding
    assert "PESO-T001" not in by_rule
    # audit: unknown dependency, at the depends_on line
    (dep,) = by_rule["PESO-A001"]
    assert dep["line"] == line_of(child, 'depends_on("peso-no-such-package")')
    assert "unknown package 'peso-no-such-package'" in dep["message"]
    assert "E4S-P1" in dep["policies"]
    # audit: unknown variant in a conflict, at that conflicts() line (not the valid one)
    (var,) = by_rule["PESO-A002"]
    assert var["line"] == line_of(child, 'conflicts("+ghost"')
    # K001: a method tests for a variant nobody defines; +shared is inherited, so fine
    (k,) = by_rule["PESO-K001"]
    assert k["line"] == line_of(child, '"+phantom"') and "phantom" in k["message"]
    assert proc.returncode == 1


def test_deep_findings_obey_suppressions_and_waivers(spack, deep_scope, tmp_path):
    """Deep findings join each file's findings before suppressions and waivers apply: an
    inline ``peso: ignore`` hides K001, a waiver hides the audit finding, neither is
    reported unused, and the other audit finding stays."""
    scope, repo = deep_scope
    child = repo / "packages" / "peso_deep_child" / "package.py"
    child.write_text(
        child.read_text().replace(
            'if self.spec.satisfies("+phantom"):',
            'if self.spec.satisfies("+phantom"):  # peso: ignore[PESO-K001] upstream keeps it for forks',
        )
    )
    waivers = tmp_path / "peso-waivers.yaml"
    waivers.write_text(
        "waivers:\n- package: peso-deep-child\n  rule: PESO-A001\n"
        "  reason: the dependency lands next release\n  owner: alice\n"
        "  expires: 2099-12-31\n"
    )
    proc, deep = lint_json(spack, scope, "--deep", "--waivers", str(waivers), "peso-deep-child")
    rules = {f["rule"] for f in deep}
    assert "PESO-K001" not in rules and "PESO-A001" not in rules
    assert "PESO-A002" in rules  # not suppressed, not waived
    assert not rules & {"PESO-X001", "PESO-X002", "PESO-X003", "PESO-X004"}, deep  # nothing "unused"
    assert proc.returncode == 1


def test_audit_errors_of_boost_are_located(spack):
    proc, deep = lint_json(spack, None, "--deep", "--select", "PESO-A", "boost")
    assert deep and {f["rule"][:6] for f in deep} == {"PESO-A"}  # deep rules are selectable
    audit = spack("audit", "packages", "boost", check=False)
    summaries = [row.split(". ", 1)[1] for row in audit.stdout.splitlines() if row[:1].isdigit() and ". " in row]
    assert summaries, audit.stdout
    for summary in summaries:
        hits = [f for f in deep if summary in f["message"]]
        assert hits, summary
        for f in hits:
            text = open(f["path"]).read().splitlines()[f["line"] - 1]
            assert text.strip().startswith("conflicts(")
            assert any(("+" + v) in text for v in ("context", "coroutine", "fiber", "container"))


def test_deep_outside_spack_reruns_through_spack(spack, deep_scope, tmp_path):
    import subprocess
    import sys

    scope, repo = deep_scope
    # the re-run Spack finds the test repository through the user configuration scope
    user = tmp_path / "user-config"
    user.mkdir()
    (user / "repos.yaml").write_text(open(os.path.join(scope, "repos.yaml")).read())
    env = dict(spack.env, SPACK_USER_CONFIG_PATH=str(user))
    env.pop("SPACK_DISABLE_LOCAL_CONFIG", None)
    env["PATH"] = os.path.dirname(spack.exe) + os.pathsep + os.environ.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "lint", "--deep", "--no-cache", "--format", "json", "peso-deep-child"],
        capture_output=True,
        text=True,
        cwd=EXT,
        timeout=900,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr
    assert "PESO-A001" in {f["rule"] for f in json.loads(proc.stdout)}


def test_policy_report_deep_uses_audit_and_inherited_tests(spack, deep_scope, tmp_path):
    scope, repo = deep_scope
    out = tmp_path / "report"
    proc = spack(
        "-C",
        scope,
        "peso",
        "policy",
        "report",
        "--deep",
        "--no-cache",
        "peso-deep-child",
        "--repo",
        str(repo),
        "-o",
        str(out),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "report.json").read_text())
    results = data["products"][0]["results"]
    assert data["spack"].startswith("Spack ")
    # the inherited test_version makes P2 pass; the unknown dependency fails P1 with a line
    assert results["E4S-P2"]["status"] == "pass"
    p1 = results["E4S-P1"]
    assert p1["status"] == "fail"
    (ev,) = [e for e in p1["evidence"] if e["rule"] == "PESO-A001"]
    assert ev["location"].endswith(
        "package.py:%d"
        % line_of(str(repo / "packages" / "peso_deep_child" / "package.py"), 'depends_on("peso-no-such-package")')
    )


def test_a_crashed_audit_check_is_a_crash_not_a_finding_of_its_rule(tmp_path):
    """A Spack audit check that raises on a package is reported as PESO-X005
    (rule-crashed), never under the rule that lists the check (non-sha256-checksum)."""
    from peso.lint.deep.findings import AuditIssue, PackageFacts, findings_from_facts
    from peso.lint.registry import all_rules

    all_rules(deep=True)
    recipe = tmp_path / "package.py"
    recipe.write_text("from spack.package import *\n\n\nclass Foo(Package):\n    pass\n")
    crashed = AuditIssue(
        "PKG-PROPERTIES",
        "_ensure_all_packages_use_sha256_checksums",
        "Spack's audit check crashed on foo: X",
        (),
        crashed=True,
    )
    (found,) = findings_from_facts(PackageFacts(name="foo", issues=[crashed]), str(recipe))
    assert found.rule == "PESO-X005" and "crashed" in found.message and found.line == 4


BROKEN_IMPORT = '''\
from spack_repo.builtin.build_systems.generic import Package
import peso_module_that_does_not_exist

from spack.package import *


class PesoDeepBrokenImport(Package):
    """Imports a module that is not there."""

    homepage = "https://example.org/broken"
    url = "https://example.org/broken-1.0.tar.gz"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")
'''

BROKEN_EXIT = '''\
import sys

from spack_repo.builtin.build_systems.generic import Package

from spack.package import *

sys.exit(3)


class PesoDeepBrokenExit(Package):
    """Exits the process that loads it."""

    homepage = "https://example.org/broken"
    url = "https://example.org/broken-1.0.tar.gz"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")
'''


def test_deep_survives_recipes_that_do_not_load(spack, deep_scope):
    """One recipe that raises on import and one that exits: each is a PESO-A010 finding
    (package-not-loadable) and the other recipes of the repository are still checked
    (Spack's indexes are built without the broken ones) - the run neither aborts nor
    reports an internal error."""
    scope, repo = deep_scope
    for name, text in (("peso_deep_broken_import", BROKEN_IMPORT), ("peso_deep_broken_exit", BROKEN_EXIT)):
        (repo / "packages" / name).mkdir()
        (repo / "packages" / name / "package.py").write_text(text)
    proc, found = lint_json(spack, scope, "--deep", str(repo))
    assert proc.returncode == 1, proc.stderr
    loads = {f["package"]: f["message"] for f in found if f["rule"] == "PESO-A010"}
    assert "No module named 'peso_module_that_does_not_exist'" in loads["peso-deep-broken-import"]
    assert "SystemExit" in loads["peso-deep-broken-exit"]
    child = {f["rule"] for f in found if f["package"] == "peso-deep-child"}
    assert "PESO-A001" in child  # its unknown dependency: the audit checks still ran
    assert not any(f["rule"] == "PESO-X005" for f in found), [f["message"] for f in found if f["rule"] == "PESO-X005"]
