"""``stack diff --e4s`` and ``stack import-e4s`` on a small tree shaped like E4S's
``environments/<arch>/<compiler>/<cpu|cuda|rocm>/<gpu arch>/spack.yaml`` with ``_config/``."""

import os
import subprocess
import sys

import pytest
import yaml

from peso.errors import PesoError
from peso.stack.generate.e4s_diff import compare_release
from peso.stack.generate.e4s_import import catalogue_spec, proposals
from peso.stack.generate.e4s_release import config_target, read_release
from peso.stack.generate.model import load_catalog, load_target

ENV = "spack:\n  include:\n%s  specs:\n%s"
FILES = {
    "x86_64/gnu/_config/packages.yaml": "packages:\n  all:\n    require: ['target=x86_64_v3']\n  zfp:\n    variants: +aligned\n",
    "x86_64/gnu/cuda/_config/packages.yaml": "packages:\n  zfp:\n    variants: ~aligned\n",
    "x86_64/gnu/cpu/spack.yaml": ENV
    % (
        "  - ../_config/packages.yaml\n",
        "  - zfp\n  - hypre +int64\n  - nek5000 +mpi ~visit\n  # - gptune      # py-gpy: compile error\n",
    ),
    "x86_64/gnu/cuda/80/spack.yaml": ENV
    % (
        "  - ../_config/packages.yaml\n  - ../../_config/packages.yaml\n",
        "  - kokkos +wrapper +cuda cuda_arch=80\n  - hypre +cuda cuda_arch=80\n",
    ),
    "x86_64/gnu/cuda/notarget/spack.yaml": ENV % ("  - ../../_config/packages.yaml\n", "  - tau +mpi +cuda\n"),
    "x86_64/gnu/cuda/90/spack.yaml": ENV % ("  - ../../_config/packages.yaml\n", "  - zfp +cuda cuda_arch=90\n"),
}
CATALOGUE = """schema: peso-catalog/v1
products:
- {name: zfp, spec: zfp, gpu: {cuda: {}}}
- name: hypre
  spec: hypre
  gpu: {cuda: {}}
  known_issues:
  - {when: {backend: [cuda]}, reason: needs cuda@11, source: a check run, date: 2026-11-24, action: skip}
- {name: kokkos, spec: kokkos +wrapper, gpu: {cuda: {tokens: none}}}
- {name: tau, spec: tau +mpi, gpu: {cuda: {tokens: switch}}}
- {name: papi, spec: papi}
"""


@pytest.fixture
def e4s_tree(write_e4s_tree):
    return write_e4s_tree(FILES)


@pytest.fixture
def small_envdir(tmp_path, envdir):
    """An environments folder with the real perlmutter profile and the small catalogue."""
    (tmp_path / "env" / "targets").mkdir(parents=True)
    (tmp_path / "env" / "catalog").mkdir()
    with open(os.path.join(envdir, "targets", "perlmutter.yaml"), encoding="utf-8") as f:
        (tmp_path / "env" / "targets" / "perlmutter.yaml").write_text(f.read())
    (tmp_path / "env" / "catalog" / "e4s.yaml").write_text(CATALOGUE)
    return tmp_path / "env"


def _diff(e4s_tree, small_envdir):
    target = load_target(str(small_envdir / "targets" / "perlmutter.yaml"))
    release = read_release(str(e4s_tree), target)
    return release, compare_release(release, load_catalog(str(small_envdir / "catalog" / "e4s.yaml")), target)


def test_release_merges_the_environments_of_the_target_and_their_config(e4s_tree, small_envdir):
    release, _ = _diff(e4s_tree, small_envdir)
    assert release.envs == ["x86_64/gnu/cpu", "x86_64/gnu/cuda/80", "x86_64/gnu/cuda/notarget"]  # not 90
    assert release.products() == ["hypre", "kokkos", "nek5000", "tau", "zfp"]
    assert [(s.spec, s.comment) for s in release.commented] == [("gptune", "py-gpy: compile error")]
    assert config_target(release) == "x86_64_v3" and release.packages["zfp"] == {"variants": "+aligned"}


def test_diff_per_product_missing_backend_variants_extra(e4s_tree, small_envdir):
    _, report = _diff(e4s_tree, small_envdir)
    rows = {(r.product, r.flavor): r for r in report.rows}
    assert report.missing_products == ["nek5000"] and report.coverage_percent == 80.0
    assert rows["nek5000", "cpu"].note == "not in the catalogue"
    assert rows["hypre", "cuda"].verdict == "missing" and rows["hypre", "cuda"].note == "skipped: needs cuda@11"
    assert (rows["hypre", "cpu"].verdict, rows["hypre", "cpu"].only_e4s) == ("variants", ["+int64"])
    assert rows["kokkos", "cuda"].verdict == "backend"  # tokens: none renders kokkos without +cuda
    assert rows["tau", "cuda"].verdict == "same" and rows["zfp", "cpu"].verdict == "same"
    assert rows["papi", "cpu"].verdict == rows["zfp", "cuda"].verdict == "extra"
    assert report.backend_agreement() == (1, 3)  # tau yes; kokkos wrong; hypre skipped


def test_import_proposes_changes_and_never_writes_the_catalogue(e4s_tree, small_envdir, repo_root, tmp_path):
    release, report = _diff(e4s_tree, small_envdir)
    by = {(p["product"], p["flavor"]): p for p in proposals(report, release)}
    assert by["nek5000", "cpu"]["change"] == "add-product"
    assert by["nek5000", "cpu"]["proposed"]["spec"] == "nek5000 +mpi ~visit"
    assert by["kokkos", "cuda"]["proposed"] == {"gpu": {"cuda": {"spec": "kokkos +wrapper", "tokens": "full"}}}
    assert by["hypre", "cuda"]["change"] == "recheck-known-issue"
    assert by["hypre", "cpu"]["source"].endswith(":environments/x86_64/gnu/cpu/spack.yaml")
    catalogue = small_envdir / "catalog" / "e4s.yaml"
    before = catalogue.read_text()
    out = tmp_path / "proposal.yaml"
    env = dict(os.environ, PESO_ENVIRONMENTS=str(small_envdir))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "peso",
            "stack",
            "import-e4s",
            "--target=perlmutter",
            "--e4s",
            str(e4s_tree),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "80.0% of E4S's root products" in proc.stdout
    assert len(yaml.safe_load(out.read_text())["proposals"]) == len(by)
    assert catalogue.read_text() == before
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "diff", "--target=perlmutter", "--e4s", str(e4s_tree)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr  # unexplained differences
    assert (
        "80.0% of E4S's reproduced" in proc.stdout
        and "! nek5000 [cpu]: E4S: nek5000 +mpi ~visit; ours: not in the catalogue" in proc.stdout
    )


def test_release_from_a_bare_git_repository_records_its_commit(e4s_tree, small_envdir, tmp_path):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(e4s_tree)]
    subprocess.run(git[:5] + ["init", "-q", str(e4s_tree)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "e4s"], check=True)
    commit = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--bare", str(e4s_tree), str(tmp_path / "bare.git")], check=True)
    target = load_target(str(small_envdir / "targets" / "perlmutter.yaml"))
    release = read_release(str(tmp_path / "bare.git"), target)
    assert release.commit == commit[:12] and release.products() == ["hypre", "kokkos", "nek5000", "tau", "zfp"]
    assert release.source().startswith("E4S-Project/e4s %s:" % commit[:12])
    with pytest.raises(PesoError, match="neither an E4S checkout"):
        read_release(str(tmp_path / "env"), target)


def test_catalogue_spelling_of_an_e4s_spec():
    assert (
        catalogue_spec("cabana +cuda cuda_arch=80 ^kokkos +wrapper +cuda cuda_arch=80")
        == "cabana ^kokkos +wrapper {gpu}"
    )
    assert catalogue_spec("arborx +sycl ^kokkos +sycl +openmp target=x86_64_v3") == "arborx ^kokkos {gpu} +openmp"


def test_a_plain_folder_inside_another_repository_names_no_foreign_commit(e4s_tree, small_envdir, tmp_path):
    """E4S files copied into a folder of some other git checkout: that checkout's commit
    says nothing about them. The release is 'unknown' unless the user names a revision."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run(git[:5] + ["init", "-q", str(tmp_path)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "unrelated"], check=True)
    enclosing = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    target = load_target(str(small_envdir / "targets" / "perlmutter.yaml"))
    release = read_release(str(e4s_tree), target)
    assert release.commit == "unknown" and enclosing[:12] not in release.source()
    assert read_release(str(e4s_tree), target, rev="b4be15ad92fd").commit == "b4be15ad92fd"  # as the user says
    own = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(e4s_tree)]
    subprocess.run(own[:5] + ["init", "-q", str(e4s_tree)], check=True)
    subprocess.run(own + ["add", "."], check=True)
    subprocess.run(own + ["commit", "-qm", "e4s"], check=True)
    mine = subprocess.run(own + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert read_release(str(e4s_tree), target).commit == mine[:12]  # its own .git counts
