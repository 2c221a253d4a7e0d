"""``stack generate``, ``build`` and ``test`` agree on where a stack lives (``stack.session``)."""

import os
import shutil
import subprocess
import sys

import pytest
from peso_testing import ROOT

from peso.errors import PesoError
from peso.stack import session
from peso.stack.run.executors.base import resolve_facts


@pytest.fixture
def environments(tmp_path, monkeypatch):
    """A copy of the checkout's profiles in a folder named by $PESO_ENVIRONMENTS."""
    folder = tmp_path / "site-environments"
    for part in ("targets", "catalog"):
        shutil.copytree(os.path.join(ROOT, "environments", part), folder / part)
    monkeypatch.setenv("PESO_ENVIRONMENTS", str(folder))
    monkeypatch.chdir(tmp_path)  # another folder than the checkout
    return folder


def test_an_alias_resolves_to_its_profile_its_stack_folder_and_its_scheduler_facts(environments):
    place = session.resolve("olcf-frontier")
    assert place.name == "frontier"
    assert place.env_dir == os.path.join(str(environments), "frontier")
    facts = resolve_facts(place.profile, {}, place.profile_label)
    assert facts.kind == "slurm" and facts.partition == "batch"  # frontier's facts, not none
    assert place.out_dir == os.path.abspath(os.path.join("peso-out", "frontier"))


def test_generate_build_and_test_read_the_same_folder(environments):
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "generate", "--target", "olcf-frontier"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    written = environments / "frontier" / "spack.yaml"
    assert written.is_file()
    assert session.require_stack(session.resolve("frontier")) == str(written)


def test_an_unknown_target_or_a_missing_stack_is_one_line(environments):
    with pytest.raises(PesoError, match="unknown target 'frontierr'"):
        session.resolve("frontierr")
    with pytest.raises(PesoError, match="run 'spack peso stack generate --target=polaris' first"):
        session.require_stack(session.resolve("alcf-polaris"))


def test_stack_test_refuses_an_unknown_target_before_writing_anything(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "test", "--target", "no-such-machine", "--env", "x"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
        timeout=300,
    )
    assert proc.returncode == 2 and "unknown target 'no-such-machine'" in proc.stderr, proc.stderr
    assert os.listdir(tmp_path) == []
