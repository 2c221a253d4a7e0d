"""Shared fixtures. Tests that need Spack use ``spack`` and are skipped, with the reason
printed in the summary, only when no Spack can be found (``SPACK_ROOT`` or ``PATH``)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))

from peso.spackenv import find_spack  # noqa: E402


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
    exe = find_spack()
    if not exe:
        pytest.skip("NO SPACK FOUND: set SPACK_ROOT or put 'spack' on PATH to run this test")
    return SpackRunner(exe, str(tmp_path_factory.mktemp("spack-user-config")))


@pytest.fixture(scope="session")
def repo_root():
    return ROOT
