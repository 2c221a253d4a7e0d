"""The committed environments/<target>/spack.yaml, coverage matrix and catalogue must be
what the generator produces from the committed catalogue and profiles."""

import json
import os

from peso.report.coverage import to_markdown
from peso.stack.generate.coverage import coverage_matrix
from peso.stack.generate.environment import generate
from peso.stack.generate.model import find_target, load_catalog, target_names
from peso.stack.generate.plan import context, flavors, when_matches

REGEN = (
    "regenerate: for t in %s; do python -m peso stack generate --target=$t "
    "--format definitions; done; python -m peso stack coverage"
)


def test_every_target_has_a_fresh_committed_stack(envdir):
    names = target_names(envdir)
    assert {
        "frontier",
        "aurora",
        "sunspot",
        "perlmutter",
        "polaris",
        "el-capitan",
        "tuolumne",
        "x86_64_v3",
        "neoverse_v2",
    } <= set(names)
    stale = []
    for name in names:
        path, text, entries, target = generate(name, envdir=envdir, write=False, fmt="definitions")
        committed = os.path.join(envdir, name, "spack.yaml")
        if not os.path.exists(committed) or open(committed, encoding="utf-8").read() != text:
            stale.append(name)
    assert not stale, "stale rendered stacks: %s; %s" % (stale, REGEN % " ".join(names))


def test_coverage_matrix_is_fresh(envdir):
    matrix = coverage_matrix(envdir=envdir)
    with open(os.path.join(envdir, "coverage.json"), encoding="utf-8") as f:
        assert json.load(f) == json.loads(json.dumps(matrix)), (
            "coverage.json stale: run `python -m peso stack coverage`"
        )
    with open(os.path.join(envdir, "coverage.md"), encoding="utf-8") as f:
        assert f.read() == to_markdown(matrix)
    statuses = {c["status"] for p in matrix["products"].values() for t in p.values() for c in t.values()}
    assert {"built", "skipped", "unsupported"} <= statuses


def test_catalogue_size_and_shape(envdir):
    cat = load_catalog(os.path.join(envdir, "catalog", "e4s.yaml"))
    assert len(cat.products) >= 160
    kokkos = cat.product("kokkos")
    assert set(kokkos.gpu) == {"cuda", "rocm", "sycl"}
    assert cat.product("tau").gpu["cuda"]["tokens"] == "switch"  # NOARCH
    assert all(p.tags for p in cat.products)
    # a known issue that matches no target profile and flavour is dead data
    contexts = [context(t, f) for t in (find_target(n, envdir) for n in target_names(envdir)) for f in flavors(t)]
    dead = [
        (p.name, i["when"])
        for p in cat.products
        for i in p.known_issues
        if not any(when_matches(i["when"], c) for c in contexts)
    ]
    assert dead == []


def test_every_known_issue_says_why_where_and_when(envdir):
    cat = load_catalog(os.path.join(envdir, "catalog", "e4s.yaml"))
    issues = [i for p in cat.products for i in p.known_issues]
    assert issues and all(i["reason"].strip() and i["source"].strip() and i["date"] for i in issues)


def test_a_product_added_by_hand_is_rendered(envdir, tmp_path):
    """Adding a product is one edit to the catalogue plus a re-render."""
    with open(os.path.join(envdir, "catalog", "e4s.yaml"), encoding="utf-8") as f:
        text = f.read()
    edited = tmp_path / "e4s.yaml"
    edited.write_text(text + "- name: hiop\n  spec: hiop +raja\n  tags: [math]\n  gpu:\n    cuda: {tokens: none}\n")
    _, before, _, _ = generate("perlmutter", envdir=envdir, write=False, fmt="definitions")
    path, after, entries, _ = generate(
        "perlmutter", catalog=str(edited), envdir=envdir, out_dir=str(tmp_path / "perlmutter"), fmt="definitions"
    )
    assert "- hiop" not in before
    assert "- hiop +raja\n" in after
    assert [(e.flavor, e.status) for e in entries if e.product == "hiop"] == [("cpu", "built"), ("cuda", "built")]
    assert open(path, encoding="utf-8").read() == after


def test_drift_report_names_what_was_edited_by_hand(envdir, spack_packages, tmp_path, repo_root):
    """The seed tool is a one-time import; the drift report shows edits and never fails."""
    import subprocess
    import sys

    import yaml

    with open(os.path.join(envdir, "catalog", "e4s.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    zfp = next(p for p in doc["products"] if p["name"] == "zfp")
    zfp["spec"] = "zfp +aligned"
    doc["products"].append({"name": "hiop", "spec": "hiop", "tags": ["math"]})
    edited = tmp_path / "e4s.yaml"
    edited.write_text(yaml.safe_dump(doc))
    proc = subprocess.run(
        [sys.executable, os.path.join(repo_root, "tools", "catalog_drift.py"), spack_packages, str(edited)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "  zfp: spec: catalogue 'zfp +aligned', stacks 'zfp'" in lines
    assert "  hiop: only in the catalogue (no hand-made stack has it)" in lines


def test_every_target_has_a_recheck_report_of_its_current_skips(envdir):
    """``environments/<target>/known-issues-recheck.yaml`` re-tests exactly the skips the
    committed catalogue makes on that target (same product, flavour and reason), so a
    catalogue edit that adds or rewords a skip cannot leave an old report behind."""
    import yaml

    from peso.stack.generate.recheck import skipped_entries

    catalog = load_catalog(os.path.join(envdir, "catalog", "e4s.yaml"))
    stale = []
    for name in target_names(envdir):
        skips = {
            (w.product, w.flavor, issue["reason"]) for w, issue in skipped_entries(catalog, find_target(name, envdir))
        }
        path = os.path.join(envdir, name, "known-issues-recheck.yaml")
        if not os.path.exists(path):
            stale.append(name)
            continue
        with open(path, encoding="utf-8") as f:
            report = yaml.safe_load(f)
        rows = {(r["product"], r["flavor"], r["issue"]["reason"]) for r in report["skips"]}
        assert all(r["verdict"] != "no-verdict" for r in report["skips"]), path
        if rows != skips:
            stale.append(name)
    assert not stale, "stale recheck reports: %s; python -m peso stack known-issues --recheck --target T" % stale
