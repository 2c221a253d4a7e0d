"""``--install-local`` in batch jobs without a scheduler: the in-job runner installs first and
tests only what it installed; the driver reads the install's output into the row."""

import json
import os
import subprocess
import sys

from peso.stack.run import job_install

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "spack-peso", "peso", "stack", "run", "executors", "shard_job.py")
HASH = "a" * 32


def _run_shard(tmp_path, install_argv, argv, folder="$PESO_TEST_NODE/tree"):
    stage = tmp_path / "stage"
    shard = {"index": 0, "stage": str(stage), "argv": argv, "install_argv": install_argv, "install_local": folder}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"timeout": 60, "shards": [shard]}))
    env = dict(os.environ, PESO_TEST_NODE="/node-local-17")
    proc = subprocess.run(
        [sys.executable, RUNNER, str(manifest), "0"], capture_output=True, text=True, timeout=300, env=env
    )
    assert proc.returncode == 0, proc.stderr
    return stage, json.loads((stage / "job-end.json").read_text())


def test_a_failed_install_stops_the_job_before_its_tests(tmp_path):
    ran = tmp_path / "tests-ran"
    stage, end = _run_shard(
        tmp_path, ["sh", "-c", "echo '==> Error: No binary for x found'; exit 3"], ["touch", str(ran)]
    )
    assert end["install"]["rc"] == 3 and end["install"]["tree"] == "/node-local-17/tree"
    assert end["rc"] is None and not ran.exists()
    assert "No binary for x" in (stage / "install-output.txt").read_text()


def test_an_install_that_worked_is_followed_by_the_tests(tmp_path):
    ran = tmp_path / "tests-ran"
    stage, end = _run_shard(tmp_path, ["true"], ["sh", "-c", "touch %s; exit 0" % ran])
    assert end["install"]["rc"] == 0 and end["rc"] == 0 and ran.exists()


def test_without_install_local_the_runner_only_tests(tmp_path):
    stage, end = _run_shard(tmp_path, [], ["true"])
    assert end["install"] is None and end["rc"] == 0
    assert not (stage / "install-output.txt").exists()


def _outcome(tmp_path, text, rc):
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "install-output.txt").write_text(text)
    install = {"rc": rc, "timed_out": False, "started": 10.0, "finished": 12.5, "tree": "/node/7"}
    return job_install.outcome(str(stage), install, HASH)


def test_outcome_names_the_prefix_and_says_it_came_from_the_cache(tmp_path):
    prefix = "/node/7/install/linux-x86_64/peso-demo-lib-1.0-" + HASH
    text = "==> Extracting peso-demo-lib-1.0-%s from binary cache\n[+] %s\n" % (HASH, prefix)
    found = _outcome(tmp_path, text, 0)
    assert found["ok"] is True and found["from_cache"] is True and found["prefix"] == prefix
    assert found["extracted"] == 1 and found["wall"] == 2.5 and "error" not in found


def test_outcome_of_a_tree_that_had_it_already_is_not_from_the_cache(tmp_path):
    found = _outcome(tmp_path, "[+] /node/7/install/x/peso-demo-lib-1.0-%s\n" % HASH, 0)
    assert found["ok"] is True and found["from_cache"] is False and found["prefix"].endswith(HASH)


def test_a_failed_install_becomes_not_installed_naming_spack_s_error(tmp_path):
    text = (
        "==> Installing peso-demo-app-1.0-%s [3/3]\n"
        "==> Error: Failed to install peso-demo-app due to InstallError: No binary found when cache-only was specified\n"
        "==> Error: peso-demo-app-1.0-%s: Package was not installed\n"
        "==> Error: Installation request failed.  Refer to reported errors for failing package(s).\n"
    ) % (HASH, HASH)
    found = _outcome(tmp_path, text, 1)
    assert found["ok"] is False and found["prefix"] is None
    assert (
        found["error"]
        == "Failed to install peso-demo-app due to InstallError: No binary found when cache-only was specified"
    )
    row = {"package": "peso-demo-app", "hash": HASH, "target": "host", "status": "PENDING"}
    done = job_install.failed_row(row, found, "node1", "40_1")
    assert done["status"] == "NOT_INSTALLED" and done["parts"] == []
    assert done["reason"].startswith("install from the binary cache failed in job 40_1 on node1: Failed to install")
    assert "cache-only" in done["log_excerpt"] and done["job_install"] is found


def test_install_tree_keeps_a_node_variable_and_makes_other_paths_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert job_install.local_install_tree("$SLURM_TMPDIR/p") == "config:install_tree:root:$SLURM_TMPDIR/p/install"
    assert job_install.local_install_tree("rel") == "config:install_tree:root:%s/rel/install" % tmp_path


def test_a_job_killed_while_installing_is_said_to_be_killed_in_its_install(tmp_path):
    from peso.stack.run.executors.base import JobState, classify_fault

    stage = tmp_path / "stage"
    stage.mkdir()
    assert not job_install.installing(str(stage))  # nothing started yet
    (stage / "install-output.txt").write_text("==> Extracting ...\n")
    assert job_install.installing(str(stage))
    status, reason, _ = classify_fault(JobState("40_1", "TIMEOUT"), True, job_install.STEP)
    assert status == "TIMEOUT" and "while running the install from the binary cache" in reason
    (stage / "spack-output.txt").write_text("")
    assert not job_install.installing(str(stage))  # the tests had started
