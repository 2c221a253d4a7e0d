"""``stack generate``, ``build`` and ``test`` agree on where a stack lives (``stack.session``)."""

import json
import os
import shutil

import pytest
from peso_testing import ROOT, run_peso

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
    proc = run_peso("stack", "generate", "--target", "olcf-frontier", cwd=os.getcwd())
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
    proc = run_peso("stack", "test", "--target", "no-such-machine", "--env", "x", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown target 'no-such-machine'" in proc.stderr, proc.stderr
    assert os.listdir(tmp_path) == []


def test_stack_build_by_alias_from_another_folder_finds_the_stack_and_the_profiles_scheduler_facts(environments):
    """The reproduction of issue 24: $PESO_ENVIRONMENTS set, run from elsewhere, an alias."""
    elsewhere = environments.parent / "elsewhere"
    elsewhere.mkdir()
    made = run_peso("stack", "generate", "--target", "frontier", cwd=elsewhere)
    assert made.returncode == 0, made.stderr
    proc = run_peso("stack", "build", "--target", "olcf-frontier", "--scheduler", "slurm", "--dry-run", cwd=elsewhere)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "#SBATCH --partition=batch" in proc.stdout  # frontier's profile, reached through its alias
    manifest = json.loads((elsewhere / "peso-out" / "frontier" / "build-job" / "manifest.json").read_text())
    argv = manifest["shards"][0]["argv"]
    # the job builds what this command resolved: the profile's file and the stack's folder
    assert argv[argv.index("--target") + 1] == str(environments / "targets" / "frontier.yaml")
    assert argv[argv.index("--env") + 1] == str(environments / "frontier")


def test_stack_build_refuses_a_target_that_is_neither_known_nor_a_profile(environments):
    for target in ("frontierr", "./no-such-profile.yaml"):
        proc = run_peso("stack", "build", "--target", target, cwd=environments.parent)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert not (environments.parent / "peso-out").exists()


def test_a_path_to_a_profile_resolves_like_its_name(environments, tmp_path):
    by_path = session.resolve(str(environments / "targets" / "polaris.yaml"))
    assert by_path.name == "polaris" and by_path.env_dir == session.resolve("polaris").env_dir
    # a folder named like a target in the working directory does not shadow the name
    (tmp_path / "polaris").mkdir()
    assert session.resolve("polaris").target.path == str(environments / "targets" / "polaris.yaml")


def test_the_scheduler_facts_of_a_profile_are_checked_like_the_command_lines(environments):
    profile = environments / "targets" / "frontier.yaml"
    profile.write_text(profile.read_text().replace("partition: batch", "partition: 'batch\\ntouch F'", 1))
    place = session.resolve("olcf-frontier")
    with pytest.raises(PesoError, match="is not a valid slurm partition name") as refused:
        session.scheduler_facts(place, {})
    assert "frontier.yaml" in str(refused.value.path)


def test_the_exit_status_of_build_and_test_is_never_0_when_the_work_did_not_happen():
    ok = {"specs": [{"package": "a", "status": "BUILT"}, {"package": "b", "status": "NO_TESTS"}]}
    assert session.exit_status(ok) == 0
    for status in ("NOT_BUILT", "BUILD_FAILED", "NOT_INSTALLED", "NOT_RUN", "PENDING", "TIMEOUT"):
        assert session.exit_status({"specs": [{"package": "a", "status": status}]}) == 1, status
    assert session.exit_status({"specs": []}) == 1  # nothing attempted is not success
    # what was asked was done: scripts written (--dry-run) or jobs submitted (--detach)
    assert session.exit_status(None) == 0
    assert session.exit_status({"dry_run": True, "specs": [{"package": "a", "status": "PENDING"}]}) == 0
    assert session.exit_status({"detached": True, "specs": [{"package": "a", "status": "PENDING"}]}) == 0


def test_batch_only_options_are_refused_for_a_local_run(environments):
    facts = resolve_facts(None, {})
    for flags in ({"detach": True}, {"dry_run": True}, {"retry_node_fail": 1}):
        with pytest.raises(PesoError, match="needs a batch scheduler"):
            session.shard_executor(facts, {}, None, 60.0, **flags)
    with pytest.raises(PesoError, match="--partition needs a batch scheduler"):
        session.shard_executor(facts, {"partition": "debug"}, None, 60.0)
    assert session.shard_executor(facts, {}, None, 60.0).jobs == session.LOCAL_TEST_JOBS
    # a build stays here unless --scheduler says: its --dry-run must not build for real
    place = session.resolve("olcf-frontier")
    with pytest.raises(PesoError, match="--dry-run needs a batch scheduler"):
        session.build_facts(place, {"scheduler": None}, dry_run=True)
    with pytest.raises(PesoError, match="--nodes needs a batch scheduler"):
        session.build_facts(place, {"scheduler": "local", "nodes": 2})
    assert session.build_facts(place, {"scheduler": None}) is None
    assert session.build_facts(place, {"scheduler": "slurm"}).partition == "batch"
