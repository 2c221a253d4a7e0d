"""A regular (non-editable) install carries the data files and still gives Spack an
extension root, and pre-commit's ``pip install .`` from the repository root works."""

import os
import subprocess
import sys
import zipfile

from peso_testing import ROOT


def build_wheel(tmp_path):
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), ROOT],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("spack_peso-*.whl")
    return wheel


def test_wheel_from_repository_root_has_code_and_data(tmp_path):
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    for needed in (
        "peso/cmd/peso.py",
        "peso/lint/data/rules.yaml",
        "peso/lint/data/profiles.yaml",
        "peso/policy/data/policies/e4s-1.0.yaml",
        "peso/stack/generate/data/catalog.schema.yaml",
        "peso/spackcall/spack_each_probe.py",
        "peso/spackcall/spack_schema_probe.py",
    ):
        assert needed in names, needed
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_package_exposes_an_extension_root(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(build_wheel(tmp_path)),
        ],
        check=True,
    )
    env = dict(os.environ, PYTHONPATH=str(target), XDG_CACHE_HOME=str(tmp_path / "cache"))
    code = "import peso.extension as e; print(e.get_spack_extensions()[0])"
    root = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=str(tmp_path), capture_output=True, text=True, check=True
    ).stdout.strip()
    assert os.path.basename(root) == "spack-peso"
    assert os.path.realpath(os.path.join(root, "peso")) == os.path.realpath(target / "peso")
    assert os.path.isfile(os.path.join(root, "peso", "cmd", "peso.py"))
