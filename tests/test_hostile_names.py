"""Names from data never become paths unchecked: every writer that builds a file or folder
name from a product, package, target, run id or curated folder is given hostile names and
must refuse them (one line, exit 2) without writing anything, inside or outside its
output folder.

Refusing rather than escaping: a name like ``a/b`` or ``../x`` in a catalogue, a record
or a product list is a mistake or an attack, and an escaped file name (``a%2Fb.yaml``)
would hide it from the user and from every tool that looks the product up by name.

Commands run in-process through ``peso.__main__.main`` (the boundary of ``python -m
peso``), each in a fresh folder with a sentinel folder beside it.
"""

import contextlib
import io
import json
import os

import pytest
import yaml
from peso_testing import ROOT

from peso.__main__ import main

HOSTILE = ["../escaped", "../../etc/passwd", "/abs/path", "a/b", "..", "nul\x00byte", "new\nline"]


def run(argv):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code
    return code, err.getvalue()


def tree(folder):
    """Every path under ``folder`` (files and folders), relative; the user cache aside."""
    found = set()
    for here, dirs, files in os.walk(folder):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(here, name), folder))
    return {path for path in found if path.split(os.sep)[0] != "cache"}


@pytest.fixture
def bench(tmp_path, monkeypatch):
    """``tmp_path/work`` as cwd (inputs written there), ``tmp_path/outside`` a sentinel."""
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("PESO_CRASH_DIR", str(tmp_path / "crashes"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return work


def refused(argv, work, inputs, what):
    """Run ``argv`` and assert: exit 2, one line naming ``what``, nothing new anywhere."""
    before = tree(os.path.dirname(work))
    code, err = run(argv)
    assert code == 2, (argv, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert what in err, err
    assert tree(os.path.dirname(work)) == before, sorted(tree(os.path.dirname(work)) - before)
    assert not (work / "out").exists()


def record(**changes):
    row = {"package": "superlu", "hash": "a" * 32, "target": "host", "status": "FAILED", "wall": 1.0, "parts": []}
    row.update(changes.pop("row", {}))
    doc = {"schema": "peso-stack-test/1", "kind": "test", "run_id": "r1", "target": "host", "started": "t0"}
    doc.update(changes, specs=[row])
    return json.dumps(doc)


@pytest.mark.parametrize("name", HOSTILE)
def test_policy_report_refuses_a_hostile_product_name(bench, name):
    (bench / "products.yaml").write_text(yaml.safe_dump({"products": [{"name": name, "package": "superlu"}]}))
    refused(["policy", "report", "--products", "products.yaml", "-o", "out"], bench, ["products.yaml"], "product")


@pytest.mark.parametrize("name", HOSTILE)
def test_policy_report_refuses_a_hostile_package_of_a_stack(bench, name):
    """``--stack``: the products are the spack.yaml's root specs."""
    (bench / "spack.yaml").write_text(yaml.safe_dump({"spack": {"specs": [name]}}))
    code, err = run(["policy", "report", "--stack", "spack.yaml", "-o", "out"])
    assert code in (0, 2) and "Traceback" not in err, err
    for path in tree(os.path.dirname(bench)):
        assert not path.startswith("outside" + os.sep) and os.path.realpath(path).startswith(str(bench.parent))
    compat = bench / "out" / "compat"
    for written in os.listdir(compat) if compat.is_dir() else []:
        assert "/" not in written and ".." not in written.replace(".yaml", "")


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("field", ["run_id", "target", "package"])
def test_run_records_with_hostile_names_are_refused_before_any_report(bench, name, field):
    text = record(row={"package": name}) if field == "package" else record(**{field: name})
    (bench / "record.json").write_text(text)
    refused(
        ["stack", "report", "record.json", "--html", "out/r.html", "--junit", "out/j.xml"],
        bench,
        ["record.json"],
        "record.json",
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_a_row_target_of_a_record_is_a_name_too(bench, name):
    (bench / "record.json").write_text(record(row={"target": name}))
    refused(["stack", "report", "record.json", "--html", "out/r.html"], bench, ["record.json"], "specs.0.target")


@pytest.mark.parametrize("name", HOSTILE)
def test_a_target_profile_with_a_hostile_name_is_refused(bench, name):
    with open(os.path.join(ROOT, "environments", "targets", "frontier.yaml")) as f:
        profile = yaml.safe_load(f)
    profile["name"] = name
    (bench / "mine.yaml").write_text(yaml.safe_dump(profile))
    refused(["stack", "generate", "--target", "./mine.yaml", "-o", "out"], bench, ["mine.yaml"], "name")


@pytest.mark.parametrize("name", HOSTILE)
def test_a_catalogue_product_with_a_hostile_name_is_refused(bench, name):
    doc = {"schema": "peso-catalog/v1", "name": "x", "products": [{"name": name, "spec": "zlib"}]}
    (bench / "cat.yaml").write_text(yaml.safe_dump(doc))
    refused(
        ["stack", "generate", "--target", "frontier", "--catalog", "./cat.yaml", "-o", "out"],
        bench,
        ["cat.yaml"],
        "products.0.name",
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_curate_refuses_a_hostile_package_name(bench, name):
    builtin = bench / "builtin"
    (builtin / "packages" / "escaped").mkdir(parents=True)
    (builtin / "packages" / "escaped" / "package.py").write_text("class Escaped:\n    pass\n")
    (bench.parent / "outside" / "package.py").write_text("class Outside:\n    pass\n")
    repo = bench / "repo"
    (repo / "packages").mkdir(parents=True)
    (repo / "repo.yaml").write_text("repo:\n  namespace: mine\n")
    refused(["curate", name, "--builtin", str(builtin), "--repo", str(repo)], bench, [], "package")


@pytest.mark.parametrize("name", ["new\nline", "semi;colon", " lead"])
def test_curate_patch_refuses_a_curated_folder_that_cannot_name_a_patch(bench, name):
    """``curate --patch DIR`` writes ``DIR/<folder>.patch``: the folder's name is checked."""
    builtin = bench / "builtin"
    (builtin / "packages" / "foo").mkdir(parents=True)
    (builtin / "packages" / "foo" / "package.py").write_text("class Foo:\n    pass\n")
    import hashlib

    sha = hashlib.sha256((builtin / "packages" / "foo" / "package.py").read_bytes()).hexdigest()
    folder = bench / "repo" / "packages" / name
    folder.mkdir(parents=True)
    (folder / "package.py").write_text("class Foo:\n    x = 1\n")
    (folder / "curation.yaml").write_text(
        yaml.safe_dump(
            {
                "schema": "peso-curation/v1",
                "package": "foo",
                "builtin": {
                    "path": "repos/spack_repo/builtin/packages/foo/package.py",
                    "commit": "c" * 40,
                    "sha256": sha,
                },
                "summary": "foo: fix",
            }
        )
    )
    refused(
        ["curate", "--patch", "out", "--builtin", str(builtin), "--repo", str(bench / "repo")],
        bench,
        [],
        "cannot be a file name",
    )


def test_a_curation_file_naming_a_builtin_path_outside_the_repository_is_refused(bench):
    folder = bench / "repo" / "packages" / "foo"
    folder.mkdir(parents=True)
    (folder / "curation.yaml").write_text(
        yaml.safe_dump(
            {
                "schema": "peso-curation/v1",
                "package": "foo",
                "builtin": {"path": "repos/../../../outside/package.py", "commit": "c", "sha256": "0" * 64},
                "summary": "foo: fix",
            }
        )
    )
    refused(["curate", "--list", "--repo", str(bench / "repo")], bench, [], "builtin.path")
