"""Fixtures for stack generation tests: the repo's environments folder. The reference
spack-packages tree (hand-made stacks, recipes) is the top-level ``spack_packages``
fixture: the one the Spack in use reads."""

import os

import pytest


@pytest.fixture(scope="session")
def envdir(repo_root):
    return os.path.join(repo_root, "environments")


@pytest.fixture
def write_e4s_tree(tmp_path):
    """Writes a tree shaped like E4S-Project/e4s (``environments/<rel>`` for each
    ``{rel: text}``) under ``tmp_path/e4s`` and returns its root."""

    def write(files):
        root = tmp_path / "e4s"
        for rel, text in files.items():
            path = root / "environments" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    return write
