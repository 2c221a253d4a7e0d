"""Inputs an adversarial user gives, each a regression case: one line and exit 2 (or a
finding), never a traceback, never a file outside the output folder."""

import os
import subprocess
import sys

import pytest
from peso_testing import ROOT


def peso(*argv, cwd):
    return subprocess.run(
        [sys.executable, "-m", "peso", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), PESO_CRASH_DIR=str(cwd / "crashes")),
        timeout=300,
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (os.urandom(64) + b"\xff\xfe", "not UTF-8 text"),
        (b"schema: peso-catalog/v1\nname: x\nproducts: 5\n", "products: 5 is not of type 'array'"),
        (b"schema: peso-catalog/v1\nname: x\nproducts:\n  - name: a\n    known_issues: 3\n", "products.0"),
        (b"- just\n- a list\n", "expected a mapping"),
    ],
)
def test_a_broken_catalogue_is_one_line(tmp_path, content, message):
    (tmp_path / "cat.yaml").write_bytes(content)
    proc = peso("stack", "generate", "--target", "frontier", "--catalog", "./cat.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert sorted(os.listdir(tmp_path)) == ["cat.yaml"]


def test_a_recipe_too_deep_to_parse_is_a_finding_not_a_lost_run(tmp_path):
    repo = tmp_path / "repo"
    (repo / "packages" / "deep").mkdir(parents=True)
    (repo / "packages" / "fine").mkdir(parents=True)
    (repo / "repo.yaml").write_text("repo:\n  namespace: adversarial\n")
    deep = "from spack.package import *\n\n\nclass Deep(Package):\n    x = " + " + ".join(["1"] * 3000) + "\n"
    (repo / "packages" / "deep" / "package.py").write_text(deep)
    (repo / "packages" / "fine" / "package.py").write_text(
        'from spack.package import *\n\n\nclass Fine(Package):\n    """Fine."""\n\n    homepage = "https://x.org"\n'
    )
    proc = peso("lint", "repo", "--no-cache", "--format", "json", "--policy", "all", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # findings, not a crash
    assert "Traceback" not in proc.stderr and not (tmp_path / "crashes").exists()
    assert '"rule": "PESO-E001"' in proc.stdout and "deep/package.py" in proc.stdout
    assert "fine/package.py" in proc.stdout  # the other recipe was still linted


def test_an_unwritable_or_folder_output_path_is_one_line(tmp_path):
    (tmp_path / "a-folder").mkdir()
    proc = peso("lint", os.path.join(ROOT, "repo"), "--no-cache", "--output", "a-folder", cwd=tmp_path)
    assert proc.returncode == 2 and "a-folder" in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    proc = peso("lint", os.path.join(ROOT, "repo"), "--no-cache", "--output", "/proc/peso-out.json", cwd=tmp_path)
    assert proc.returncode == 2 and "peso-out.json" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def _environments(tmp_path):
    import shutil

    folder = tmp_path / "environments"
    for part in ("targets", "catalog"):
        shutil.copytree(os.path.join(ROOT, "environments", part), folder / part)
    return folder


def test_a_filter_that_matches_nothing_or_a_smaller_stack_never_replaces_the_committed_one(tmp_path):
    environments = _environments(tmp_path)
    env = {"PESO_ENVIRONMENTS": str(environments)}
    first = peso_env(env, "stack", "generate", "--target", "frontier", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    committed = (environments / "frontier" / "spack.yaml").read_text()
    typo = peso_env(env, "stack", "generate", "--target", "frontier", "--tags", "no-such-tag", cwd=tmp_path)
    assert typo.returncode == 2 and "--tags matches no product of the catalogue: no-such-tag" in typo.stderr
    smaller = peso_env(env, "stack", "generate", "--target", "frontier", "--only", "hypre", cwd=tmp_path)
    assert smaller.returncode == 2 and "give --force to replace it" in smaller.stderr, smaller.stderr
    assert (environments / "frontier" / "spack.yaml").read_text() == committed
    forced = peso_env(env, "stack", "generate", "--target", "frontier", "--only", "hypre", "--force", cwd=tmp_path)
    assert forced.returncode == 0 and (environments / "frontier" / "spack.yaml").read_text() != committed


def test_a_catalogue_name_is_not_shadowed_by_a_folder_of_the_same_name(tmp_path):
    (tmp_path / "demo").mkdir()  # like the checkout's demo/ folder
    proc = peso("stack", "generate", "--target", "host", "--catalog", "demo", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "peso-demo-lib" in (tmp_path / "out" / "spack.yaml").read_text()


def test_report_and_patch_outputs_that_are_not_files_are_one_line(tmp_path):
    record = tmp_path / "record.json"
    record.write_text(
        '{"schema": "peso-stack-test/1", "kind": "test", "run_id": "r", "target": "host", "started": "t0", "specs": []}'
    )
    (tmp_path / "a-folder").mkdir()
    html = peso("stack", "report", str(record), "--html", "a-folder", cwd=tmp_path)
    assert html.returncode == 2 and "a-folder" in html.stderr and "Traceback" not in html.stderr, html.stderr
    (tmp_path / "a-file").write_text("x")
    patch = peso("curate", "--patch", "a-file", cwd=tmp_path)
    assert patch.returncode == 2 and "a-file" in patch.stderr and "Traceback" not in patch.stderr, patch.stderr


def peso_env(extra, *argv, cwd):
    return subprocess.run(
        [sys.executable, "-m", "peso", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), PESO_CRASH_DIR=str(cwd / "crashes"), **extra),
        timeout=300,
    )


GOOD_ROW = {"package": "superlu", "hash": "a" * 32, "target": "host", "status": "FAILED", "wall": 1.0, "parts": []}


def _record(rows=(GOOD_ROW,), **changes):
    import json

    doc = {"schema": "peso-stack-test/1", "kind": "test", "run_id": "r1", "target": "host", "started": "t0"}
    doc.update(changes, specs=list(rows))
    return json.dumps(doc)


@pytest.mark.parametrize(
    "where, content, message",
    [
        ("ev/runs/r1/record.json", _record(rows=[dict(GOOD_ROW, wall="fast")]), "record.json: specs.0.wall"),
        ("ev/runs/r1/record.json", _record(rows=[{k: v for k, v in GOOD_ROW.items() if k != "target"}]), "specs.0"),
        ("ev/runs/r1/record.json", '{"schema": "peso-stack-test/1", "kind": "te', "not a JSON run record"),
        ("ev/build/build.json", b"\xff\xfe\x00binary", "build.json: not a JSON run record"),
        ("ev/superlu-7/.spack/spec.json", "{garbage", "spec.json: not a Spack spec.json"),
        ("ev/superlu-7/.spack/spec.json", '{"spec": {"nodes": [5]}}', "spec.json: not a Spack spec.json"),
        ("ev/check.jsonl", '{"spec": ["superlu"], "ok": "yes"}\n', "check.jsonl: line 1: not a --check --record line"),
        ("ev/check.jsonl", b"\xff\xfe{}\n", "check.jsonl: not UTF-8 text"),  # named: read as what it says
    ],
)
def test_corrupt_evidence_of_ours_is_one_line_not_silently_no_evidence(tmp_path, where, content, message):
    """A record, prefix or --check record that spack-peso (or Spack) wrote and that is now
    corrupt would otherwise turn a pass or fail into 'undecided' without a word."""
    (tmp_path / "products.yaml").write_text("products:\n  - name: superlu\n    package: superlu\n")
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    evidence = where if isinstance(content, bytes) and where.endswith(".jsonl") else "ev"
    proc = peso("policy", "report", "--products", "products.yaml", "--evidence", evidence, "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "crashes").exists()


def test_another_tools_record_json_in_an_evidence_folder_is_left_alone(tmp_path):
    (tmp_path / "products.yaml").write_text("products:\n  - name: superlu\n    package: superlu\n")
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "record.json").write_text('{"schema": "someone-else/2", "rows": [1, 2]}')
    proc = peso("policy", "report", "--products", "products.yaml", "--evidence", "ev", "-o", "out", cwd=tmp_path)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert (tmp_path / "out" / "compat" / "superlu.yaml").is_file()


def test_a_merged_record_is_read_back_and_a_row_without_a_target_is_one_line(tmp_path):
    (tmp_path / "a.json").write_text(_record())
    (tmp_path / "b.json").write_text(_record(rows=[dict(GOOD_ROW, target="frontier")], run_id="r2", target="frontier"))
    merged = peso("stack", "report", "a.json", "b.json", "--json", "m.json", "--junit", "m.xml", cwd=tmp_path)
    assert merged.returncode in (0, 1) and (tmp_path / "m.json").is_file(), merged.stderr
    again = peso("stack", "report", "m.json", "--html", "m.html", cwd=tmp_path)
    assert again.returncode in (0, 1) and "superlu" in again.stdout + again.stderr, again.stderr
    (tmp_path / "c.json").write_text(_record(rows=[{k: v for k, v in GOOD_ROW.items() if k != "target"}]))
    crashed_before = peso("stack", "report", "c.json", "--html", "c.html", cwd=tmp_path)  # KeyError: 'target' once
    assert (
        crashed_before.returncode == 2 and "c.json: specs.0: 'target' is a required property" in crashed_before.stderr
    )
    assert not (tmp_path / "c.html").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"schema: peso-curation/v1\npackage: hypre\nbuiltin: 5\nsummary: s\n", "builtin: 5 is not of type 'object'"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
        (b"schema: peso-curation/v1\npackage: hypre\nsummary: s\n", "'builtin' is a required property"),
        (b"[unbalanced", "invalid YAML"),
    ],
)
def test_a_corrupt_curation_file_is_one_line(tmp_path, content, message):
    folder = tmp_path / "repo" / "packages" / "hypre"
    folder.mkdir(parents=True)
    (folder / "curation.yaml").write_bytes(content)
    proc = peso("curate", "--list", "--repo", "repo", cwd=tmp_path)
    assert proc.returncode == 2 and "curation.yaml" in proc.stderr and message in proc.stderr, proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_policy_report_into_an_existing_file_is_one_line(tmp_path):
    (tmp_path / "products.yaml").write_text("products:\n  - name: superlu\n    package: superlu\n")
    (tmp_path / "out").write_text("keep")
    proc = peso("policy", "report", "--products", "products.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2 and "out" in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert (tmp_path / "out").read_text() == "keep"
