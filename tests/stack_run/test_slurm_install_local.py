"""Build once, test on the nodes: ``stack test --scheduler slurm --use-buildcache URL
--install-local DIR`` on the real one-node Slurm (scripts/slurm-local.sh).

The session's demo stack (conftest ``demo_stack``) is pushed to a file:// cache; a copy of
its environment with its own, empty install tree (as in test_buildcache.py) is then tested
through sbatch jobs that each install their root from the cache into
``DIR/$SLURM_JOB_ID`` (one tree per job) and test it there.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import spack_scope
from peso_testing import load_json, record_of

pytestmark = [pytest.mark.slurm, pytest.mark.e2e]

PAIR = "peso-demo-lib,peso-demo-app"


def _push(demo_stack, folder, only):
    cache = os.path.join(str(folder), "cache")
    proc = demo_stack.peso(
        "stack", "build", "--target", "host", "--env", demo_stack.env_dir, "-C", demo_stack.scope,
        "-c", "concretizer:unify:true", "--out", os.path.join(str(folder), "push-out"),
        "--only", only, "--buildcache", cache, "--unsigned",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return cache


def _tree(demo_stack, folder):
    """A copy of the demo environment (same lock, same hashes) with its own empty install tree."""
    work = str(folder)
    scope = spack_scope.write_scope(work)
    env_dir = os.path.join(work, "env")
    os.makedirs(env_dir)
    for name in ("spack.yaml", "spack.lock"):
        shutil.copy(os.path.join(demo_stack.env_dir, name), env_dir)
    return work, scope, env_dir


def _test_on_slurm(demo_stack, cluster, folder, cache, local):
    work, scope, env_dir = _tree(demo_stack, folder)
    proc = subprocess.run(
        [
            sys.executable, "-m", "peso", "stack", "test", "--target", "host", "--env", env_dir, "-C", scope,
            "-c", "concretizer:unify:true", "--out", os.path.join(work, "out"), "--only", PAIR,
            "--scheduler", "slurm", "--timeout", "300", "--use-buildcache", cache, "--unsigned",
            "--install-local", local,
        ],
        capture_output=True, text=True, env=dict(demo_stack.env, **cluster.env), cwd=work, timeout=1200,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    return proc, out, work


def _rows(record):
    return {r["package"]: r for r in record["specs"]}


def _test_log(row):
    with open(row["log"], errors="replace") as f:
        return f.read()


def test_each_job_installs_its_root_from_the_cache_and_tests_it_there(demo_stack, slurm_cluster, tmp_path):
    cache = _push(demo_stack, tmp_path / "push", PAIR)
    local = str(tmp_path / "node") + "/$SLURM_JOB_ID"
    proc, out, work = _test_on_slurm(demo_stack, slurm_cluster, tmp_path / "tree", cache, local)
    assert proc.returncode == 0, out
    record = load_json(record_of(out))
    rows = _rows(record)
    assert {name: r["status"] for name, r in rows.items()} == {"peso-demo-lib": "PASSED", "peso-demo-app": "PASSED"}
    assert record["options"]["install_local"] == local and record["options"]["use_buildcache"] == cache
    assert record["executor"]["kind"] == "slurm" and record["complete"] is True
    assert {"peso-demo-lib", "peso-demo-app"} <= set(record["buildcache"]["in_cache"])
    trees = set()
    for name, row in rows.items():
        job = row["job_install"]
        # DIR/$SLURM_JOB_ID as the node expanded it: this job's own tree
        assert job["ok"] is True and job["from_cache"] is True, (name, job)
        # (an array element's $SLURM_JOB_ID is its own number, not the array's)
        assert os.path.dirname(job["tree"]) == str(tmp_path / "node") and os.path.basename(job["tree"]).isdigit()
        assert job["prefix"].startswith(os.path.join(job["tree"], "install") + "/"), job
        assert os.path.basename(job["prefix"]).startswith(name + "-")
        trees.add(job["tree"])
    assert len(trees) == 2  # two jobs, two trees
    # each job: a cache-only install, then the tests, both with the same install-tree override
    with open(record["executor"]["manifest"]) as f:
        shards = json.load(f)["shards"]
    tree = "config:install_tree:root:%s/install" % local
    for shard in shards:
        install, test = shard["install_argv"], shard["argv"]
        assert "--cache-only" in install and "--only-concrete" in install and "--no-check-signature" in install
        assert tree in install and tree in test, shard
        # the cache as a binary-mirror scope, as install_from_cache passes it
        assert ("-C", os.path.join(work, "out", "buildcache-scope")) in list(zip(install, install[1:]))
    # the tests ran the programs of the job's tree
    app = rows["peso-demo-app"]
    assert os.path.join(app["job_install"]["prefix"], "bin", "pesoapp") in _test_log(app)
    assert "pesoapp says 42" in _test_log(app)
    # and never the shared install tree of the environment's scope (left empty)
    assert not glob.glob(os.path.join(work, "install", "*", "*"))
    for row in rows.values():
        assert os.path.join(work, "install") not in _test_log(row)


def test_a_root_the_cache_lacks_is_not_installed_and_the_other_job_still_passes(demo_stack, slurm_cluster, tmp_path):
    cache = _push(demo_stack, tmp_path / "push", "peso-demo-lib")
    local = str(tmp_path / "node") + "/$SLURM_JOB_ID"
    proc, out, work = _test_on_slurm(demo_stack, slurm_cluster, tmp_path / "tree", cache, local)
    assert proc.returncode == 1, out
    assert "Traceback" not in out
    record = load_json(record_of(out))
    assert record["complete"] is True
    assert "peso-demo-app" in record["buildcache"]["not_in_cache"]
    rows = _rows(record)
    assert rows["peso-demo-lib"]["status"] == "PASSED" and rows["peso-demo-lib"]["job_install"]["from_cache"]
    app = rows["peso-demo-app"]
    assert app["status"] == "NOT_INSTALLED", app
    assert app["reason"].startswith("install from the binary cache failed in job %s" % app["job_id"]), app
    assert app["job_install"]["error"].startswith("Failed to install peso-demo-app"), app
    assert app["job_install"]["ok"] is False
    assert app["parts"] == [] and app["job_install"]["prefix"] is None
    # the job built nothing from source: no build stage of the app, no prefix of it anywhere
    assert not glob.glob(os.path.join(str(tmp_path / "node"), "*", "install", "*", "peso-demo-app-*"))
    assert not glob.glob(os.path.join(work, "build-stage", "**", "spack-stage-peso-demo-app-*"), recursive=True)
    run_dir = os.path.dirname(record_of(out))
    with open(os.path.join(run_dir, "junit.xml")) as f:
        assert "peso-demo-app" in f.read()


def test_a_cache_the_node_cannot_reach_is_not_installed_with_spack_s_reason(demo_stack, slurm_cluster, tmp_path):
    """The driver reads the cache, then the cache is gone before the job starts (held
    pending on a drained node): what a node outside the cache's network sees."""
    cache = _push(demo_stack, tmp_path / "push", "peso-demo-lib")
    work, scope, env_dir = _tree(demo_stack, tmp_path / "tree")
    node = slurm_cluster.run("sinfo", "-h", "-o", "%N").stdout.strip()
    slurm_cluster.run("scontrol", "update", "NodeName=%s" % node, "State=DRAIN", "Reason=peso-test-hold")
    try:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "peso", "stack", "test", "--target", "host", "--env", env_dir, "-C", scope,
                "-c", "concretizer:unify:true", "--out", os.path.join(work, "out"), "--only", "peso-demo-lib",
                "--scheduler", "slurm", "--timeout", "300", "--use-buildcache", cache, "--unsigned",
                "--install-local", str(tmp_path / "node"),
            ],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(demo_stack.env, **slurm_cluster.env), cwd=work,
        )  # fmt: skip
        seen = []
        for line in proc.stdout:  # submitted: the job exists and waits for the node
            seen.append(line)
            if line.startswith("==> submitted "):
                break
        assert any(x.startswith("==> submitted ") for x in seen), "".join(seen)
        os.rename(cache, cache + ".gone")
    finally:
        deadline = time.monotonic() + 60
        while "drain" in slurm_cluster.run("sinfo", "-h", "-o", "%T").stdout and time.monotonic() < deadline:
            slurm_cluster.run("scontrol", "update", "NodeName=%s" % node, "State=RESUME", check=False)
            time.sleep(1)
    out = "".join(seen) + proc.communicate(timeout=900)[0]
    assert proc.returncode == 1, out
    record = load_json(record_of(out))
    assert record["complete"] is True
    (row,) = record["specs"]
    assert row["status"] == "NOT_INSTALLED", row
    # Spack's first error: the cache-only install found no binary (the cache was gone)
    assert "failed in job %s on %s: Failed to install" % (row["job_id"], node) in row["reason"], row
    assert "cache-only" in row["reason"]
    assert row["job_install"]["ok"] is False and row["parts"] == []
    assert not glob.glob(os.path.join(str(tmp_path / "node"), "install", "*", "peso-demo-lib-*"))
