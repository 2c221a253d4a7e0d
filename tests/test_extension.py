"""The extension is reachable both ways Spack 1.x supports, and as ``python -m peso``."""

import os
import subprocess
import sys

from peso_testing import ROOT

EXT = os.path.join(ROOT, "spack-peso")


def test_python_m_peso_help():
    out = subprocess.run([sys.executable, "-m", "peso", "--help"], capture_output=True, text=True, cwd=EXT)
    assert out.returncode == 0
    for sub in ("lint", "stack", "policy"):
        assert sub in out.stdout


def test_spack_loads_extension_from_config_path(spack, tmp_path):
    # A Python without spack-peso installed: only config:extensions can find it.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    env = {"SPACK_PYTHON": str(venv / "bin" / "python"), "PYTHONPATH": ""}
    without = spack("peso", "--help", check=False, env=env)
    assert without.returncode != 0  # proves the entry point is not in play
    proc = spack("-c", "config:extensions:[%s]" % EXT, "peso", "--help", env=env)
    assert "stack" in proc.stdout and "lint" in proc.stdout


def test_spack_loads_extension_from_entry_point(spack):
    proc = spack("peso", "--help", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "stack" in proc.stdout


def test_entry_point_returns_extension_root():
    from peso.extension import get_spack_extensions

    (root,) = get_spack_extensions()
    assert os.path.basename(root) == "spack-peso"
    assert os.path.isfile(os.path.join(root, "peso", "cmd", "peso.py"))
