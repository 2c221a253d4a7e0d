"""stack diff against the hand-made stacks, and the catalogue lint against recipes."""

import os

import pytest

from peso.stack.generate.catalog_lint import lint_catalog
from peso.stack.generate.diff import compare, diff_against

PAIRS = [
    ("x86_64_v3", "e4s"),
    ("neoverse_v2", "e4s-neoverse-v2"),
    ("aurora", "e4s-oneapi"),
    ("frontier", "e4s-rocm-external"),
]


@pytest.mark.parametrize("target,stack", PAIRS)
def test_rendering_reproduces_hand_made_roots(target, stack, spack_packages, envdir, monkeypatch):
    monkeypatch.setenv("PESO_ENVIRONMENTS", envdir)
    report = diff_against(target, os.path.join(spack_packages, "stacks", stack, "spack.yaml"))
    print(
        "%s vs stacks/%s: %.1f%% roots reproduced, missing %s"
        % (target, stack, report.reproduced_percent, report.missing)
    )
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
        "- {name: zlib, spec: zlib, gpu: {rocm: {}}}\n"  # zlib has no ROCm support
        "- {name: zfp, spec: zfp +nonsense}\n"  # unknown variant
        "- {name: kokkos, spec: kokkos, gpu: {cuda: {}}}\n"  # inherited from CudaPackage: fine
        "- {name: hypre, spec: hypre build_type=Debug}\n"  # CMakePackage variant? (hypre is autotools+cmake)
        "- {name: nosuchpkg, spec: nosuchpkg}\n"
    )
    findings, _ = lint_catalog(str(cat), repo=_recipes(spack_packages))
    codes = {(f.name.split("products.")[1], f.rule) for f in findings}
    assert ("zlib.gpu.rocm", "no-backend-support") in codes
    assert ("zfp.spec", "unknown-variant") in codes
    assert ("nosuchpkg.spec", "unknown-package") in codes
    assert not any(loc.startswith("kokkos") for loc, _ in codes)


def test_lint_finds_a_gpu_product_rendered_without_its_backend(tmp_path, spack_packages):
    """kokkos and cabana declare ``sycl`` in loops (cabana over ``Kokkos.devices_variants``);
    kokkos-kernels only reads ``Kokkos.versions`` and has no sycl switch."""
    cat = tmp_path / "c.yaml"
    cat.write_text(
        "schema: peso-catalog/v1\nproducts:\n"
        "- {name: kokkos, spec: kokkos +openmp, gpu: {sycl: {tokens: none}}}\n"
        "- {name: cabana, spec: cabana, gpu: {sycl: {spec: 'cabana ^kokkos {gpu}', tokens: none}}}\n"
        "- {name: kokkos-kernels, spec: kokkos-kernels, gpu: {sycl: {spec: 'kokkos-kernels ^kokkos {gpu}', tokens: none}}}\n"
        "- {name: amrex, spec: amrex, gpu: {sycl: {tokens: switch}}}\n"
        "- {name: aml, spec: aml, gpu: {sycl: {spec: aml +level_zero, tokens: none}}}\n"
    )
    findings, _ = lint_catalog(str(cat), repo=_recipes(spack_packages))
    assert sorted((f.name.split("products.")[1], f.rule) for f in findings) == [
        ("cabana.gpu.sycl", "backend-not-selected"),
        ("kokkos.gpu.sycl", "backend-not-selected"),
    ]


def test_lint_finds_a_variant_no_listed_version_has(tmp_path):
    recipes = tmp_path / "packages"
    (recipes / "toy").mkdir(parents=True)
    (recipes / "toy" / "package.py").write_text(
        "from spack.package import *\n\n\nclass Toy(Package):\n"
        '    version("19.0", sha256="0" * 64)\n    version("17.2", sha256="1" * 64)\n'
        '    variant("visit", default=False, when="@:16", description="d")\n'
        '    variant("mpi", default=True, when="@17:", description="d")\n'
        '    variant("old", default=False, when="@:17", description="d")\n'
        '    with when("@:1.0"):\n        variant("ancient", default=False, description="d")\n'
    )
    cat = tmp_path / "c.yaml"
    cat.write_text("schema: peso-catalog/v1\nproducts:\n- {name: toy, spec: toy +mpi ~visit +old ~ancient}\n")
    findings, _ = lint_catalog(str(cat), repo=str(recipes))
    assert {(f.path, f.line, f.package, f.severity) for f in findings} == {(str(cat), 3, "toy", "error")}
    assert [(f.rule, f.message) for f in findings] == [
        ("variant-on-no-version", "toy declares variant 'visit' only for versions it no longer lists (:16)"),
        ("variant-on-no-version", "toy declares variant 'ancient' only for versions it no longer lists (:1.0)"),
    ]
