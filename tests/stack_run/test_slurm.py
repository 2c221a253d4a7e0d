"""``stack test --scheduler slurm`` on a real one-node Slurm (scripts/slurm-local.sh).

The demo stack of the session (conftest ``demo_stack``) is tested through sbatch job
arrays on this machine: the same statuses as local shards, then each fault a facility
produces: a job killed at Slurm's time limit, ``scancel`` of a running and of a pending
job, a driver killed with SIGKILL and re-attached, a node failure resubmitted by
``--retry-node-fail``. The time-limit run is submitted detached first (Slurm checks limits
about every 30 s, so it takes 60-90 s) and collected with ``--attach`` near the end, so
its wait overlaps the other tests; it starts only after the tests that run peso-demo-hang
themselves, because two ``spack test run`` of the same installed spec at once have been
seen to stall one of them after ``test_hello`` (reproduced with local shards too). The
node-failure test downs the only node: it is last.

Nothing here depends on how fast the machine is: a test that signals or kills the driver
while its jobs are outstanding first drains the node (``drained``), so the jobs stay
pending until it has; waits are on events (a record field, a log line) with ceilings of
minutes, and a timed-out wait says what the record and the log showed.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from peso_testing import DEMO_STATUSES, built_counts, load_json, record_of, statuses

pytestmark = [pytest.mark.slurm, pytest.mark.e2e]

TIMEOUT = 10


def _env(demo_stack, cluster):
    return dict(demo_stack.env, **cluster.env)


def _peso(demo_stack, cluster, *args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "peso", *args],
        capture_output=True,
        text=True,
        env=_env(demo_stack, cluster),
        cwd=demo_stack.work,
        timeout=timeout,
    )


def _popen(demo_stack, cluster, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "peso", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(demo_stack, cluster),
        cwd=demo_stack.work,
    )


def _rows(record):
    return {r["package"]: r for r in record["specs"]}


#: ceiling of every wait on an event: a loaded 2-core machine starts a Spack test in
#: seconds to a minute; nothing here should ever take this long
WAIT = 600


def _wait_for(record_path, predicate, what, deadline=WAIT, proc=None):
    end = time.monotonic() + deadline
    record = None
    while time.monotonic() < end:
        if os.path.exists(record_path):
            record = load_json(record_path)
            if predicate(record):
                return record
        if proc is not None and proc.poll() is not None:
            break  # the driver ended: the event cannot come any more
        time.sleep(0.3)
    rows = json.dumps(record["specs"] if record else None, indent=1)[:4000]
    logs = {r["package"]: _log_of(record, r["package"])[-1500:] for r in record["specs"]} if record else {}
    driver = "exited %s" % proc.returncode if proc is not None and proc.poll() is not None else "still running"
    raise AssertionError(
        "no %s in %s (driver %s)\nrows: %s\nlogs: %s" % (what, record_path, driver, rows, json.dumps(logs, indent=1))
    )


@contextlib.contextmanager
def drained(cluster):
    """The only node accepts no new job inside the block (running ones go on), so jobs
    submitted meanwhile stay pending whatever the machine's speed; resumed on the way out."""
    node = cluster.run("sinfo", "-h", "-o", "%N").stdout.strip()
    cluster.run("scontrol", "update", "NodeName=%s" % node, "State=DRAIN", "Reason=peso-test-hold")
    try:
        yield node
    finally:
        _resume(cluster, node)


def _resume(cluster, node):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = cluster.run("sinfo", "-h", "-o", "%t").stdout.strip()
        if state.startswith(("idle", "mix", "alloc")):
            return
        cluster.run("scontrol", "update", "NodeName=%s" % node, "State=RESUME", check=False)
        time.sleep(1)
    raise AssertionError("node %s did not come back: %s" % (node, state))


def _log_of(record, package):
    row = _rows(record)[package]
    if not record.get("executor"):
        return ""
    stage = os.path.join(
        os.path.dirname(record["executor"]["manifest"]), "..", "stage", "peso-host-%s-%s" % (package, row["hash"][:7])
    )
    for folder, _, files in os.walk(stage):
        for name in files:
            if name.endswith("-test-out.txt"):
                with open(os.path.join(folder, name), errors="replace") as f:
                    return f.read()
    return ""


def _started_parts(log):
    return re.findall(r"^==> \[[^]]+\] test: (test_\w+):", log, re.M)


def _running_part(record, package, part):
    """The row's job is RUNNING and its Spack log shows ``part`` (or any part: None) started."""
    if _rows(record)[package].get("scheduler_state") != "RUNNING":
        return False
    started = _started_parts(_log_of(record, package))
    return bool(started) if part is None else part in started


@pytest.fixture(scope="module")
def timelimit_run(demo_stack, slurm_cluster):
    """A hang whose Slurm job has a 1-minute limit and a 600 s --timeout: Slurm kills it."""
    proc = _peso(
        demo_stack,
        slurm_cluster,
        *demo_stack.stack_args(
            "test", "--scheduler", "slurm", "--only", "peso-demo-hang", "--timeout", "600", "--time", "1", "--detach"
        ),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "--attach" in out
    return record_of(out), out


def test_slurm_gives_the_same_statuses_as_local(demo_stack, slurm_cluster):
    local = _peso(
        demo_stack,
        slurm_cluster,
        *demo_stack.stack_args("test", "--scheduler", "local", "-j", "2", "--timeout", str(TIMEOUT)),
    )
    slurm = _peso(
        demo_stack, slurm_cluster, *demo_stack.stack_args("test", "--scheduler", "slurm", "--timeout", str(TIMEOUT))
    )
    local_out, slurm_out = local.stdout + local.stderr, slurm.stdout + slurm.stderr
    assert local.returncode == slurm.returncode == 1, slurm_out
    local_record, slurm_record = load_json(record_of(local_out)), load_json(record_of(slurm_out))
    assert statuses(slurm_record) == statuses(local_record) == DEMO_STATUSES
    for package, row in _rows(slurm_record).items():
        local_parts = {p["name"]: p["status"] for p in _rows(local_record)[package]["parts"]}
        assert {p["name"]: p["status"] for p in row["parts"]} == local_parts, package
    rows = _rows(slurm_record)
    assert rows["peso-demo-hang"]["hung_part"] == "test_wait"
    assert "answer: 41" in rows["peso-demo-fail"]["log_excerpt"]
    # every shard ran as an element of one job array, on the cluster's node
    assert slurm_record["executor"]["kind"] == "slurm"
    job_ids = {rows[p]["job_id"] for p in ("peso-demo-lib", "peso-demo-app", "peso-demo-fail", "peso-demo-hang")}
    assert len(job_ids) == 4 and len({j.split("_")[0] for j in job_ids}) == 1
    node = slurm_cluster.run("sinfo", "-h", "-o", "%N").stdout.strip()
    assert {rows[p]["node"] for p in ("peso-demo-lib", "peso-demo-hang")} == {node}
    script = slurm_record["executor"]["submissions"][0]["script"]
    with open(script) as f:
        text = f.read()
    assert "#SBATCH --array=0-3\n" in text and "#SBATCH --time=0:02:00\n" in text  # 10 s + 90 s margin
    # the same reports as a local run
    run_dir = os.path.dirname(record_of(slurm_out))
    cases = [(c.get("classname"), c.get("name")) for c in ET.parse(os.path.join(run_dir, "junit.xml")).iter("testcase")]
    assert ("host.peso-demo-hang", "test_wait") in cases
    assert os.path.isfile(os.path.join(run_dir, "report.html"))


def test_scancel_running_job_is_error_and_pending_job_is_not_run(demo_stack, slurm_cluster):
    # -j 1 throttles the array to one running element: the second stays pending
    proc = _popen(
        demo_stack,
        slurm_cluster,
        *demo_stack.stack_args(
            "test", "--scheduler", "slurm", "-j", "1", "--timeout", "300", "--only", "peso-demo-hang,peso-demo-lib"
        ),
    )
    record_path = proc.stdout.readline().split("run record:", 1)[1].strip()
    # Which part runs when we cancel does not matter (under load Spack has been seen to
    # stall after test_hello's output); the row must name the part the log shows running.
    record = _wait_for(record_path, lambda r: _running_part(r, "peso-demo-hang", None), "running hang", proc=proc)
    time.sleep(1)
    rows = _rows(record)
    running = _started_parts(_log_of(record, "peso-demo-hang"))[-1]
    assert rows["peso-demo-lib"]["scheduler_state"] in ("SUBMITTED", "PENDING")
    slurm_cluster.run("scancel", rows["peso-demo-lib"]["job_id"])
    slurm_cluster.run("scancel", rows["peso-demo-hang"]["job_id"])
    output = proc.stdout.read()
    assert proc.wait(timeout=WAIT) == 1, output
    proc.stdout.close()
    rows = _rows(load_json(record_path))
    hang, lib = rows["peso-demo-hang"], rows["peso-demo-lib"]
    assert hang["status"] == "ERROR" and hang["scheduler_state"] == "CANCELLED"
    final_running = _started_parts(_log_of(load_json(record_path), "peso-demo-hang"))[-1]
    assert "cancelled while running %s" % final_running in hang["reason"], (running, hang["reason"])
    assert {p["name"]: p["status"] for p in hang["parts"]}[final_running] == "ERROR"
    assert lib["status"] == "NOT_RUN" and "cancelled before it started" in lib["reason"]
    assert lib["parts"] == [] and lib.get("node") is None


def _held_run(demo_stack, slurm_cluster):
    """A run of lib and fail whose jobs are submitted (ids in the record) and held
    pending by the drained node: the driver is certainly still waiting on them."""
    proc = _popen(
        demo_stack,
        slurm_cluster,
        *demo_stack.stack_args(
            "test", "--scheduler", "slurm", "--timeout", "60", "--only", "peso-demo-lib,peso-demo-fail"
        ),
    )
    record_path = proc.stdout.readline().split("run record:", 1)[1].strip()
    _wait_for(record_path, lambda r: all(row.get("job_id") for row in r["specs"]), "job ids", proc=proc)
    return proc, record_path


def test_driver_killed_midrun_loses_nothing_and_attach_collects(demo_stack, slurm_cluster, timelimit_run):
    with drained(slurm_cluster):
        proc, record_path = _held_run(demo_stack, slurm_cluster)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=WAIT) == -signal.SIGKILL
        proc.stdout.close()
        killed = load_json(record_path)
        assert killed["complete"] is False and set(statuses(killed).values()) == {"PENDING"}, killed["specs"]
    attach = _peso(demo_stack, slurm_cluster, "stack", "test", "--attach", os.path.dirname(record_path), timeout=WAIT)
    out = attach.stdout + attach.stderr
    assert attach.returncode == 1, out
    record = load_json(record_path)
    assert record["complete"] is True
    assert statuses(record) == {"peso-demo-lib": "PASSED", "peso-demo-fail": "FAILED"}
    assert [r["job_id"] for r in record["specs"]] == [r["job_id"] for r in killed["specs"]]  # the same jobs
    assert re.search(r"peso-demo-fail\s+host\s+FAILED", out), out
    assert os.path.isfile(os.path.join(os.path.dirname(record_path), "report.html"))


def test_ctrl_c_leaves_the_jobs_running_and_says_how_to_attach(demo_stack, slurm_cluster):
    with drained(slurm_cluster):
        proc, record_path = _held_run(demo_stack, slurm_cluster)
        proc.send_signal(signal.SIGINT)
        output = proc.stdout.read()
        assert proc.wait(timeout=WAIT) == 130, output
        proc.stdout.close()
    assert "the jobs keep running: spack peso stack test --attach %s" % os.path.dirname(record_path) in output
    interrupted = load_json(record_path)
    assert interrupted["detached"] is True and interrupted["complete"] is False
    attach = _peso(demo_stack, slurm_cluster, "stack", "test", "--attach", record_path, timeout=WAIT)
    assert attach.returncode == 1, attach.stdout + attach.stderr
    assert statuses(load_json(record_path)) == {"peso-demo-lib": "PASSED", "peso-demo-fail": "FAILED"}


def test_job_killed_at_slurm_time_limit_is_timeout_with_hung_part(demo_stack, slurm_cluster, timelimit_run):
    record_path, submit_output = timelimit_run
    attach = _peso(demo_stack, slurm_cluster, "stack", "test", "--attach", record_path, timeout=WAIT)
    out = attach.stdout + attach.stderr
    assert attach.returncode == 1, out
    record = load_json(record_path)
    hang = _rows(record)["peso-demo-hang"]
    assert hang["status"] == "TIMEOUT" and hang["scheduler_state"] == "TIMEOUT"
    # The limit is one minute of the job, Spack's start-up included: on a quiet machine the
    # job is inside test_wait by then, on a loaded one it can still be in test_hello. The
    # row must name the part the log shows running, and mark it (only it) TIMEOUT.
    started = _started_parts(_log_of(record, "peso-demo-hang"))
    running = started[-1] if started else "test_hello"  # no header yet: the first expected part
    assert hang["reason"].startswith("killed by the scheduler at its time limit while running %s" % running)
    assert hang["hung_part"] == running
    parts = {p["name"]: p["status"] for p in hang["parts"]}
    assert parts[running] == "TIMEOUT" and all(s == "PASSED" for n, s in parts.items() if n != running), parts
    assert 55 <= hang["wall"] <= 300  # a 1-minute limit, checked by slurmctld about every 30 s (not the hour)


def test_stack_build_runs_inside_one_slurm_job(demo_stack, slurm_cluster, tmp_path):
    args = demo_stack.stack_args("build", "--scheduler", "slurm", "--only", "peso-demo-data,peso-demo-broken")
    out = str(tmp_path / "batch-build")
    args[args.index("--out") + 1] = out
    proc = _peso(demo_stack, slurm_cluster, *args)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text  # peso-demo-broken fails to build on purpose
    assert re.search(r"submitted build: job \d+_0", text)
    record = load_json(os.path.join(out, "build.json"))
    assert statuses(record) == {"peso-demo-data": "BUILT", "peso-demo-broken": "BUILD_FAILED"}
    job = load_json(os.path.join(out, "build-job", "job.json"))["job_id"]
    state = slurm_cluster.run("scontrol", "-o", "show", "job", job.split("_")[0]).stdout
    assert "JobState=COMPLETED" in state  # the build ran as that job, not here
    with open(os.path.join(out, "build-job", "build.sbatch")) as f:
        assert "#SBATCH --time=2:00:00\n" in f.read()  # no --time, no queue maximum: 2 h
    assert os.path.isfile(os.path.join(out, "build.html"))


def _installer_build(demo_stack, tmp_path, only, *extra):
    """``stack build --scheduler slurm --installers 2`` args into a fresh install tree of its
    own (the session's demo is installed already: cooperating installers would only skip)."""
    args = demo_stack.stack_args(
        "build",
        "--scheduler",
        "slurm",
        "--installers",
        "2",
        "-c",
        "config:install_tree:root:" + str(tmp_path / "install"),
        "--only",
        only,
        *extra,
    )
    out = str(tmp_path / "installers-build")
    args[args.index("--out") + 1] = out
    return args, out


def test_stack_build_with_two_installers_runs_them_as_srun_tasks_building_each_spec_once(
    demo_stack, slurm_cluster, tmp_path
):
    args, out = _installer_build(demo_stack, tmp_path, "peso-demo-app,peso-demo-data,peso-demo-broken")
    proc = _peso(demo_stack, slurm_cluster, *args)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text  # peso-demo-broken fails on purpose
    record = load_json(os.path.join(out, "build.json"))
    assert statuses(record) == {"peso-demo-app": "BUILT", "peso-demo-data": "BUILT", "peso-demo-broken": "BUILD_FAILED"}
    with open(os.path.join(out, "build-job", "build.sbatch")) as f:
        assert "#SBATCH --ntasks=2\n" in f.read()
    assert record["installers"]["launcher"] == "srun"
    tasks = record["installers"]["tasks"]
    assert [t["task"] for t in tasks] == [0, 1] and all(t["pid"] and t["node"] for t in tasks), tasks
    counts = built_counts(os.path.join(out, "installers"))
    assert counts and max(counts.values()) == 1, counts  # no spec built twice
    rows = _rows(record)
    for name in ("peso-demo-app", "peso-demo-data"):
        owner = rows[name]["built_by"]
        assert any(b.startswith(name + "-1.0") for b in tasks[owner["task"]]["built"]), (name, tasks)


def _descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        for child in children.get(current, []):
            found.append(child)
            queue.append(child)
    return found


def _lose(pid):
    """SIGKILL an installer and everything it started: what a node lost takes with it."""
    for victim in [pid, *_descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def test_an_installer_killed_mid_build_leaves_its_spec_to_the_other(demo_stack, slurm_cluster, tmp_path):
    args, out = _installer_build(demo_stack, tmp_path, "peso-demo-app,peso-demo-data")
    proc = _popen(demo_stack, slurm_cluster, *args)
    folder = os.path.join(out, "installers")
    victim = None
    end = time.monotonic() + WAIT
    while victim is None and time.monotonic() < end and proc.poll() is None:
        for task in (0, 1):
            path = os.path.join(folder, "installer-%d.log" % task)
            if os.path.exists(path):
                with open(path) as f:
                    log = f.read()
                building = re.search(r"^==> Installing (peso-demo-app-1\.0-[a-z0-9]{32})", log, re.M)
                header = re.search(r"^==> peso installer \d+ on \S+ pid (\d+)", log, re.M)
                if building and header:
                    victim = (task, int(header.group(1)), building.group(1))
                    _lose(victim[1])
                    break
        time.sleep(0.05)
    output = proc.stdout.read()
    proc.wait(timeout=WAIT)
    proc.stdout.close()
    assert victim is not None, "no installer started peso-demo-app:\n" + output
    task, pid, spec = victim
    record = load_json(os.path.join(out, "build.json"))
    assert statuses(record) == {"peso-demo-app": "BUILT", "peso-demo-data": "BUILT"}, output
    tasks = record["installers"]["tasks"]
    assert tasks[task]["lost"] == "Killed" and tasks[task]["pid"] == pid, tasks
    assert re.search(r"installer %d on \S+ built \d+ spec\(s\) lost: Killed" % task, output), output
    owner = _rows(record)["peso-demo-app"]["built_by"]["task"]
    assert owner != task and tasks[owner]["lost"] is None, tasks  # retried by an installer still there
    assert spec.rsplit("-", 1)[0] in tasks[owner]["built"], tasks
    counts = built_counts(folder)
    assert counts[spec] == 1 and max(counts.values()) == 1, counts


def test_attach_cancel_cancels_a_detached_runs_jobs_and_collects_them(demo_stack, slurm_cluster):
    with drained(slurm_cluster):  # the jobs stay pending: cancelled before they start
        submit = _peso(
            demo_stack,
            slurm_cluster,
            *demo_stack.stack_args(
                "test", "--scheduler", "slurm", "--detach", "--only", "peso-demo-lib,peso-demo-hang"
            ),
        )
        assert submit.returncode == 0, submit.stdout + submit.stderr
        record_path = record_of(submit.stdout + submit.stderr)
        cancel = _peso(demo_stack, slurm_cluster, "stack", "test", "--attach", record_path, "--cancel", timeout=WAIT)
    out = cancel.stdout + cancel.stderr
    assert cancel.returncode == 1, out
    assert "cancelling 2 jobs: scancel" in out
    record = load_json(record_path)
    assert record["complete"] is True and record["executor"]["cancelled"][0]["argv"][0] == "scancel"
    for row in record["specs"]:
        assert row["status"] == "NOT_RUN" and "cancelled before it started" in row["reason"], row


def test_node_failure_is_resubmitted_with_retry_node_fail(demo_stack, slurm_cluster):
    node = slurm_cluster.run("sinfo", "-h", "-o", "%N").stdout.strip()
    proc = _popen(
        demo_stack,
        slurm_cluster,
        *demo_stack.stack_args(
            "test", "--scheduler", "slurm", "--timeout", "8", "--retry-node-fail", "1", "--only", "peso-demo-hang"
        ),
    )
    record_path = proc.stdout.readline().split("run record:", 1)[1].strip()
    first = _wait_for(
        record_path, lambda r: _running_part(r, "peso-demo-hang", None), "first attempt running", proc=proc
    )
    try:
        slurm_cluster.run("scontrol", "update", "NodeName=%s" % node, "State=DOWN", "Reason=peso-node-test")
    finally:
        _resume(slurm_cluster, node)
    output = proc.stdout.read()
    assert proc.wait(timeout=WAIT) == 1, output
    proc.stdout.close()
    hang = _rows(load_json(record_path))["peso-demo-hang"]
    assert "resubmitting peso-demo-hang (NODE_FAIL)" in output
    assert hang["attempts"] == 2
    assert hang["previous_jobs"] == [
        {"job_id": _rows(first)["peso-demo-hang"]["job_id"], "state": "NODE_FAIL", "reason": "NodeDown"}
    ]
    assert hang["job_id"] != hang["previous_jobs"][0]["job_id"]
    # the second attempt ran in a fresh stage and hung like a hang does
    assert hang["status"] == "TIMEOUT" and hang["hung_part"] == "test_wait"
    assert os.path.isdir(
        os.path.join(os.path.dirname(record_path), "stage", "peso-host-peso-demo-hang-%s.try1" % hang["hash"][:7])
    )
