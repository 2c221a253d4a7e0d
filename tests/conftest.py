"""Shared fixtures.

Tests that need Spack use the ``spack`` fixture, which asks the same provisioning as the
commands (:func:`peso.spackcall.provision.ensure`: ``SPACK_ROOT``, ``PATH``, the user
cache, then the pinned archives). Under ``CI=true`` a missing Spack fails the test: CI
must never pass by testing none of the Spack-facing half. Elsewhere (a laptop with no
Spack and no archives) such tests are skipped with one reason.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Child processes (``python -m peso``, Spack loading the extension) import this checkout's
# code, never an installed copy of another checkout or worktree.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (os.path.join(ROOT, "spack-peso"), os.environ.get("PYTHONPATH")) if p
)

from peso_testing import missing  # noqa: E402

from peso.errors import PesoError  # noqa: E402
from peso.spackcall import provision  # noqa: E402


def ready_spack():
    """The provisioned Spack (never cloned from the network inside a test run)."""
    try:
        return provision.ensure(allow_git=False, with_packages=True)
    except PesoError as e:
        missing("NO SPACK: %s (run 'python -m peso bootstrap')" % e)


class SpackRunner:
    """A real Spack executable with an isolated user configuration.

    The user cache (repository indexes) persists across test sessions so that the
    8,900-recipe builtin index is built once per machine, not once per test.
    """

    def __init__(self, exe: str, config_dir: str):
        self.exe = exe
        self.root = os.path.dirname(os.path.dirname(os.path.realpath(exe)))
        self.env = dict(os.environ)
        self.env.update(
            SPACK_DISABLE_LOCAL_CONFIG="1",
            SPACK_PYTHON=provision.spack_python(),
            SPACK_USER_CONFIG_PATH=config_dir,
            SPACK_USER_CACHE_PATH=os.path.join(
                os.path.expanduser("~"), ".cache", "spack-peso-tests", "spack-user-cache"
            ),
        )

    def __call__(self, *args, check=True, timeout=1800, cwd=None, env=None):
        full_env = dict(self.env, **(env or {}))
        proc = subprocess.run(
            [self.exe, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=full_env,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                "spack %s failed (%d):\n%s\n%s"
                % (" ".join(args), proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:])
            )
        return proc


@pytest.fixture(scope="session")
def spack(tmp_path_factory):
    install = ready_spack()
    return SpackRunner(install.exe, str(tmp_path_factory.mktemp("spack-user-config")))


@pytest.fixture(scope="session")
def spack_install():
    """The :class:`~peso.spackcall.provision.SpackInstall` in use (root, builtin repo)."""
    return ready_spack()


@pytest.fixture(scope="session")
def spack_packages(spack_install):
    """The reference spack-packages tree of the Spack in use (``stacks/``, ``repos/``)."""
    if not spack_install.packages or not os.path.isdir(os.path.join(spack_install.packages, "stacks", "e4s")):
        missing("the Spack in use (%s) reads no spack-packages tree with stacks/e4s" % spack_install.root)
    return spack_install.packages


@pytest.fixture(scope="session")
def builtin_packages(spack_packages):
    """The reference builtin recipes folder (``.../builtin/packages``)."""
    return os.path.join(spack_packages, provision.load_pins()["spack-packages"]["builtin"], "packages")


@pytest.fixture(scope="session")
def repo_root():
    return ROOT


@pytest.fixture
def repo_copy(tmp_path):
    """A writable copy of the policy and lint tests' recipe repository (fixes and line
    shifts edit it)."""
    import shutil

    from policy_data import REPO

    target = tmp_path / "repo"
    shutil.copytree(REPO, target)
    return target


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium for the HTML report tests (Debian package ``chromium``;
    ``scripts/system-deps.sh`` installs it)."""
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    missing("NO CHROMIUM: install the Debian package chromium (scripts/system-deps.sh does)")


#: fixture -> marker: a test's tier follows from what it needs, so no test can forget it
_TIER_BY_FIXTURE = {
    "spack": "spack",
    "spack_install": "spack",
    "spack_packages": "spack",
    "builtin_packages": "spack",
    "chromium": "browser",
    "slurm_cluster": "slurm",
    "real_stack": "e2e",
    "curated_stack": "e2e",
}


def pytest_collection_modifyitems(config, items):
    """Mark each test by the fixtures it uses (``spack``, ``browser``); tests marked
    ``e2e`` build real stacks and are ``slow`` too. ``pytest -m "not spack and not slow"``
    is the fast tier; CI runs every tier."""
    for item in items:
        for fixture, marker in _TIER_BY_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        if item.get_closest_marker("e2e"):
            item.add_marker("slow")
