"""Fixtures for stack generation tests: the repo's environments folder and the reference
spack-packages checkout (hand-made stacks, recipes), skipped loudly when absent."""

import os

import pytest

REF = "/work/ref/spack-packages"


@pytest.fixture(scope="session")
def envdir(repo_root):
    return os.path.join(repo_root, "environments")


@pytest.fixture(scope="session")
def spack_packages(request):
    """The reference spack-packages checkout: the `spack` fixture's builtin repo if it
    lives in one, else /work/ref/spack-packages."""
    candidates = [REF]
    try:
        import subprocess

        from peso.spackenv import find_spack

        exe = find_spack()
        if exe:
            out = subprocess.run([exe, "repo", "list"], capture_output=True, text=True, timeout=120)
            for line in out.stdout.splitlines():
                parts = line.split()
                if "builtin" in parts:
                    root = os.path.dirname(os.path.dirname(os.path.dirname(parts[-1])))
                    candidates.insert(0, root)
    except Exception:
        pass
    for c in candidates:
        if os.path.isdir(os.path.join(c, "stacks", "e4s")):
            return c
    pytest.skip("REFERENCE spack-packages NOT FOUND (no stacks/e4s in %s)" % candidates)
