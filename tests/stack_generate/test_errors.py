"""Malformed catalogue or profile: one line naming file, key and problem; nothing written."""

import subprocess
import sys

import pytest

from peso.errors import PesoError
from peso.stack.generate.model import load_catalog, load_target

GOOD_TARGET = """schema: peso-target/v1
name: t
arch: {platform: linux, os: sles15, target: zen3}
gpu: {backend: cuda, arch: "80"}
compilers:
  gcc: {spec: "gcc@12.3.0", prefix: /usr, exes: {c: bin/gcc}}
default_compiler: gcc
mpi: {provider: cray-mpich, gpu_aware: true, externals: [{spec: cray-mpich@8.1.28, prefix: /opt/x}]}
blas: {provider: openblas}
provenance: [{fact: x, source: y}]
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_good_target_loads(tmp_path):
    assert load_target(_write(tmp_path, "t.yaml", GOOD_TARGET)).gpu_arch == "80"


@pytest.mark.parametrize(
    "old,new,key,problem",
    [
        ('arch: "80"', 'arch: "81"', "gpu.arch", "not one CudaPackage accepts"),
        ("target: zen3", "target: zen9", "arch.target", "unknown archspec CPU target"),
        ('backend: cuda, arch: "80"', 'backend: cuda, arch: "86"', "mpi.gpu_aware", "no GTL"),
        ("default_compiler: gcc", "default_compiler: cce", "default_compiler", "not among compilers"),
        ("backend: cuda", "backend: opencl", "gpu.backend", "is not one of"),
        ("target: zen3}", "target: zen3, cpu: 3}", "arch", "Additional properties"),
    ],
)
def test_bad_target_one_line_error(tmp_path, old, new, key, problem):
    path = _write(tmp_path, "t.yaml", GOOD_TARGET.replace(old, new))
    with pytest.raises(PesoError) as e:
        load_target(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(path) and key in msg and problem in msg


@pytest.mark.parametrize(
    "text,key,problem",
    [
        ("schema: peso-catalog/v1\nproducts:\n- {name: a, spec: a, gpu: {opencl: {}}}\n", "products.0.gpu", "opencl"),
        ("schema: peso-catalog/v1\nproducts:\n- {name: a}\n", "products.0", "'spec' is a required property"),
        (
            "schema: peso-catalog/v1\nproducts:\n- {name: a, spec: a, known_issues: [{when: {}, reason: r, "
            "source: s, date: 2026-11-29, action: ignore}]}\n",
            "products.0.known_issues.0.action",
            "is not one of",
        ),
        (
            "schema: peso-catalog/v1\nproducts:\n- {name: a, spec: a, known_issues: [{when: {}, reason: r, "
            "source: s, action: skip}]}\n",
            "products.0.known_issues.0",
            "'date' is a required property",
        ),
        (
            "schema: peso-catalog/v1\nproducts:\n- {name: a, spec: a, known_issues: [{when: {}, reason: r, "
            "date: 2026-11-29, action: skip}]}\n",
            "products.0.known_issues.0",
            "'source' is a required property",
        ),
        (
            "schema: peso-catalog/v1\nproducts:\n- {name: a, spec: a}\n- {name: a, spec: b}\n",
            "products.1.name",
            "duplicate product",
        ),
        ("schema: peso-catalog/v1\nproducts: [\n", "line", "invalid YAML"),
    ],
)
def test_bad_catalogue_one_line_error(tmp_path, text, key, problem):
    path = _write(tmp_path, "c.yaml", text)
    with pytest.raises(PesoError) as e:
        load_catalog(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(path) and key in msg and problem in msg


def test_cli_writes_nothing_on_bad_catalogue(tmp_path, repo_root):
    cat = _write(tmp_path, "c.yaml", "schema: peso-catalog/v1\nproducts:\n- {name: a, spec: a, tags: [Bad Tag]}\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "peso",
            "stack",
            "generate",
            "--target=x86_64_v3",
            "--catalog",
            cat,
            "-o",
            str(out),
            "--format",
            "definitions",
        ],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and cat in lines[0] and "products.0.tags.0" in lines[0]
    assert not out.exists()


def test_cli_unknown_target_and_only(tmp_path, repo_root):
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "generate", "--target=nowhere", "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert proc.returncode == 2 and "unknown target 'nowhere'" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "peso",
            "stack",
            "generate",
            "--target=frontier",
            "--only",
            "kokkos,nosuch",
            "-o",
            str(tmp_path / "o"),
            "--format",
            "definitions",
        ],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert proc.returncode == 2 and "nosuch" in proc.stderr
    assert not (tmp_path / "o").exists()
