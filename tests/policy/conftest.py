"""Fixtures for the policy, baseline and fix tests."""

import shutil

import pytest

from policy_data import REPO


@pytest.fixture
def repo_copy(tmp_path):
    """A writable copy of the test repository (fixes and line shifts edit it)."""
    target = tmp_path / "repo"
    shutil.copytree(REPO, target)
    return target
