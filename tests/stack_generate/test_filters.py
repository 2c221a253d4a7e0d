"""``stack generate`` never writes a stack with no root: filters that each match but select
nothing together, or products the target cannot build, are one line and nothing is
written; a bare ``--catalog``/``--target`` word is a name, never a folder that shadows it."""

import os

import pytest
from peso_testing import run_peso

from peso.errors import PesoError
from peso.stack.generate.environment import catalog_path, generate
from peso.stack.generate.model import names_a_file
from peso.stack.generate.plan import SKIPPED


def test_tags_and_only_that_select_nothing_together_write_nothing(tmp_path):
    # each filter matches on its own (python is a tag, adios a product), not together
    argv = "stack generate --target frontier --tags python --only adios -o x".split()
    proc = run_peso(*argv, cwd=tmp_path, env={"PESO_ENVIRONMENTS": ""})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--tags python and --only adios select no product of the catalogue" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and os.listdir(tmp_path) == []


def test_products_the_target_skips_everywhere_make_no_empty_stack(tmp_path, envdir):
    with pytest.raises(PesoError, match="no root to build for target neoverse_v2: the 2 product flavours"):
        generate("neoverse_v2", envdir=envdir, only=["dealii"], out_dir=str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()
    # what is not written (diff, coverage) still sees the empty plan
    _, _, entries, _ = generate("neoverse_v2", envdir=envdir, only=["dealii"], write=False)
    assert {e.status for e in entries} == {SKIPPED}


@pytest.mark.parametrize(
    "text, is_file",
    [("demo", False), ("e4s", False), ("./demo", True), ("demo.yaml", True), ("cat/demo.yml", True)],
)
def test_a_bare_word_is_a_name_and_only_a_path_or_yaml_file_is_a_file(text, is_file):
    assert names_a_file(text) is is_file


def test_a_catalogue_name_resolves_under_environments_whatever_is_in_the_working_folder(tmp_path, monkeypatch, envdir):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo.yaml").write_text("products: []\n")
    assert catalog_path("demo", envdir) == os.path.join(envdir, "catalog", "demo.yaml")
    assert catalog_path("./demo.yaml", envdir) == "./demo.yaml"
