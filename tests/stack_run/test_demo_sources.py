"""The demo tarballs are deterministic and the recipes carry their real sha256."""

import glob
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "demo"))

import make_tarballs  # noqa: E402


def test_tarballs_are_byte_identical_across_builds(tmp_path):
    first = make_tarballs.build_all(str(tmp_path / "a"))
    second = make_tarballs.build_all(str(tmp_path / "b"))
    assert first == second and len(first) == 6
    for name, digest in first.items():
        with open(tmp_path / "a" / name, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest


def test_every_demo_recipe_names_its_tarball_sha256(tmp_path):
    sums = make_tarballs.build_all(str(tmp_path))
    recipes = glob.glob(os.path.join(ROOT, "repo", "spack_repo", "peso", "packages", "peso_demo_*", "package.py"))
    checked = 0
    for recipe in recipes:
        with open(recipe) as f:
            text = f.read()
        url = re.search(r'url = f"file://\{_TARBALLS\}/(\S+?)"', text)
        if not url:  # the bundle package has no source
            assert "BundlePackage" in text
            continue
        sha = re.search(r'sha256="([0-9a-f]{64})"', text).group(1)
        assert sums[url.group(1)] == sha, recipe
        checked += 1
    assert checked == 6
