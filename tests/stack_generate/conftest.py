"""Fixtures for stack generation tests: the repo's environments folder. The reference
spack-packages tree (hand-made stacks, recipes) is the top-level ``spack_packages``
fixture: the one the Spack in use reads."""

import os

import pytest


@pytest.fixture(scope="session")
def envdir(repo_root):
    return os.path.join(repo_root, "environments")
