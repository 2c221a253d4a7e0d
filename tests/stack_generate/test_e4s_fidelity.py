"""E4S fidelity down to the spec (issue 23): every difference between a rendered target and
E4S's own environments is gone or explained (a deliberate deviation, a known issue, a
recipe default), every flavour E4S comments out that we build says why, and every root
names where it comes from. Checked offline against the committed extract of E4S's
environments, which ``tools/e4s_extract.py`` writes."""

import os
import subprocess
import sys

import pytest
import yaml

from peso.errors import PesoError
from peso.report.coverage import to_markdown
from peso.stack.generate.catalog_lint import VariantIndex
from peso.stack.generate.coverage import coverage_matrix
from peso.stack.generate.e4s_diff import compare_release
from peso.stack.generate.e4s_import import proposals
from peso.stack.generate.e4s_release import committed_extract, extract, read_release
from peso.stack.generate.model import find_target, load_catalog, load_target, provenance_kind, target_names
from peso.stack.generate.plan import plan_product

ENV = "spack:\n  specs:\n%s"
TREE = {
    "x86_64/gnu/_config/packages.yaml": "packages:\n  all:\n    require: ['target=x86_64_v3']\n",
    "x86_64/gnu/cpu/spack.yaml": "spack:\n  include:\n  - ../_config/packages.yaml\n  specs:\n"
    "  - chai tests=none\n  - paraview +qt\n  - hypre +int64\n  # - nwchem      # ld: cannot find -lintl\n",
    "x86_64/gnu/cuda/80/spack.yaml": ENV
    % "  - hypre +cuda cuda_arch=80\n  # - petsc +cuda cuda_arch=80\n  # - fftx +cuda cuda_arch=80   # memset error\n",
}
CATALOGUE = """schema: peso-catalog/v1
products:
- {name: chai, spec: chai, provenance: stacks/e4s}
- name: paraview
  spec: paraview
  provenance: stacks/e4s
  deviations:
  - {when: {backend: [cpu]}, tokens: [+qt], reason: headless, source: the catalogue, date: '2026-12-05'}
- {name: hypre, spec: hypre, gpu: {cuda: {}}, provenance: stacks/e4s}
- name: nwchem
  spec: nwchem
  provenance: stacks/e4s
  known_issues:
  - {when: {backend: [cpu]}, reason: 'E4S: ld: cannot find -lintl', source: E4S, date: '2026-08-21', action: warn}
- name: petsc
  spec: petsc
  gpu: {cuda: {}}
  provenance: stacks/e4s
- {name: fftx, spec: fftx, gpu: {cuda: {}}, provenance: stacks/e4s}
- {name: papi, spec: papi}
"""


@pytest.fixture
def e4s_tree(write_e4s_tree):
    return write_e4s_tree(TREE)


@pytest.fixture
def perlmutter(envdir):
    return load_target(os.path.join(envdir, "targets", "perlmutter.yaml"))


def _catalogue(tmp_path, text=CATALOGUE):
    path = tmp_path / "catalogue.yaml"
    path.write_text(text)
    return load_catalog(str(path))


def _rows(e4s_tree, tmp_path, target, text=CATALOGUE, defaults=None):
    release = read_release(str(e4s_tree), target)
    report = compare_release(release, _catalogue(tmp_path, text), target, defaults=defaults or (lambda p: frozenset()))
    return report, {(r.product, r.flavor): r for r in report.rows}


def test_every_target_agrees_with_e4s_or_says_why(envdir):
    """The held-out check: the committed catalogue against the committed extract of E4S's
    environments, on every target profile: nothing unexplained, no rendered flavour E4S
    comments out without a reason, every extra root with a known source."""
    extract_path = os.path.join(envdir, "reference", "e4s-roots.yaml")
    catalog = load_catalog(os.path.join(envdir, "catalog", "e4s.yaml"))
    problems = []
    for name in target_names(envdir):
        target = find_target(name, envdir)
        report = compare_release(read_release(extract_path, target), catalog, target)
        problems += ["%s: %s [%s] %s" % (name, r.product, r.flavor, r.verdict) for r in report.unexplained()]
        for row in report.rows:
            if row.e4s_left_out and row.ours:
                assert row.verdict == "deviation" and all(d["reason"] for d in row.deviations), row
            if row.verdict == "extra":
                assert provenance_kind(row.provenance) != "unknown", row
            for deviation in row.deviations:
                assert deviation["source"] and deviation["date"], row
    assert not problems, "unexplained drift from E4S (stack diff --e4s --target T): %s" % problems


def test_the_committed_extract_names_its_commit_and_date(envdir):
    with open(os.path.join(envdir, "reference", "e4s-roots.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    assert doc["schema"] == "peso-e4s-extract/v1" and len(doc["commit"]) == 12 and doc["date"]
    assert all(env["specs"] for env in doc["environments"].values())


def test_an_extract_reads_back_as_the_tree_it_came_from(e4s_tree, perlmutter, tmp_path):
    subprocess.run(["git", "init", "-q", str(e4s_tree)], check=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(e4s_tree)]
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "e4s"], check=True)
    doc = extract(str(e4s_tree), [perlmutter])
    assert sorted(doc["environments"]) == ["x86_64/gnu/cpu", "x86_64/gnu/cuda/80"]
    assert doc["environments"]["x86_64/gnu/cpu"]["config_target"] == "x86_64_v3"
    assert len(doc["date"]) == 10
    path = tmp_path / "extract.yaml"
    path.write_text(yaml.safe_dump(doc))
    tree, stored = read_release(str(e4s_tree), perlmutter), read_release(str(path), perlmutter)
    assert stored.commit == tree.commit and stored.envs == tree.envs
    assert [(s.spec, s.flavor, s.comment) for s in stored.specs] == [(s.spec, s.flavor, s.comment) for s in tree.specs]
    assert [(s.spec, s.comment) for s in stored.commented] == [(s.spec, s.comment) for s in tree.commented]
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: something-else\n")
    with pytest.raises(PesoError, match="not an E4S extract"):
        read_release(str(bad), perlmutter)


def test_deviations_explain_only_their_tokens_and_defaults_are_no_drift(e4s_tree, perlmutter, tmp_path):
    report, rows = _rows(e4s_tree, tmp_path, perlmutter, defaults=lambda p: {"tests=none"} if p == "chai" else set())
    assert rows["chai", "cpu"].verdict == "same"  # tests=none is chai's default
    assert (
        rows["paraview", "cpu"].verdict == "deviation" and rows["paraview", "cpu"].deviations[0]["reason"] == "headless"
    )
    assert (rows["hypre", "cpu"].verdict, rows["hypre", "cpu"].only_e4s) == ("variants", ["+int64"])
    # a deviation scoped to another backend covers nothing here
    scoped = CATALOGUE.replace("when: {backend: [cpu]}, tokens: [+qt]", "when: {backend: [rocm]}, tokens: [+qt]")
    _, rows = _rows(e4s_tree, tmp_path, perlmutter, text=scoped)
    assert (rows["paraview", "cpu"].verdict, rows["paraview", "cpu"].only_e4s) == ("variants", ["+qt"])
    assert rows["chai", "cpu"].verdict == "variants"  # without the recipe's default it is drift


def test_a_flavour_e4s_comments_out_is_skipped_kept_on_purpose_or_unexplained(e4s_tree, perlmutter, tmp_path):
    report, rows = _rows(e4s_tree, tmp_path, perlmutter)
    # nwchem: built with E4S's reason as a known issue; petsc, fftx: built, nothing says why
    assert rows["nwchem", "cpu"].verdict == "deviation" and "lintl" in rows["nwchem", "cpu"].deviations[0]["reason"]
    assert rows["fftx", "cuda"].verdict == "left-out" and rows["fftx", "cuda"].note == "memset error"
    assert rows["petsc", "cuda"].verdict == "left-out" and rows["petsc", "cuda"].unexplained
    assert rows["papi", "cpu"].verdict == "extra" and rows["papi", "cpu"].unexplained  # no provenance
    assert rows["hypre", "cpu"].unexplained and not rows["paraview", "cpu"].unexplained
    # import-e4s proposes E4S's reason as a known issue, and asks for a reason otherwise
    by = {(p["product"], p["flavor"]): p for p in proposals(report, read_release(str(e4s_tree), perlmutter))}
    fftx = by["fftx", "cuda"]["proposed"]["known_issues"][0]
    assert (fftx["action"], fftx["reason"]) == ("skip", "E4S comments it out: memset error")
    assert fftx["when"] == {"target": ["perlmutter"], "backend": ["cuda"]}
    assert by["fftx", "cuda"]["source"].endswith("x86_64/gnu/cuda/80/spack.yaml")
    assert by["petsc", "cuda"]["proposed"]["deviations"][0]["e4s_leaves_out"] is True
    explained = CATALOGUE.replace(
        "  gpu: {cuda: {}}\n  provenance: stacks/e4s\n- {name: fftx",
        "  gpu: {cuda: {}}\n  provenance: stacks/e4s\n  deviations:\n"
        "  - {when: {backend: [cuda]}, e4s_leaves_out: true, reason: no failure known, source: E4S, date: '2026-12-05'}\n"
        "- {name: fftx",
    ).replace(
        "- {name: fftx, spec: fftx, gpu: {cuda: {}}, provenance: stacks/e4s}",
        "- name: fftx\n  spec: fftx\n  gpu: {cuda: {}}\n  provenance: stacks/e4s\n  known_issues:\n"
        "  - {when: {backend: [cuda]}, reason: 'E4S: memset error', source: E4S, date: '2026-08-21', action: skip}",
    )
    assert explained.count("e4s_leaves_out") == 1 and explained.count("memset") == 1
    report, rows = _rows(e4s_tree, tmp_path, perlmutter, text=explained)
    assert ("fftx", "cuda") not in rows  # skipped as E4S does: neither side builds it
    assert rows["petsc", "cuda"].verdict == "deviation"
    assert {(r.product, r.flavor) for r in report.unexplained()} == {("hypre", "cpu"), ("papi", "cpu"), ("chai", "cpu")}


def test_recipe_defaults_are_read_from_the_recipe_without_running_it(tmp_path):
    folder = tmp_path / "packages" / "thing"
    folder.mkdir(parents=True)
    (folder / "package.py").write_text(
        "from spack.package import *\n\n"
        "class Thing(CMakePackage):\n"
        "    variant('tests', default='none', values=('none', 'basic'))\n"
        "    variant('shared', default=True)\n"
        "    variant('cuda_fast', default=False, when='+cuda')\n"
        "    variant('twice', default=True)\n"
        "    variant('twice', default=False, when='@2:')\n"
        "    raise SystemExit('never executed')\n"
    )
    defaults = VariantIndex(str(tmp_path / "packages")).default_tokens("thing")
    assert defaults == {"tests=none", "+shared"}  # conditional and twice-declared: cannot tell


def test_an_override_reaches_a_gpu_flavour_only_when_it_names_the_backend(perlmutter, tmp_path):
    catalog = _catalogue(
        tmp_path,
        "schema: peso-catalog/v1\nproducts:\n- name: libpressio\n  spec: libpressio +sz\n"
        "  gpu: {cuda: {spec: libpressio +cusz, ref: stacks/e4s}}\n  overrides:\n"
        "  - {when: {target: [perlmutter]}, spec: libpressio +zfp, ref: 'site: nersc'}\n"
        "  - {when: {target: [perlmutter], backend: [cuda]}, spec: libpressio ~cusz, ref: E4S-Project/e4s x}\n",
    )
    product = catalog.product("libpressio")
    cpu, cuda = plan_product(product, perlmutter, "cpu"), plan_product(product, perlmutter, "cuda")
    assert (cpu.spec, cpu.provenance) == ("libpressio +zfp", "site: nersc")
    assert cuda.spec.startswith("libpressio ~cusz +cuda") and cuda.provenance == "E4S-Project/e4s x"
    assert provenance_kind(cpu.provenance) == "site profile"
    assert provenance_kind("somewhere") == "unknown"


def test_stack_diff_reads_the_committed_extract_and_exits_on_unexplained_drift(envdir, tmp_path):
    assert committed_extract() == os.path.join(envdir, "reference", "e4s-roots.yaml")
    run = [sys.executable, "-m", "peso", "stack", "diff", "--target=frontier", "--e4s"]
    proc = subprocess.run(run, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert "unexplained differences: 0" in proc.stdout and "b4be" not in proc.stderr
    with open(os.path.join(envdir, "catalog", "e4s.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    boost = next(p for p in doc["products"] if p["name"] == "boost")
    boost["spec"] = "boost +thread"  # drops E4S's +chrono
    edited = tmp_path / "e4s.yaml"
    edited.write_text(yaml.safe_dump(doc))
    proc = subprocess.run(run + ["--catalog", str(edited)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "! boost [cpu]: E4S only: +chrono; ours only: -" in proc.stdout


def test_the_coverage_report_names_where_each_root_comes_from(envdir):
    matrix = coverage_matrix(targets=["frontier"], envdir=envdir)
    text = to_markdown(matrix)
    assert "## Where each root flavour comes from" in text
    line = next(li for li in text.splitlines() if li.startswith("- tau: "))
    assert "E4S environment (E4S-Project/e4s)" in line
