"""Evidence about the product rather than its build: E4S DocPortal metadata (P5), whether
a product can use MPI at all (xSDK M3), and the product's own xSDK compatibility table
(self-reports, cited by line and counted apart from decided cells)."""

import dataclasses
import json
import os

import evidence_data as ed
import pytest
from test_ladder import cell, obs

from peso.errors import PesoError
from peso.policy.evaluate import NEEDS_EVIDENCE, PASS
from peso.policy.evidence import collect, mpi_use

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
    top = documenter(
        tmp_path,
        {
            "SZX": ("szx", ""),  # the product's name, any case
            "pytorch-dir": ("pytorch", "  spack_name: py-torch\n"),  # the Spack name it gives
            "core": ("core", "  spack_name: pumi\n"),
            "Other": ("other-product", ""),  # not one of ours
            "superlu_dist": ("superlu", ""),  # named superlu, made from superlu_dist's repository
        },
    )
    # another tool's e4s.yaml (not a list of DocPortal entries) is left alone
    (top / "data" / "weird").mkdir()
    (top / "data" / "weird" / "e4s.yaml").write_text("name: hypre\n")
    packages = {"szx": "", "py-torch": "", "pumi": "", "hypre": "", "py-pandas": "", "superlu": "", "superlu-dist": ""}
    evidence = collect([str(top)], packages)
    found = {o.package: o for ps in evidence.by_package.values() for o in ps if o.fact == "docportal.metadata"}
    assert set(found) == {"szx", "py-torch", "pumi", "superlu-dist"}
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
            def __init__(self, name, flag):
                self.depflag = flag
                self.spec = name  # str(spec) is what mpi_use reads

        class Cls:
            dependencies = {
                when: {d.split("+")[0]: Dep(d, flag) for d, flag in deps.items()}
                for when, deps in self.graph[name].items()
            }

        return Cls


def test_mpi_is_found_through_any_condition_and_any_concrete_dependency():
    L, R, B = FakeRepo.LINK, FakeRepo.RUN, FakeRepo.BUILD
    repo = FakeRepo(
        {
            "serial": {"": {"blas": L, "cmake": B}},
            "openblas": {"+mpi": {"mpi": L}},  # a BLAS using MPI on its own behalf
            "cmake": {"": {"mpi": L}},  # build-only dependencies are not followed
            "variant-mpi": {"+mpi": {"mpi": L}},  # MPI behind a variant still counts
            "via-hdf5": {"": {"hdf5": L}},
            "hdf5": {"+mpi": {"mpi": L}},
            "tool": {"": {"scalapack": R}},  # an MPI-based interface
            "broken": {"": {"missing": L}},
            "generator": {"": {"spiral+fftx+mpi": L}},  # asks its dependency for MPI support
            "spiral": {},
        }
    )
    graph = mpi_use.Graph(repo, L | R)
    assert graph.mpi_path("serial") is None
    assert graph.mpi_path("variant-mpi") == ["variant-mpi", "mpi"]
    assert graph.mpi_path("via-hdf5") == ["via-hdf5", "hdf5", "mpi"]
    assert graph.mpi_path("tool") == ["tool", "scalapack"]
    assert "?" in graph.mpi_path("broken")  # unreadable: unknown, never "no MPI"
    assert graph.mpi_path("generator") == ["generator", "+mpi of spiral"]


def test_m3_is_not_applicable_without_mpi_and_undecided_with_it():
    assert cell("xSDK-M3", [obs("recipe.mpi", "none")]).status == PASS
    assert "not applicable" in cell("xSDK-M3", [obs("recipe.mpi", "none")]).explanation
    for value in ("direct", "through-dependency"):
        result = cell("xSDK-M3", [obs("recipe.mpi", value)])
        assert result.status == NEEDS_EVIDENCE and result.to_decide


XSDK_DOC = """\
# xSDK Community Policy Compatibility for *szx*

### Mandatory Policies

| Policy                 |Support| Notes                   |
|------------------------|-------|-------------------------|
|**M1.** Support xSDK community GNU Autoconf or CMake options. |Full| an old statement, not today's M1 |
|**M3.** Employ user provided MPI communicator (no MPI_COMM_WORLD). |Partial| szx still calls MPI_COMM_WORLD in one place. |
|**M6.** Respect system resources and settings made by other previously called packages (e.g. signal handling). |Not Applicable| no handlers |
|**M13.** Install headers and libraries under \\<prefix\\>/include and \\<prefix\\>/lib. |Full| None. |

### Recommended Policies

| Policy                 |Support| Notes                   |
|------------------------|-------|-------------------------|
|**R1.** Have a public repository. |Full| https://github.com/example/szx |
|**R2.** Possible to run test suite under valgrind in order to test for memory corruption issues. |None| not tried |
|**R8.** Provide sufficient documentation to support use and further development. |*Partial*| a wiki |
"""


def test_an_xsdk_markdown_document_is_read_by_statement_not_by_number(tmp_path):
    from peso.policy import xsdk_doc

    path = tmp_path / "szx-policy-compatibility.md"
    path.write_text(XSDK_DOC)
    rows = xsdk_doc.read_claims(str(path))
    # the old M1 statement is another policy: not read; old R1 and R8 are today's M10 and M17
    # E4S FP4 states R2's requirement word for word: the R2 row answers it too
    assert {pid: row["status"] for pid, row in rows.items()} == {
        "xSDK-M3": 1,
        "xSDK-M6": 2,
        "xSDK-M13": 2,
        "xSDK-M10": 2,
        "xSDK-R2": 1,
        "xSDK-M17": 1,
        "E4S-FP4": 1,
    }
    assert rows["E4S-FP4"]["line"] == rows["xSDK-R2"]["line"] and "the xSDK-R2 row" in rows["E4S-FP4"]["notes"]
    assert rows["xSDK-M3"]["line"] == 8 and "MPI_COMM_WORLD in one place" in rows["xSDK-M3"]["notes"]
    empty = tmp_path / "empty-policy-compatibility.md"
    empty.write_text("# nothing here\n")
    with pytest.raises(PesoError) as e:
        xsdk_doc.read_claims(str(empty))
    assert str(empty) in str(e.value) and "no xSDK policy rows" in str(e.value) and "\n" not in str(e.value)


def test_self_reports_cite_their_line_and_are_counted_apart_from_decided_cells(tmp_path):
    from peso.policy.compat import apply_claims
    from peso.policy.definitions import load_policies
    from peso.policy.evaluate import evaluate_product, new_report
    from peso.policy.run import own_claims
    from peso.report import policy_docs as writers

    path = tmp_path / "szx-policy-compatibility.md"
    path.write_text(XSDK_DOC)
    policies = [p for p in load_policies() if p.id in ("xSDK-M3", "xSDK-M13", "xSDK-R2")]
    product = evaluate_product(
        "szx", "szx", "szx/package.py", [], policies, observations=[obs("prefix.layout", "versioned-name")]
    )
    claimed, where = own_claims(str(path))
    found = apply_claims(product, claimed, str(path), where)
    m3 = product.results["xSDK-M3"]
    assert m3.status == NEEDS_EVIDENCE and m3.source == "self-reported" and m3.claimed == 1
    cited = [o for o in m3.observations if o["fact"] == "self-report"][0]
    assert cited["source"].endswith("szx-policy-compatibility.md:8") and cited["date"]
    assert cited["value"] == "Incomplete" and "Support: Partial" in cited["detail"]
    # the product says M13 is met; its prefix shows a version in a library name
    assert [pid for pid, _ in found] == ["xSDK-M13"]
    report = new_report(policies, [product])
    assert report.self_reported() == {"xSDK-M3": 1, "xSDK-M13": 0, "xSDK-R2": 1}
    assert "decided: 1 of 3 cells (33.3%)" in writers.decided_line(report)
    assert "self-reported by the products' own documents 2 more (100.0% with them)" in writers.decided_line(report)


def test_no_library_decides_neither_a_library_policy_nor_its_xsdk_twin():
    # FLP2/FLP4 apply to libraries, their xSDK twins M11/R4 to every package; one verdict
    # for both, so installing no library passes neither
    for pid, twin in (("E4S-FLP2", "xSDK-M11"), ("E4S-FLP4", "xSDK-R4")):
        assert cell(pid, [obs("prefix.layout", "nothing")]).status == NEEDS_EVIDENCE
        assert cell(twin, [obs("prefix.layout", "nothing")]).status == NEEDS_EVIDENCE
        assert cell(pid, [obs("prefix.layout", "ok")]).status == NEEDS_EVIDENCE
        assert cell(pid, [obs("prefix.layout", "not-native")]).status == NEEDS_EVIDENCE


def test_compat_dir_reads_an_xsdk_table_and_the_documents_cite_its_line(tmp_path):
    """As a curator runs it: a folder of xSDK tables (``<product>-policy-compatibility.md``)."""
    import yaml
    from policy_data import REPO
    from test_report import peso

    docs = tmp_path / "xsdk"
    docs.mkdir()
    (docs / "szx-policy-compatibility.md").write_text(XSDK_DOC)
    proc = peso("policy", "report", "szx", "--repo", REPO, "-o", str(tmp_path / "o"), "--compat-dir", str(docs))
    assert proc.returncode in (0, 1), proc.stderr
    assert "self-reported by the products' own documents" in proc.stdout + proc.stderr
    doc = yaml.safe_load((tmp_path / "o" / "compat" / "szx.yaml").read_text())
    m3 = [e for e in doc["xsdk_policies"] if e["id"] == "xSDK-M3"][0]
    assert m3["status_source"] == "self-reported" and m3["policy_status"] == 1
    cited = [e for e in m3["evidence"] if e.get("fact") == "self-report"][0]
    assert cited["location"].endswith("szx-policy-compatibility.md:8") and cited["date"]


def test_m6_passes_only_when_no_library_can_change_the_settings():
    assert cell("xSDK-M6", [obs("prefix.settings", "untouched")]).status == PASS
    for value in ("changes", "nothing", "not-native"):
        assert cell("xSDK-M6", [obs("prefix.settings", value)]).status == NEEDS_EVIDENCE


def test_a_table_filed_under_another_name_is_found(tmp_path):
    """The xSDK repository files some tables under another name than the Spack package."""
    from peso.policy.products import Product, attach_documents

    (tmp_path / "trillinos-policy-compatibility.md").write_text(XSDK_DOC)
    (tmp_path / "szx-policy-compatability.md").write_text(XSDK_DOC)
    products = [Product("trilinos", "trilinos", ""), Product("szx", "szx", ""), Product("other", "other", "")]
    attach_documents(products, str(tmp_path))
    assert [os.path.basename(p.compat) for p in products] == [
        "trillinos-policy-compatibility.md",
        "szx-policy-compatability.md",
        "",
    ]


def _stack(tmp_path, specs, target="frontier"):
    folder = tmp_path / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spack.yaml").write_text("spack:\n  specs:\n" + "".join("  - %s\n" % s for s in specs))
    return folder


def test_a_check_record_is_dated_by_its_commit_or_else_said_to_be_a_file_time(tmp_path):
    import subprocess

    folder = _stack(tmp_path, ["szx"])
    ed.write_check_record(folder / "check.jsonl", {"szx": True})
    (found,) = collect([str(folder)], {"szx": ""}).of("szx")
    assert found.date_kind == "file modified" and found.date
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e.org", "-C", str(tmp_path)]
    subprocess.run(git[:5] + ["init", "-q", str(tmp_path)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-03-04T05:06:07+00:00", GIT_AUTHOR_DATE="2026-03-04T05:06:07+00:00")
    subprocess.run(git + ["commit", "-q", "-m", "records"], check=True, env=env)
    from peso.policy.evidence import _commit_date

    _commit_date.cache_clear()
    (found,) = collect([str(folder)], {"szx": ""}).of("szx")
    assert (found.date, found.date_kind) == ("2026-03-04T05:06:07Z", "committed")


def test_evidence_of_another_spec_target_or_hash_is_stale_and_decides_nothing(tmp_path):
    folder = _stack(tmp_path, ["szx +openmp", "alpaka"])
    ed.write_check_record(folder / "check.jsonl", {"szx": True, "szx+openmp": True, "alpaka": True})
    other = _stack(tmp_path, ["alpaka"], target="aurora")
    ed.write_check_record(other / "check.jsonl", {"alpaka": True})
    ed.write_build_record(folder, {"alpaka": "BUILT"}, target="frontier")
    stack = str(folder / "spack.yaml")
    evidence = collect([str(tmp_path)], {"szx": "", "alpaka": ""}, stack=stack)
    szx = {o.spec: o.stale for o in evidence.of("szx") if o.fact == "concretize"}
    assert szx["szx+openmp"] == ""  # the same spec, spelt without the space
    assert "the stack now asks for 'szx +openmp'" in szx["szx"]
    alpaka = [o for o in evidence.of("alpaka") if o.fact == "concretize"]
    assert sorted(bool(o.stale) for o in alpaka) == [False, True]
    assert any("evidence of target aurora, not of this stack's frontier" in o.stale for o in alpaka)
    # a spack.lock made from these roots with another hash for alpaka: its build is stale
    lock = {"roots": [{"hash": "f" * 32, "spec": "szx +openmp"}, {"hash": "9" * 32, "spec": "alpaka"}]}
    (folder / "spack.lock").write_text(json.dumps(lock))
    evidence = collect([str(tmp_path)], {"szx": "", "alpaka": ""}, stack=stack)
    (built,) = [o for o in evidence.of("alpaka") if o.fact == "build"]
    assert built.date_kind == "produced" and "spack.lock now has 9999999" in built.stale
    assert cell("E4S-P1", [built]).status == NEEDS_EVIDENCE  # a stale build passes nothing
    assert cell("E4S-P1", [dataclasses.replace(built, stale="")]).status == PASS


def test_a_stack_is_of_the_target_its_header_names_whatever_its_folder(tmp_path):
    """A rendered stack in a folder of any name (``env-real/``) is of the target its
    generated header names; check records beside it are evidence of that target."""
    from peso.stack.generate.envfile import target_of

    folder = tmp_path / "env-real"
    folder.mkdir()
    (folder / "spack.yaml").write_text(
        "# Generated by spack-peso\n# target: debian12 (debian12, x86_64)\nspack:\n  specs: [szx]\n"
    )
    assert target_of(str(folder / "spack.yaml")) == "debian12"
    records = _stack(tmp_path, ["szx"], target="debian12")
    ed.write_check_record(records / "check.jsonl", {"szx": True})
    (found,) = collect([str(records)], {"szx": ""}, stack=str(folder / "spack.yaml")).of("szx")
    assert found.stale == ""
    assert target_of(str(records / "spack.yaml")) == "debian12"  # no header: its folder


def test_evidence_of_another_stack_is_one_line(tmp_path):
    other = _stack(tmp_path / "elsewhere", ["alpaka"], target="aurora")
    ed.write_check_record(other / "check.jsonl", {"alpaka": True})
    ours = _stack(tmp_path, ["alpaka"])
    with pytest.raises(
        PesoError, match="records of another stack: its records are of target aurora, the stack is frontier"
    ):
        collect([str(other)], {"alpaka": ""}, stack=str(ours / "spack.yaml"))
    with pytest.raises(PesoError, match="none of its 1 records names a product of this report") as refused:
        collect([str(other)], {"szx": ""})
    assert str(other) in str(refused.value)
    # beside evidence of this stack, another target's records are kept, stale
    ed.write_check_record(ours / "check.jsonl", {"alpaka": True})
    assert len(collect([str(tmp_path)], {"alpaka": ""}, stack=str(ours / "spack.yaml")).of("alpaka")) == 2


def test_only_docportal_metadata_counts_as_docportal_files(tmp_path):
    from peso.policy.evidence import discover
    from peso.policy.run import summary_of

    top = documenter(tmp_path, {"SZX": ("szx", "")})
    (tmp_path / "E4S-Documenter" / "catalog").mkdir()
    (tmp_path / "E4S-Documenter" / "catalog" / "e4s.yaml").write_text("products:\n- name: szx\n  spec: szx\n")
    evidence = collect([str(top)], {"szx": ""})
    assert len(discover([str(top)]).docportal) == 2
    assert summary_of(evidence)["DocPortal metadata files"] == 1
