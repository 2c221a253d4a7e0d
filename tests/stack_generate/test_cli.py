"""The stack subcommands as a user runs them (``python -m peso``: same parser as spack peso)."""

import json
import subprocess
import sys


def _peso(repo_root, *args):
    return subprocess.run([sys.executable, "-m", "peso", "stack", *args], capture_output=True, text=True, cwd=repo_root)


def test_targets_lists_profiles_and_host(repo_root):
    proc = _peso(repo_root, "targets")
    assert proc.returncode == 0
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[1:]}
    assert rows["frontier"][2:5] == ["zen3", "rocm", "gfx90a"]
    assert rows["perlmutter"][2:5] == ["zen3", "cuda", "80"]
    assert rows["aurora"][2:4] == ["sapphirerapids", "sycl"]
    assert "host" in rows


def test_targets_shows_one_profile_by_alias(repo_root):
    proc = _peso(repo_root, "targets", "olcf-frontier")
    assert proc.returncode == 0 and "name: frontier" in proc.stdout and "provenance:" in proc.stdout


def test_generate_writes_to_out_dir(repo_root, tmp_path):
    out = tmp_path / "x"
    proc = _peso(
        repo_root, "generate", "--target=el-capitan", "--only", "kokkos", "-o", str(out), "--format", "definitions"
    )
    assert proc.returncode == 0, proc.stderr
    text = (out / "spack.yaml").read_text()
    assert "kokkos +rocm amdgpu_target=gfx942" in text and "target=zen4" in text


def test_diff_json(repo_root, tmp_path):
    hand = tmp_path / "spack.yaml"
    hand.write_text("spack:\n  definitions:\n  - a: [kokkos +openmp, zfp]\n  specs: [$a, nosuch]\n")
    proc = _peso(repo_root, "diff", "--target=x86_64_v3", "--against", str(hand), "--json")
    report = json.loads(proc.stdout)
    assert report["missing"] == ["nosuch"] and report["hand_roots"] == 3
    assert round(report["reproduced_percent"], 1) == 66.7


def test_coverage_to_out_dir(repo_root, tmp_path):
    proc = _peso(repo_root, "coverage", "--targets", "frontier,aurora", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    matrix = json.loads((tmp_path / "coverage.json").read_text())
    assert [t["name"] for t in matrix["targets"]] == ["frontier", "aurora"]
    assert matrix["products"]["zfp"]["frontier"]["rocm"]["status"] == "unsupported"
    assert matrix["products"]["kokkos"]["aurora"]["sycl"]["status"] == "built"
    assert "| kokkos |" in (tmp_path / "coverage.md").read_text()
