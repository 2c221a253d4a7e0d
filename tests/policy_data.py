"""Paths of the policy and lint tests' data (``policy/data``): recipes copied from the
builtin repository and the upstream E4S compatibility template."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "policy", "data")
REPO = os.path.join(DATA, "repo")
UPSTREAM_COMPAT = os.path.join(DATA, "upstream", "e4s-policy-compatability-1.0.yaml")
EXT = os.path.join(ROOT, "spack-peso")


def recipe(name: str) -> str:
    return os.path.join(REPO, "packages", name, "package.py")
