"""Evidence for the policies about the product rather than its build: E4S DocPortal
metadata (P5) and whether a product can use MPI at all (xSDK M3)."""

import os

from peso.policy.evaluate import NEEDS_EVIDENCE, PASS
from peso.policy.evidence import collect, docportal, mpi_use
from test_ladder import cell, obs

DOCPORTAL_ENTRY = """\
- e4s_product: {name}
  docs: [README.md, LICENSE]
  Area: "Math Libraries"
{extra}"""


def documenter(tmp_path, products):
    """An E4S-Documenter checkout as the DocPortal generator reads it: data/<dir>/e4s.yaml."""
    top = tmp_path / "E4S-Documenter"
    for folder, (name, extra) in products.items():
        path = top / "data" / folder / "e4s.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(DOCPORTAL_ENTRY.format(name=name, extra=extra))
    (top / "data" / "e4s_products.yaml").write_text("- repo_url: https://github.com/example/szx\n")
    return top


def test_docportal_metadata_is_matched_by_spack_name_product_or_folder(tmp_path):
    top = documenter(tmp_path, {
        "SZX": ("szx", ""),                                   # the product's name, any case
        "pytorch-dir": ("pytorch", "  spack_name: py-torch\n"),  # the Spack name it gives
        "core": ("core", "  spack_name: pumi\n"),
        "Other": ("other-product", ""),                       # not one of ours
    })
    # another tool's e4s.yaml (not a list of DocPortal entries) is left alone
    (top / "data" / "weird").mkdir()
    (top / "data" / "weird" / "e4s.yaml").write_text("name: hypre\n")
    packages = {"szx": "", "py-torch": "", "pumi": "", "hypre": "", "py-pandas": ""}
    evidence = collect([str(top)], packages)
    found = {o.package: o for ps in evidence.by_package.values() for o in ps if o.fact == "docportal.metadata"}
    assert set(found) == {"szx", "py-torch", "pumi"}
    assert found["py-torch"].value == "present"
    assert found["py-torch"].source.endswith(os.path.join("pytorch-dir", "e4s.yaml") + ":1")
    assert "'pytorch'" in found["py-torch"].detail and "README.md" in found["py-torch"].detail
    assert found["szx"].date  # the file's date


def test_p5_passes_on_docportal_metadata_and_an_absent_e4s_yaml_decides_nothing():
    assert cell("E4S-P5", [obs("docportal.metadata", "present")]).status == PASS
    # the DocPortal may keep a product's metadata itself: absence from one source is no fail
    assert cell("E4S-P5", [obs("source.e4s_metadata", "absent")]).status == NEEDS_EVIDENCE
    assert cell("E4S-P5", [obs("source.e4s_metadata", "absent"), obs("docportal.metadata", "present")]).status == PASS


class FakeRepo:
    """Spack's repository as mpi_use reads it: package classes with ``dependencies``
    (condition -> name -> dependency with a ``depflag``) and virtual names."""

    LINK, RUN, BUILD = 1, 2, 4

    def __init__(self, graph, virtuals=("mpi", "blas", "scalapack")):
        self.graph = graph
        self.virtuals = set(virtuals)

    def is_virtual(self, name):
        return name in self.virtuals

    def get_pkg_class(self, name):
        if name not in self.graph:
            raise KeyError(name)

        class Dep:
            def __init__(self, flag):
                self.depflag = flag

        class Cls:
            dependencies = {when: {d: Dep(flag) for d, flag in deps.items()}
                            for when, deps in self.graph[name].items()}
        return Cls


def test_mpi_is_found_through_any_condition_and_any_concrete_dependency():
    L, R, B = FakeRepo.LINK, FakeRepo.RUN, FakeRepo.BUILD
    repo = FakeRepo({
        "serial": {"": {"blas": L, "cmake": B}},
        "openblas": {"+mpi": {"mpi": L}},        # a BLAS using MPI on its own behalf
        "cmake": {"": {"mpi": L}},               # build-only dependencies are not followed
        "variant-mpi": {"+mpi": {"mpi": L}},     # MPI behind a variant still counts
        "via-hdf5": {"": {"hdf5": L}},
        "hdf5": {"+mpi": {"mpi": L}},
        "tool": {"": {"scalapack": R}},          # an MPI-based interface
        "broken": {"": {"missing": L}},
    })
    graph = mpi_use.Graph(repo, L | R)
    assert graph.mpi_path("serial") is None
    assert graph.mpi_path("variant-mpi") == ["variant-mpi", "mpi"]
    assert graph.mpi_path("via-hdf5") == ["via-hdf5", "hdf5", "mpi"]
    assert graph.mpi_path("tool") == ["tool", "scalapack"]
    assert "?" in graph.mpi_path("broken")  # unreadable: unknown, never "no MPI"


def test_m3_is_not_applicable_without_mpi_and_undecided_with_it():
    assert cell("xSDK-M3", [obs("recipe.mpi", "none")]).status == PASS
    assert "not applicable" in cell("xSDK-M3", [obs("recipe.mpi", "none")]).explanation
    for value in ("direct", "through-dependency"):
        result = cell("xSDK-M3", [obs("recipe.mpi", value)])
        assert result.status == NEEDS_EVIDENCE and result.to_decide
