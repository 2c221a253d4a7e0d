"""``stack build --parallel-packages N`` with real Spack: the depfile run by ``make -k -j N``.

An environment of its own (own install tree from ``demo/spack_scope.py``) holds the demo
roots plus ``peso-needs-broken``, a bundle of a small test repository that depends on
``peso-demo-broken`` (whose build fails on purpose): the failure must stop that dependent
only, and every independent root must still be BUILT.
"""

import os
import textwrap

import pytest
import spack_scope
from peso_testing import load_json, statuses

pytestmark = pytest.mark.spack

ROOTS = ["peso-demo-lib", "peso-demo-app", "peso-demo-data", "peso-demo-broken", "peso-needs-broken"]


def write_repo(folder):
    package = os.path.join(folder, "spack_repo", "pesotest", "packages", "peso_needs_broken")
    os.makedirs(package)
    with open(os.path.join(folder, "spack_repo", "pesotest", "repo.yaml"), "w") as f:
        f.write("repo:\n  namespace: pesotest\n  api: v2.4\n")
    with open(os.path.join(package, "package.py"), "w") as f:
        f.write(
            textwrap.dedent(
                '''\
                from spack_repo.builtin.build_systems.bundle import BundlePackage

                from spack.package import *


                class PesoNeedsBroken(BundlePackage):
                    """Depends on a package whose build fails (spack-peso tests)."""

                    version("1.0")

                    depends_on("peso-demo-broken")
                '''
            )
        )
    return os.path.join(folder, "spack_repo", "pesotest")


@pytest.fixture(scope="module")
def parallel_build(demo_stack, tmp_path_factory):
    work = str(tmp_path_factory.mktemp("parallel"))
    scope = spack_scope.write_scope(work)
    env_dir = os.path.join(work, "env")
    os.makedirs(env_dir)
    with open(os.path.join(env_dir, "spack.yaml"), "w") as f:
        f.write(
            "spack:\n  repos: [%s, %s]\n  view: false\n  concretizer: {unify: true, reuse: false}\n  specs: [%s]\n"
            % (spack_scope.PESO_REPO, write_repo(os.path.join(work, "repo")), ", ".join(ROOTS))
        )
    out = os.path.join(work, "out")
    proc = demo_stack.peso(
        "stack", "build", "--target", "host", "--env", env_dir, "-C", scope, "--out", out, "--parallel-packages", "2"
    )
    return proc, load_json(os.path.join(out, "build.json")), out


def test_a_failure_stops_only_its_dependents(parallel_build):
    proc, record, out = parallel_build
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert statuses(record) == {
        "peso-demo-lib": "BUILT",
        "peso-demo-app": "BUILT",
        "peso-demo-data": "BUILT",
        "peso-demo-broken": "BUILD_FAILED",
        "peso-needs-broken": "BUILD_FAILED",
    }
    rows = {r["package"]: r for r in record["specs"]}
    assert "this_symbol_does_not_exist" in rows["peso-demo-broken"]["reason"]
    assert "spack-build-out.txt" in rows["peso-demo-broken"]["log"]
    assert rows["peso-needs-broken"]["reason"] == "dependency failed to build: peso-demo-broken"
    assert all(rows[name]["source"] == "built" for name in ("peso-demo-lib", "peso-demo-app", "peso-demo-data"))


def test_packages_were_installed_by_the_depfile_one_at_a_time(parallel_build):
    proc, record, out = parallel_build
    with open(os.path.join(out, "install.log")) as f:
        log = f.read()
    assert os.path.isfile(os.path.join(out, "depfile", "Makefile"))
    # one 'spack install --only=package' per package, carrying this run's scope
    assert log.count("--only=package") >= len(ROOTS) - 1
    assert "-C %s " % os.path.join(os.path.dirname(out), "scope") in log
