"""stack diff against the hand-made stacks, and the catalogue lint against recipes."""

import os

import pytest

from peso.stack.generate.catalog_lint import lint_catalog
from peso.stack.generate.diff import compare
from peso.stack.generate.diff import diff_against

PAIRS = [("x86_64_v3", "e4s"), ("neoverse_v2", "e4s-neoverse-v2"), ("aurora", "e4s-oneapi"),
         ("frontier", "e4s-rocm-external")]


@pytest.mark.parametrize("target,stack", PAIRS)
def test_rendering_reproduces_hand_made_roots(target, stack, spack_packages, envdir, monkeypatch):
    monkeypatch.setenv("PESO_ENVIRONMENTS", envdir)
    report = diff_against(target, os.path.join(spack_packages, "stacks", stack, "spack.yaml"))
    print("%s vs stacks/%s: %.1f%% roots reproduced, missing %s"
          % (target, stack, report.reproduced_percent, report.missing))
    assert report.reproduced_percent >= 95.0


def test_compare_reports_missing_extra_and_variants():
    r = compare(["kokkos +openmp", "zfp", "tau +mpi target=zen3"], ["kokkos +serial", "tau +mpi", "hdf5"])
    assert r.missing == ["zfp"] and r.extra == ["hdf5"]
    assert round(r.reproduced_percent, 1) == 66.7
    assert r.exact_specs == 1  # tau: target= ignored
    assert r.variant_diffs["kokkos"] == {"only_hand": ["+openmp"], "only_rendered": ["+serial"]}


def _recipes(spack_packages):
    return os.path.join(spack_packages, "repos", "spack_repo", "builtin", "packages")


def test_committed_catalogue_lints_clean(envdir, spack_packages):
    findings, _ = lint_catalog(os.path.join(envdir, "catalog", "e4s.yaml"), repo=_recipes(spack_packages))
    assert [f for f in findings if f.severity == "error"] == []


def test_lint_finds_bad_backend_variant_and_package(tmp_path, spack_packages):
    cat = tmp_path / "c.yaml"
    cat.write_text(
        "schema: peso-catalog/v1\nproducts:\n"
        "- {name: zlib, spec: zlib, gpu: {rocm: {}}}\n"            # zlib has no ROCm support
        "- {name: zfp, spec: zfp +nonsense}\n"                     # unknown variant
        "- {name: kokkos, spec: kokkos, gpu: {cuda: {}}}\n"         # inherited from CudaPackage: fine
        "- {name: hypre, spec: hypre build_type=Debug}\n"           # CMakePackage variant? (hypre is autotools+cmake)
        "- {name: nosuchpkg, spec: nosuchpkg}\n")
    findings, _ = lint_catalog(str(cat), repo=_recipes(spack_packages))
    codes = {(f.location.split("products.")[1], f.code) for f in findings}
    assert ("zlib.gpu.rocm", "no-backend-support") in codes
    assert ("zfp.spec", "unknown-variant") in codes
    assert ("nosuchpkg.spec", "unknown-package") in codes
    assert not any(loc.startswith("kokkos") for loc, _ in codes)
