"""Rendering rules: what the generated spack.yaml must contain, and why."""

import yaml

from peso.stack.generate.environment import generate
from peso.stack.generate.plan import gpu_spec, with_tokens_before_compiler
from peso.stack.generate.render import rocm_externals


def _doc(envdir, target, **kw):
    path, text, entries, t = generate(target, envdir=envdir, write=False, fmt="definitions", **kw)
    return yaml.safe_load(text)["spack"], text, entries


def test_gpu_tokens_go_before_dependencies_and_compilers():
    assert gpu_spec("arborx ^kokkos", "cuda", "80") == "arborx +cuda cuda_arch=80 ^kokkos"
    assert (
        gpu_spec("cabana ^kokkos +wrapper {gpu}", "rocm", "gfx90a")
        == "cabana +rocm amdgpu_target=gfx90a ^kokkos +wrapper +rocm amdgpu_target=gfx90a"
    )
    assert gpu_spec("tau +mpi", "cuda", "90", tokens="switch") == "tau +mpi +cuda"
    assert (
        gpu_spec("kokkos-fft device_backend=hipfft ^kokkos {gpu}", "rocm", "gfx942", tokens="none")
        == "kokkos-fft device_backend=hipfft ^kokkos +rocm amdgpu_target=gfx942"
    )
    assert (
        with_tokens_before_compiler("cray-mpich@8.1.31 %gcc", "+rocm amdgpu_target=gfx90a")
        == "cray-mpich@8.1.31 +rocm amdgpu_target=gfx90a %gcc"
    )


def test_frontier_packages_section(envdir):
    spack, text, entries = _doc(envdir, "frontier")
    pk = spack["packages"]
    assert pk["all"]["require"] == ["target=zen3"]
    assert "amdgpu_target=gfx90a" in pk["all"]["variants"]
    # profile-owned pieces are override keys with buildable: false
    mpich = pk["cray-mpich:"]
    assert mpich["buildable"] is False
    assert mpich["externals"][0]["spec"] == "cray-mpich@8.1.31 +rocm amdgpu_target=gfx90a %gcc"
    assert (
        pk["gcc:"]["externals"][0]["extra_attributes"]["compilers"]["fortran"] == "/opt/cray/pe/gcc/12.2.0/bin/gfortran"
    )
    assert pk["mpi"] == {"require": ["cray-mpich"]}
    assert "cray-mpich" not in pk and "gcc" not in pk
    # ROCm externals derived from version + prefix
    assert pk["hip:"]["externals"][0] == {"spec": "hip@6.2.4", "prefix": "/opt/rocm-6.2.4"}
    assert pk["llvm-amdgpu:"]["externals"][0]["prefix"] == "/opt/rocm-6.2.4/llvm"
    assert "hipblas-common:" not in pk  # only from ROCm 6.3 on
    # a per-package require on a real package re-gives the target; virtuals do not
    assert pk["paraview"]["require"][-1] == "target=zen3"
    assert all("target=" not in r for r in pk["tbb"]["require"])
    assert spack["concretizer"]["targets"]["host_compatible"] is False
    assert spack["specs"] == ["$cpu_specs", "$rocm_specs"]
    rocm = next(d["rocm_specs"] for d in spack["definitions"] if "rocm_specs" in d)
    assert "kokkos +rocm amdgpu_target=gfx90a" in rocm
    assert all("cuda_arch" not in s for s in rocm)


def test_rocm7_components_move_llvm():
    owned = rocm_externals("7.2.3", "/opt/rocm-7.2.3")
    assert owned["llvm-amdgpu"]["externals"][0]["prefix"] == "/opt/rocm-7.2.3/lib/llvm"
    assert owned["rocm-opencl"]["externals"][0]["prefix"] == "/opt/rocm-7.2.3/opencl"
    assert "hipblas-common" in owned and len(owned) >= 36
    assert all(e["buildable"] is False for e in owned.values())
    assert owned["rccl"]["externals"][0]["spec"] == "rccl@7.2.3"  # no arch given: none written


def test_rocm_libraries_carry_the_gpu_arch_dependents_require():
    """aluminum depends on ``rccl amdgpu_target=<arch>``: an external without the arch
    cannot satisfy it (lbann +rocm failed to concretize on frontier that way)."""
    owned = rocm_externals("6.2.4", "/opt/rocm-6.2.4", arch="gfx90a")
    assert owned["rccl"]["externals"][0]["spec"] == "rccl@6.2.4 amdgpu_target=gfx90a"
    assert owned["hipcub"]["externals"][0]["spec"] == "hipcub@6.2.4 amdgpu_target=gfx90a"
    assert owned["hip"]["externals"][0]["spec"] == "hip@6.2.4"  # hip has no such variant
    assert owned["llvm-amdgpu"]["externals"][0]["spec"] == "llvm-amdgpu@6.2.4"


def test_known_issue_skips_and_lists_reason(envdir):
    spack, text, entries = _doc(envdir, "neoverse_v2")
    cuda = next(d["cuda_specs"] for d in spack["definitions"] if "cuda_specs" in d)
    assert not any(s.startswith("py-torch ") for s in cuda)  # installed by other means there
    header = text.split("spack:")[0]
    assert "py-torch (cuda): a site choice, not a Spack failure" in header
    assert any(s.startswith("py-torch") for s in next(d["cpu_specs"] for d in spack["definitions"] if "cpu_specs" in d))


def test_only_and_tags_select(envdir):
    spack, _, entries = _doc(envdir, "perlmutter", only=["kokkos", "zfp"])
    assert {e.product for e in entries} == {"kokkos", "zfp"}
    assert spack["definitions"][1]["cuda_specs"] == ["kokkos +wrapper +cuda cuda_arch=80", "zfp +cuda cuda_arch=80"]
    _, _, entries = _doc(envdir, "x86_64_v3", tags=["io"])
    assert entries and "hdf5" in {e.product for e in entries}
    assert "kokkos" not in {e.product for e in entries}


def test_rendering_is_deterministic(envdir):
    a = _doc(envdir, "aurora")[1]
    b = _doc(envdir, "aurora")[1]
    assert a == b


def test_groups_format_for_newer_spack(envdir):
    path, text, entries, t = generate("frontier", envdir=envdir, write=False, fmt="groups", only=["kokkos"])
    specs = yaml.safe_load(text)["spack"]["specs"]
    assert specs[0] == {"group": "cpu", "specs": ["kokkos +openmp"]}
    assert specs[1]["group"] == "rocm-gfx90a"
    assert specs[1]["override"]["packages"]["all"]["prefer"] == ["+rocm", "amdgpu_target=gfx90a"]


def test_catalogue_without_gpu_renders_for_host(tmp_path, envdir):
    cat = tmp_path / "demo.yaml"
    cat.write_text(
        "schema: peso-catalog/v1\nname: demo\nrepos: [../repo]\n"
        "products:\n- {name: peso-demo-lib, spec: peso-demo-lib}\n"
    )
    out = tmp_path / "out"
    path, text, entries, target = generate("host", catalog=str(cat), out_dir=str(out), envdir=envdir)
    doc = yaml.safe_load(open(path))["spack"]
    assert doc["specs"] == ["$cpu_specs"]
    assert doc["definitions"] == [{"cpu_specs": ["peso-demo-lib"]}]
    assert doc["repos"] == [str(tmp_path.parent / "repo")] or doc["repos"][0].endswith("/repo")
    # the host's compilers are written as externals so no `spack compiler find` is needed
    gcc = doc["packages"]["gcc:"]["externals"][0]
    assert gcc["spec"].startswith("gcc@") and gcc["extra_attributes"]["compilers"]["c"]


def test_a_root_repeated_by_a_flavour_without_gpu_tokens_is_listed_once(envdir):
    """hdf5 is in the hand-made ROCm stack without GPU variants: in definitions format the
    rocm list would repeat the cpu root, so it is listed once and the header says so; spec
    groups keep it, since their override makes it another concretization."""
    spack, text, entries = _doc(envdir, "frontier", only=["hdf5", "kokkos"])
    lists = {k: v for d in spack["definitions"] for k, v in d.items()}
    assert lists["cpu_specs"].count("hdf5") == 1 and "hdf5" not in lists["rocm_specs"]
    assert "kokkos +rocm amdgpu_target=gfx90a" in lists["rocm_specs"]
    assert "# listed once (same root as an earlier flavour): hdf5 (rocm)" in text
    assert {(e.product, e.flavor) for e in entries if e.status == "built"} >= {("hdf5", "rocm")}
    path, text, entries, t = generate("frontier", envdir=envdir, write=False, fmt="groups", only=["hdf5"])
    groups = yaml.safe_load(text)["spack"]["specs"]
    assert [g["specs"] for g in groups] == [["hdf5"], ["hdf5"]] and "listed once" not in text
