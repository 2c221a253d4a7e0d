"""``stack build --installers N``: cooperating ``spack install`` processes, one install tree.

The parsing of what each installer says (its header, ``Successfully installed`` lines,
srun's per-task verdicts) is checked on written logs; one real build of a small
environment of its own (own install tree, ``demo/spack_scope.py``) with two local
installers checks that Spack's locks share the work: every spec is built by exactly one
installer, the per-root statuses are those of one ``spack install``, and the record
names the installer of each built root. The same through ``srun`` in a Slurm job and an
installer killed mid-build are in ``test_slurm.py``.
"""

import argparse
import os
import re

import pytest
import spack_scope
from peso_testing import built_counts, load_json, statuses

from peso.errors import PesoError
from peso.stack import session
from peso.stack.run import installers
from peso.stack.run.executors.base import SchedulerFacts
from peso.stack.run.executors.build_job import inner_argv, installer_tasks

ROOTS = ["peso-demo-lib", "peso-demo-app", "peso-demo-data", "peso-demo-broken"]
HASH = "a" * 32


def test_an_installer_log_says_who_it_is_and_what_it_built(tmp_path):
    log = tmp_path / "installer-1.log"
    log.write_text(
        "==> peso installer 1 on node7 pid 4242\n"
        "==> Installing peso-demo-lib-1.0-%s [3/5]\n"
        "==> peso-demo-lib: Successfully installed peso-demo-lib-1.0-%s\n"
        "==> Error: Installation request failed.\n" % (HASH, HASH)
    )
    installer = installers.Installer(1, str(log))
    lines = installer.flush()
    assert len(lines) == 4
    assert installer.to_dict() == {
        "task": 1,
        "node": "node7",
        "pid": 4242,
        "log": str(log),
        "exit_status": None,
        "lost": None,
        "last_error": "==> Error: Installation request failed.",
        "built": ["peso-demo-lib-1.0"],
        "retry": False,
    }


def test_a_log_is_read_as_it_grows_without_splitting_a_line(tmp_path):
    log = tmp_path / "installer-0.log"
    log.write_text("==> peso installer 0 on n1 pid 1\n==> peso-demo-data: Successfully inst")
    installer = installers.Installer(0, str(log))
    assert installer.new_lines() == ["==> peso installer 0 on n1 pid 1\n"]
    with open(log, "a") as f:
        f.write("alled peso-demo-data-1.0-%s\n" % HASH)
    assert installer.new_lines() == ["==> peso-demo-data: Successfully installed peso-demo-data-1.0-%s\n" % HASH]
    assert installer.built == {HASH: "peso-demo-data-1.0"}


def test_srun_names_the_tasks_that_ended_badly(tmp_path):
    cooperating = installers.Cooperating(["spack", "install"], str(tmp_path), 3, {})
    for installer in cooperating.installers:
        installer.pid = 100 + installer.task
    with open(cooperating.srun_log, "w") as f:
        f.write("srun: error: node1: task 1: Killed\nsrun: error: node2: task 2: Exited with exit code 3\n")
    cooperating._srun_outcome(137)
    assert [(i.exit_status, i.lost) for i in cooperating.installers] == [(0, None), (-1, "Killed"), (3, None)]
    assert "task 1 (Killed)" in installers.not_built_reason(cooperating, 137)


def test_two_installers_saying_they_built_one_spec_is_a_duplicate(tmp_path):
    cooperating = installers.Cooperating(["spack", "install"], str(tmp_path), 2, {})
    for installer in cooperating.installers:
        installer.built = {HASH: "peso-demo-lib-1.0"}
        installer.host = "n%d" % installer.task
    assert cooperating.duplicates() == ["peso-demo-lib-1.0-" + HASH]
    assert cooperating.built_by() == {HASH: {"task": 0, "node": "n0"}}


def test_one_installer_is_refused(tmp_path):
    with pytest.raises(PesoError, match="at least 2"):
        installers.Cooperating(["spack", "install"], str(tmp_path), 1, {})


@pytest.fixture(scope="module")
def cooperating_build(demo_stack, tmp_path_factory):
    work = str(tmp_path_factory.mktemp("installers"))
    scope = spack_scope.write_scope(work)
    env_dir = os.path.join(work, "env")
    os.makedirs(env_dir)
    with open(os.path.join(env_dir, "spack.yaml"), "w") as f:
        f.write(
            "spack:\n  repos: [%s]\n  view: false\n  concretizer: {unify: true, reuse: false}\n  specs: [%s]\n"
            % (spack_scope.PESO_REPO, ", ".join(ROOTS))
        )
    out = os.path.join(work, "out")
    proc = demo_stack.peso(
        "stack", "build", "--target", "host", "--env", env_dir, "-C", scope, "--out", out, "--installers", "2"
    )
    return proc, load_json(os.path.join(out, "build.json")), out


def test_two_local_installers_build_each_spec_once(cooperating_build):
    proc, record, out = cooperating_build
    assert proc.returncode == 1, proc.stdout + proc.stderr  # peso-demo-broken fails on purpose
    assert statuses(record) == {
        "peso-demo-lib": "BUILT",
        "peso-demo-app": "BUILT",
        "peso-demo-data": "BUILT",
        "peso-demo-broken": "BUILD_FAILED",
    }
    counts = built_counts(os.path.join(out, "installers"))
    assert counts and max(counts.values()) == 1, counts  # no spec built twice
    assert {c.rsplit("-", 2)[0] for c in counts} >= {"peso-demo-lib", "peso-demo-app", "peso-demo-data"}
    tasks = record["installers"]["tasks"]
    assert record["installers"]["launcher"] == "local" and [t["task"] for t in tasks] == [0, 1]
    assert all(t["pid"] and t["node"] for t in tasks)  # both started and said who they are
    assert record["installers"]["duplicates"] == []
    assert re.search(r"^==> installer 1 on \S+ built \d+ spec\(s\)$", proc.stdout + proc.stderr, re.M)
    rows = {r["package"]: r for r in record["specs"]}
    for name in ("peso-demo-lib", "peso-demo-app", "peso-demo-data"):
        owner = rows[name]["built_by"]
        assert any(b.startswith(name + "-1.0") for b in tasks[owner["task"]]["built"]), (name, tasks)
    assert "this_symbol_does_not_exist" in rows["peso-demo-broken"]["reason"]


def _build_args(**given):
    fields = dict(scopes=[], config=[], jobs=None, only=[], mirror=None, use_buildcache=None, buildcache=None)
    fields.update(key=None, unsigned=False, parallel_packages=None, installers=None)
    fields.update(given)
    return argparse.Namespace(**fields)


def test_nodes_mean_one_installer_per_node_in_the_job_and_the_in_job_build(tmp_path):
    place = session.resolve("host", env_dir=str(tmp_path), out=str(tmp_path / "out"))
    args = _build_args()
    facts = installer_tasks(args, SchedulerFacts(kind="slurm", nodes=3))
    assert facts.tasks_per_shard == 3 and args.installers == 3
    argv = inner_argv(args, place)
    assert argv[argv.index("--installers") + 1] == "3"
    args = _build_args(installers=4)  # several per node, the nodes' cores shared out between them
    facts = installer_tasks(args, SchedulerFacts(kind="slurm", nodes=2, cores_per_node=64))
    assert facts.tasks_per_shard == 4 and facts.directives == ["--cpus-per-task=32"]
    args = _build_args()  # one node, no --installers: today's single installer
    assert installer_tasks(args, SchedulerFacts(kind="slurm")).tasks_per_shard == 1
    assert "--installers" not in inner_argv(args, place)


def test_the_srun_step_keeps_every_task_and_the_jobs_cores_per_task(tmp_path):
    env = {"SLURM_JOB_ID": "7", "SLURM_CPUS_PER_TASK": "32"}
    argv = installers.Cooperating(["spack", "install"], str(tmp_path), 4, env).srun_argv()
    assert argv[:6] == ["srun", "--ntasks=4", "--kill-on-bad-exit=0", "--wait=0", "--cpus-per-task=32", argv[5]]
    assert argv[5] == "--output=%s/installers/installer-%%t.log" % tmp_path
    assert argv[-2:] == ["spack", "install"]


def test_installers_refuse_parallel_packages_and_idle_nodes():
    with pytest.raises(PesoError, match="give one"):
        installer_tasks(_build_args(parallel_packages=2), SchedulerFacts(kind="slurm", nodes=2))
    with pytest.raises(PesoError, match="would have no installer"):
        installer_tasks(_build_args(installers=2), SchedulerFacts(kind="slurm", nodes=3))
    # PBS and Flux jobs start the installers as processes of the first node: several nodes would idle
    with pytest.raises(PesoError, match="under pbs they run on one node"):
        installer_tasks(_build_args(installers=4), SchedulerFacts(kind="pbs", nodes=2))
    assert installer_tasks(_build_args(installers=2), SchedulerFacts(kind="flux", nodes=1)).tasks_per_shard == 2


def test_a_lost_local_installer_is_reported_and_a_retry_pass_is_one_more_installer(tmp_path):
    """Real processes, no Spack: installer 1 kills itself, the retry installs what is left."""
    says_built = "echo '==> x: Successfully installed x-1.0-%s'" % HASH
    fake_spack = ["sh", "-c", 'if [ "$PESO_INSTALLER_TASK" = 1 ]; then kill -9 $$; fi; ' + says_built]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}  # not in an allocation
    cooperating = installers.Cooperating(fake_spack, str(tmp_path), 2, env)
    assert cooperating.launcher == "local"
    lines = []
    assert cooperating.run(lines.append) == 9
    first, lost = cooperating.installers
    assert first.exit_status == 0 and first.built == {HASH: "x-1.0"} and first.host
    assert lost.exit_status == -9 and lost.lost == "killed by SIGKILL" and lost.pid
    assert cooperating.troubled()
    assert any(line.startswith("==> peso installer 1 on ") for line in lines)
    assert cooperating.retry(["sh", "-c", says_built], lines.append) == 0
    retry = cooperating.installers[2]
    assert retry.retry and retry.task == 2 and retry.built == {HASH: "x-1.0"}
    assert cooperating.duplicates() == ["x-1.0-" + HASH]  # the fake said it twice: counted, not hidden
