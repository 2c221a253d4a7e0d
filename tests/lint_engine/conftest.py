"""Fixtures for the lint engine tests: a throw-away recipe repository and a marker rule.

The marker rule (PESO-Z901, reports every line containing ``MARKER``) makes the engine's
behaviour testable independently of the real rules, which other tests cover.
"""

import os
import textwrap

import pytest

from peso.lint import registry
from peso.lint.config import LintConfig

RECIPE = '''\
from spack_repo.builtin.build_systems.generic import Package
from spack.package import *


class {cls}(Package):
    """A test package."""

    homepage = "https://example.org/{name}"
{body}
'''

ENGINE_AND_MARKER = ["PESO-E001", "PESO-X", "PESO-Z901"]


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


class Project:
    """A folder with ``repo/spack_repo/demo`` (a Spack repository, package API v2)."""

    def __init__(self, root):
        self.root = str(root)
        self.repo = os.path.join(self.root, "repo", "spack_repo", "demo")
        self.packages = os.path.join(self.repo, "packages")
        os.makedirs(self.packages)
        with open(os.path.join(self.repo, "repo.yaml"), "w") as f:
            f.write("repo:\n  namespace: demo\n  api: v2.0\n")

    def add(self, name: str, body: str = "", raw=None) -> str:
        folder = os.path.join(self.packages, name.replace("-", "_"))
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "package.py")
        if raw is None:
            raw = RECIPE.format(cls=class_name(name), name=name, body=textwrap.indent(textwrap.dedent(body), "    "))
        with open(path, "wb" if isinstance(raw, bytes) else "w") as f:
            f.write(raw)
        return path

    def write(self, relpath: str, text: str) -> str:
        path = os.path.join(self.root, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path / "proj")


@pytest.fixture
def marker_rule():
    rule = registry.Rule(
        id="PESO-Z901",
        name="test-marker",
        severity="warning",
        policies=("E4S-P2",),
        summary="a line contains MARKER (test rule)",
        doc={"what": "Reports MARKER.", "why": "Tests.", "fix": "Remove it.", "example": "x = 1  # MARKER"},
    )

    def check(recipe):
        for number, line in enumerate(recipe.lines, 1):
            col = line.find("MARKER")
            if col >= 0:
                yield rule.finding(recipe, (number, col + 1), "MARKER found")

    registry.RULES[rule.id] = rule
    registry.rule(rule.id)(check)
    yield rule
    del registry.RULES[rule.id]


@pytest.fixture
def config(tmp_path, marker_rule):
    """One process, a private cache, only the engine and marker rules."""
    return LintConfig(jobs=1, cache_dir=str(tmp_path / "cache"), select=list(ENGINE_AND_MARKER), policy="all")
