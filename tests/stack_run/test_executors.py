"""Executors without a stack: scheduler facts, batch scripts and command lines, fault
statuses, the in-job runner, and one GPU job through the real local Slurm.

PBS and Flux have no server here: their scripts and argv are checked on their text
against what the facility documents (Aurora: ``-l filesystems``, ``-A``, ``-q``; Flux:
``# flux:`` directives, one ``flux batch`` per shard).
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from peso.errors import PesoError
from peso.stack.generate import model
from peso.stack.run.executors import resolve_facts
from peso.stack.run.executors.base import JobState, classify_fault, parse_time, placeholder, shard_minutes
from peso.stack.run.executors.batch import BatchGroup
from peso.stack.run.executors.flux import Flux
from peso.stack.run.executors.pbs import PBS
from peso.stack.run.executors.slurm import Slurm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "spack-peso", "peso", "stack", "run", "executors", "shard_job.py")


def _facts(target, **overrides):
    found = model.find_target(target)
    return resolve_facts(found.doc, overrides, found.path)


def _group(facts, gpus=1, indices=(0, 1), minutes=12):
    return BatchGroup(
        name="gpu-1",
        indices=list(indices),
        gpus=gpus,
        minutes=minutes,
        facts=facts,
        run_id="RUN",
        manifest="/runs/RUN/jobs/manifest.json",
        logs="/runs/RUN/jobs/logs",
        python="/usr/bin/python3",
        runner="/x/shard_job.py",
        throttle=None,
        shard_names=["peso-a-lib-1111111", "peso-a-app-2222222"][: len(indices)],
    )


# --- facts ----------------------------------------------------------------------------


def test_target_profiles_carry_scheduler_facts_with_provenance():
    for target, kind in (
        ("frontier", "slurm"),
        ("perlmutter", "slurm"),
        ("aurora", "pbs"),
        ("el-capitan", "flux"),
        ("polaris", "pbs"),
        ("tuolumne", "flux"),
    ):
        doc = model.find_target(target).doc
        assert doc["scheduler"]["kind"] == kind
        assert doc["scheduler"]["node"]["cores"] > 0 and doc["scheduler"]["node"]["gpus"] > 0
        assert placeholder(doc["scheduler"]["account"]), target  # each user has their own
        assert any("scheduler" in p["fact"] for p in doc["provenance"]), target


def test_command_line_overrides_the_profile_and_says_so():
    facts = _facts("frontier", partition="extended", account="abc123", nodes=2, time="1:30:00")
    assert (facts.kind, facts.partition, facts.account, facts.nodes, facts.time_minutes) == (
        "slurm",
        "extended",
        "abc123",
        2,
        90,
    )
    assert facts.origin["partition"] == "command line"
    assert facts.origin["cores_per_node"].startswith("target ")
    assert facts.gpus_per_node == 8
    # another scheduler on the same machine keeps the node shape, not the other's language
    other = _facts("perlmutter", scheduler="flux")
    assert other.kind == "flux" and other.directives == [] and other.account is None
    assert other.gpus_per_node == 4


@pytest.mark.parametrize(
    "text, minutes", [("90", 90), ("30:00", 30), ("1:30:00", 90), ("1-00:00:00", 1440), ("0:00:30", 1)]
)
def test_time_formats(text, minutes):
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["abc", "1:2:3:4", "0", "-5"])
def test_bad_time_is_one_line_error(text):
    with pytest.raises(PesoError, match="--time"):
        parse_time(text)


def test_shard_time_limit_derives_from_timeout_and_queue_bounds():
    slurm = _facts("frontier")
    assert shard_minutes(10, slurm) == 2  # 10 s + 90 s start-up margin
    assert shard_minutes(600, slurm) == 12
    assert shard_minutes(600, _facts("frontier", time="5")) == 5  # --time wins
    assert shard_minutes(10, _facts("aurora")) == 5  # Aurora's queues start at 5 minutes
    assert shard_minutes(10**6, _facts("aurora")) == 360


# --- scripts and command lines -------------------------------------------------------


def test_slurm_script_for_two_gpu_shards_on_frontier():
    group = _group(_facts("frontier", account="abc123"))
    text = Slurm().script(group)
    assert text.splitlines()[:12] == [
        "#!/bin/bash",
        "#SBATCH --job-name=peso-RUN-gpu-1",
        "#SBATCH --array=0-1",
        "#SBATCH --time=0:12:00",
        "#SBATCH --nodes=1",
        "#SBATCH --ntasks=4",
        "#SBATCH --partition=batch",
        "#SBATCH --account=abc123",
        "#SBATCH --gpus-per-task=1",
        "#SBATCH --output=/runs/RUN/jobs/logs/slurm-%A_%a.out",
        "#SBATCH --no-requeue",
        "# shards: 0=peso-a-lib-1111111, 1=peso-a-app-2222222",
    ]
    assert text.endswith('exec /usr/bin/python3 /x/shard_job.py /runs/RUN/jobs/manifest.json "$SLURM_ARRAY_TASK_ID"\n')
    assert "export PESO_LAUNCHER=srun" in text
    assert Slurm().submissions(group, "/s.sbatch") == [(["sbatch", "--parsable", "/s.sbatch"], [0, 1])]
    assert Slurm().parse_submit("4242\n", [0, 1]) == {0: "4242_0", 1: "4242_1"}
    assert Slurm().parse_submit("4242;frontier\n", [3]) == {3: "4242_3"}


def test_slurm_script_perlmutter_uses_constraint_and_qos_gres_and_throttle():
    facts = _facts("perlmutter", account="m1234_g")
    facts.gpu_request = "gres"
    group = _group(facts, indices=[1, 4, 5])
    group.throttle = 2
    text = Slurm().script(group)
    assert "#SBATCH --array=1,4-5%2\n" in text
    assert "#SBATCH --gres=gpu:4\n" in text  # one GPU per task, 4 tasks
    assert "#SBATCH --constraint=gpu\n#SBATCH --qos=regular\n" in text
    assert "--partition" not in text


def test_pbs_script_for_two_shards_on_aurora():
    group = _group(_facts("aurora", account="MyProject"), gpus=0, minutes=shard_minutes(60, _facts("aurora")))
    text = PBS().script(group)
    assert text.splitlines() == [
        "#!/bin/bash",
        "#PBS -N peso-RUN-gpu-1",
        "#PBS -J 0-1",
        "#PBS -l select=1",
        "#PBS -l walltime=0:05:00",
        "#PBS -q prod",
        "#PBS -A MyProject",
        "#PBS -l filesystems=home:flare",
        "#PBS -l place=scatter",
        "#PBS -o /runs/RUN/jobs/logs/",
        "#PBS -j oe",
        "#PBS -r n",
        "#PBS -V",
        "# shards: 0=peso-a-lib-1111111, 1=peso-a-app-2222222",
        "SHARDS=(0 1)",
        "export PESO_LAUNCHER=mpiexec",
        'exec /usr/bin/python3 /x/shard_job.py /runs/RUN/jobs/manifest.json "${SHARDS[${PBS_ARRAY_INDEX:-0}]}"',
    ]
    assert PBS().submissions(group, "/s.pbs") == [(["qsub", "/s.pbs"], [0, 1])]
    assert PBS().parse_submit("123[].aurora-pbs-01\n", [3, 7]) == {3: "123[0].aurora-pbs-01", 7: "123[1].aurora-pbs-01"}
    single = _group(_facts("aurora"), gpus=0, indices=[3])
    assert "#PBS -J" not in PBS().script(single) and "SHARDS=(3)" in PBS().script(single)
    assert PBS().parse_submit("124.aurora-pbs-01\n", [3]) == {3: "124.aurora-pbs-01"}


def test_flux_script_and_one_flux_batch_per_shard_on_el_capitan():
    group = _group(_facts("el-capitan", account="guests"))
    text = Flux().script(group)
    assert text.splitlines() == [
        "#!/bin/bash",
        "# flux: --job-name=peso-RUN-gpu-1",
        "# flux: -N 1",
        "# flux: -n 4",
        "# flux: -g 1",
        "# flux: -t 12m",
        "# flux: -q pbatch",
        "# flux: --setattr=bank=guests",
        "# flux: --output=/runs/RUN/jobs/logs/flux-{{id}}.out",
        "# shards: 0=peso-a-lib-1111111, 1=peso-a-app-2222222",
        "export PESO_LAUNCHER='flux run'",
        'exec /usr/bin/python3 /x/shard_job.py /runs/RUN/jobs/manifest.json "$1"',
    ]
    assert Flux().submissions(group, "/s.flux") == [
        (["flux", "batch", "/s.flux", "0"], [0]),
        (["flux", "batch", "/s.flux", "1"], [1]),
    ]
    assert Flux().parse_submit("ƒM7Zq9AKHno\n", [1]) == {1: "ƒM7Zq9AKHno"}
    assert Flux().query_argv(["ƒA", "ƒB"])[:3] == ["flux", "jobs", "-a"]


# --- scheduler answers -> states -> statuses ------------------------------------------

# Real `scontrol -o show job` lines from slurm-wlm 22.05.8 on this machine (trimmed).
SCONTROL = (
    "JobId=5 JobName=wrap UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:9 "
    "RunTime=00:01:15 TimeLimit=00:01:00 NodeList=vm BatchHost=vm\n"
    "JobId=2 ArrayJobId=2 ArrayTaskId=2-3%2 ArrayTaskThrottle=2 JobName=wrap JobState=PENDING "
    "Reason=JobArrayTaskLimit NodeList=(null)\n"
    "JobId=3 ArrayJobId=2 ArrayTaskId=0 JobName=wrap JobState=COMPLETED Reason=None ExitCode=0:0 NodeList=vm\n"
)


def test_scontrol_lines_become_states_per_array_element():
    states = Slurm.parse_scontrol(SCONTROL)
    assert states["5"].state == "TIMEOUT" and states["5"].reason == "TimeLimit"
    assert states["5"].ended is None  # the trimmed line has no EndTime
    ended = Slurm.parse_scontrol("JobId=6 JobState=CANCELLED EndTime=2026-11-29T12:47:30\n")["6"].ended
    assert time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ended)) == "2026-11-29T12:47:30"
    assert states["2_2"].state == states["2_3"].state == "PENDING" and states["2_2"].node == ""
    assert states["2_0"] == JobState("2_0", "COMPLETED", "None", "vm", "0:0", None)
    assert states["2_2"].active and not states["2_0"].active


def test_sacct_lines_become_states():
    states = Slurm.parse_sacct(
        "7_0|CANCELLED by 0|None|vm|0:15|2026-11-29T12:47:30\n"
        "7_[1-2]|PENDING|JobArrayTaskLimit|None assigned|0:0|Unknown\n"
    )
    assert states["7_0"].state == "CANCELLED" and states["7_0"].node == "vm" and states["7_0"].ended
    assert states["7_1"].ended is None
    assert states["7_1"].state == states["7_2"].state == "PENDING"


def test_qstat_json_and_flux_jobs_become_states():
    qstat = json.dumps(
        {
            "Jobs": {
                "1[0].s": {"job_state": "F", "Exit_status": -29, "exec_host": "x1/0*208"},
                "1[1].s": {"job_state": "F", "Exit_status": 271},
                "1[2].s": {"job_state": "R", "exec_host": "x2/0"},
                "2.s": {"job_state": "F"},
            }
        }
    )
    states = PBS.parse_states(qstat)
    assert [states[k].state for k in ("1[0].s", "1[1].s", "1[2].s", "2.s")] == [
        "TIMEOUT",
        "CANCELLED",
        "RUNNING",
        "CANCELLED",
    ]
    assert states["1[0].s"].node == "x1"
    flux = Flux.parse_states("ƒA|INACTIVE|TIMEOUT||n1\nƒB|RUN|||n2\nƒC|INACTIVE|FAILED|node-failure|n3\n")
    assert (flux["ƒA"].state, flux["ƒB"].state, flux["ƒC"].state) == ("TIMEOUT", "RUNNING", "NODE_FAIL")


@pytest.mark.parametrize(
    "state, started, expected",
    [
        ("TIMEOUT", True, ("TIMEOUT", False)),
        ("CANCELLED", True, ("ERROR", False)),
        ("CANCELLED", False, ("NOT_RUN", False)),
        ("NODE_FAIL", True, ("ERROR", True)),
        ("BOOT_FAIL", False, ("NOT_RUN", True)),
        ("OUT_OF_MEMORY", True, ("ERROR", False)),
        ("UNKNOWN", False, ("NOT_RUN", True)),
        ("UNKNOWN", True, ("ERROR", False)),
        ("FAILED", True, ("ERROR", False)),
    ],
)
def test_faults_become_statuses(state, started, expected):
    status, reason, retriable = classify_fault(JobState("9_1", state, "NodeDown", "n7"), started, "test_wait")
    assert (status, retriable) == expected
    assert "9_1" in reason or "n7" in reason


def test_time_limit_fault_names_the_hung_part():
    status, reason, _ = classify_fault(JobState("9_1", "TIMEOUT", "TimeLimit"), True, "test_wait")
    assert reason.startswith("killed by the scheduler at its time limit while running test_wait")


# --- the in-job runner ----------------------------------------------------------------


def _manifest(tmp_path, argv, timeout):
    stage = tmp_path / "stage"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"timeout": timeout, "shards": [{"index": 0, "stage": str(stage), "argv": argv}]}))
    return manifest, stage


def test_runner_enforces_timeout_and_kills_the_whole_group(tmp_path):
    manifest, stage = _manifest(tmp_path, ["sh", "-c", "sleep 6071 & sleep 6072; wait"], 1)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, RUNNER, str(manifest), "0"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 120  # killed at the 1 s timeout, not after the 6071 s sleep
    end = json.loads((stage / "job-end.json").read_text())
    assert end["timed_out"] is True and end["signalled"] is None
    assert json.loads((stage / "job-start.json").read_text())["host"]
    deadline = time.monotonic() + 60  # SIGKILL is delivered asynchronously
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-f", "sleep 607[12]"], capture_output=True, text=True).stdout.strip()
        if not left:
            break
        time.sleep(0.1)
    assert left == ""


def test_runner_records_the_schedulers_signal(tmp_path):
    manifest, stage = _manifest(tmp_path, ["sleep", "60"], 600)
    proc = subprocess.Popen([sys.executable, RUNNER, str(manifest), "-"], env=dict(os.environ, PESO_SHARD_INDEX="0"))
    deadline = time.monotonic() + 300
    while not (stage / "job-start.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)  # what Slurm sends at the time limit or on scancel
    assert proc.wait(timeout=300) == 0
    end = json.loads((stage / "job-end.json").read_text())
    assert end["signalled"] == "SIGTERM" and end["timed_out"] is False


# --- command line ---------------------------------------------------------------------


def _peso(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "peso", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--detach"], "--detach needs a batch scheduler"),
        (["--scheduler", "slurm", "--time", "soon"], "--time 'soon'"),
        (["--scheduler", "slurm", "--retry-node-fail", "-1"], "--retry-node-fail must be 0 or more"),
        (["--scheduler", "cobalt"], "invalid choice"),
        (["--scheduler", "pbs", "--account", "x"], "qsub not found"),
        (["--target", "frontier", "--scheduler", "slurm"], "account is a placeholder (<PROJID>): give --account"),
    ],
)
def test_bad_scheduler_options_are_one_line_errors(tmp_path, args, message):
    env = tmp_path / "env"
    env.mkdir()
    (env / "spack.yaml").write_text("spack: {specs: []}\n")
    proc = _peso(
        "stack", "test", "--target", "host", "--env", str(env), "--out", str(tmp_path / "out"), *args, cwd=str(tmp_path)
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert message in lines[-1]
    if message != "invalid choice":  # argparse prints its usage first; ours is one line
        assert len(lines) == 1, proc.stderr
    assert not (tmp_path / "out").exists()


def test_attach_to_a_missing_or_local_run_is_one_line_error(tmp_path):
    proc = _peso("stack", "test", "--attach", str(tmp_path / "nothing"), cwd=str(tmp_path))
    assert proc.returncode == 2 and "cannot read run record" in proc.stderr
    record = {
        "schema": "peso-stack-test/1",
        "kind": "test",
        "run_id": "r",
        "target": "host",
        "started": "t0",
        "specs": [],
    }
    (tmp_path / "record.json").write_text(json.dumps(record))
    proc = _peso("stack", "test", "--attach", str(tmp_path), cwd=str(tmp_path))
    assert proc.returncode == 2 and "not a batch run" in proc.stderr


def test_placeholder_account_must_be_given(tmp_path):
    assert placeholder("<PROJID>") and not placeholder("abc123") and not placeholder(None)


# --- one GPU job through the real Slurm ----------------------------------------------


@pytest.mark.slurm
def test_gpu_shard_gets_a_gpu_from_real_slurm(slurm_cluster, tmp_path):
    facts = resolve_facts(None, {"scheduler": "slurm"})
    facts.gpus_per_node = 2
    manifest, stage = _manifest(tmp_path, ["sh", "-c", 'echo "$CUDA_VISIBLE_DEVICES" > gpu.txt'], 60)
    os.makedirs(str(stage))
    group = BatchGroup(
        name="gpu-1",
        indices=[0],
        gpus=1,
        minutes=1,
        facts=facts,
        run_id="t",
        manifest=str(manifest),
        logs=str(tmp_path),
        runner=RUNNER,
        shard_names=["probe"],
    )
    script = tmp_path / "gpu.sbatch"
    script.write_text(Slurm().script(group))
    ((argv, covered),) = Slurm().submissions(group, str(script))
    proc = subprocess.run(
        argv, capture_output=True, text=True, cwd=str(stage), env=dict(os.environ, **slurm_cluster.env)
    )
    assert proc.returncode == 0, proc.stderr
    job = Slurm().parse_submit(proc.stdout, covered)[0]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state = Slurm().query([job], dict(os.environ, **slurm_cluster.env))[job]
        if not state.active:
            break
        time.sleep(0.5)
    assert state.state == "COMPLETED", state
    assert json.loads((stage / "job-end.json").read_text())["rc"] == 0
    assert (stage / "gpu.txt").read_text().strip() == "0"  # Slurm bound one of the node's two GPUs


# --- which part a signal interrupted ----------------------------------------------------


def test_killed_part_running_then_signal_exit_then_first_missing():
    from peso.stack.run.executors.base import killed_part

    running = [{"name": "test_hello", "status": "PASSED"}, {"name": "test_wait", "status": "RUNNING"}]
    assert killed_part(running, ["test_hello", "test_wait"]) == "test_wait"
    # Slurm's SIGTERM reached the test program first: Spack logged the part FAILED (143)
    signalled = [
        {"name": "test_hello", "status": "PASSED"},
        {"name": "test_wait", "status": "FAILED", "message": "Command exited with status 143:"},
    ]
    assert killed_part(signalled, ["test_hello", "test_wait"]) == "test_wait"
    genuine = [{"name": "test_wait", "status": "FAILED", "message": "Command exited with status 1:"}]
    assert killed_part(genuine, ["test_wait"]) is None
    # the header of the hung part never reached the log
    assert killed_part([{"name": "test_hello", "status": "PASSED"}], ["test_hello", "test_wait"]) == "test_wait"


def test_schedulers_register_themselves_and_everything_derives_from_the_registry():
    from peso.stack.generate.model import data_file
    from peso.stack.run.executors import REGISTRY, adapter, kinds
    from peso.stack.run.executors.base import job_variables

    assert kinds() == ("local", "flux", "pbs", "slurm")
    assert {k: type(adapter(k)).__name__ for k in REGISTRY} == {"flux": "Flux", "pbs": "PBS", "slurm": "Slurm"}
    enum = data_file("target.schema.yaml")["properties"]["scheduler"]["properties"]["kind"]["enum"]
    assert sorted(enum) == sorted(kinds())  # the profile schema accepts exactly the registered kinds
    variables = job_variables()
    assert {"PESO_SHARD_INDEX", "SLURM_ARRAY_TASK_ID", "PBS_ARRAY_INDEX"} <= set(variables["index"])
    assert {"SLURM_JOB_ID", "PBS_JOBID", "FLUX_JOB_ID"} <= set(variables["job_id"])
    with pytest.raises(ValueError):
        adapter("lsf")


def test_the_in_job_runner_names_an_array_element_the_way_its_scheduler_does(monkeypatch):
    from peso.stack.run.executors import shard_job
    from peso.stack.run.executors.base import job_variables

    variables = job_variables()
    assert ["SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"] in variables["array_job_id"]
    for name in ("SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_JOB_ID", "PBS_JOBID", "FLUX_JOB_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PBS_JOBID", "17[3].pbs")
    assert shard_job.job_id(variables["job_id"], variables["array_job_id"]) == "17[3].pbs"
    monkeypatch.delenv("PBS_JOBID")
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    monkeypatch.setenv("SLURM_ARRAY_JOB_ID", "40")
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "2")
    assert shard_job.job_id(variables["job_id"], variables["array_job_id"]) == "40_2"
