"""``--only``, ``--skip`` and ``--rerun-failed`` never select nothing silently: a name that
matches no root, or a selection that leaves nothing to do, is one line (exit 2) before any
build or test starts; ``stack build`` and ``stack test`` read names by one rule."""

import pytest

from peso.errors import PesoError
from peso.stack.run import records, selection
from peso.stack.run.testrun import select_specs


def _root(name, digest):
    return {"package": name, "version": "1", "hash": digest * 32, "installed": True, "tests": ["test_a"]}


ROOTS = [_root("hypre", "a"), _root("hypre", "b"), _root("zfp", "c")]


def test_a_name_is_a_package_or_a_hash_prefix_for_build_and_test_alike():
    assert [r["hash"][0] for r in selection.only(ROOTS, ["hypre"])] == ["a", "b"]
    assert [r["hash"][0] for r in selection.only(ROOTS, ["/bbb"])] == ["b"]
    assert selection.only(ROOTS, []) == ROOTS
    with pytest.raises(PesoError, match="--only names no root of this environment: hypr"):
        selection.only(ROOTS, ["hypre", "hypr"])
    with pytest.raises(PesoError, match="--only names no root"):
        selection.only(ROOTS, ["/"])  # an empty hash prefix names nothing, not everything


def test_a_skip_that_matches_nothing_is_an_error():
    with pytest.raises(PesoError, match="--skip names no root of this environment: zpf"):
        select_specs(ROOTS, "host", skip=["zpf"])
    with pytest.raises(PesoError, match="--skip names no root"):
        select_specs(ROOTS, "host", only=["zfp"], skip=["hypre"])  # hypre is not among --only's roots


def test_a_skip_that_leaves_nothing_to_test_is_an_error():
    with pytest.raises(PesoError, match="--skip excludes every root selected"):
        select_specs(ROOTS, "host", skip=["hypre", "zfp"])
    decided, to_run = select_specs(ROOTS, "host", skip=["hypre"])
    assert [row["package"] for _, row in to_run] == ["zfp"] and {r["status"] for r in decided} == {"SKIPPED"}


def test_a_rerun_of_another_targets_run_is_an_error_not_an_empty_run():
    previous = {"run_id": "R1", "specs": [records.spec_row(r, "frontier", "FAILED") for r in ROOTS]}
    with pytest.raises(PesoError, match="run R1 has no row for target host"):
        select_specs(ROOTS, "host", rerun_record=previous)
    decided, to_run = select_specs(ROOTS, "frontier", rerun_record=previous)
    assert len(to_run) == 3 and not decided
