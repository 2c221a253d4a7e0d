"""Build and test the demo stack with real Spack; check every cell status.

One session build (conftest ``demo_stack``); each test run below is a real
``python -m peso stack test`` over the demo environment with its own run directory.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest
from peso_testing import DEMO_STATUSES, ROOT, dump_dom, load_json, record_of, statuses

TIMEOUT = 20


@pytest.fixture(scope="module")
def first_run(demo_stack):
    started = time.monotonic()
    proc = demo_stack.peso(*demo_stack.stack_args("test", "-j", "2", "--timeout", str(TIMEOUT)))
    wall = time.monotonic() - started
    out = proc.stdout + proc.stderr
    path = record_of(out)
    return proc.returncode, load_json(path), path, out, wall


def test_build_record_has_a_row_per_root_and_build_failure_is_a_row(demo_stack):
    record = load_json(os.path.join(demo_stack.out, "build.json"))
    assert demo_stack.build_exit == 1, demo_stack.build_output  # one build fails on purpose
    status = statuses(record)
    assert status == {
        "peso-demo-lib": "BUILT",
        "peso-demo-app": "BUILT",
        "peso-demo-fail": "BUILT",
        "peso-demo-hang": "BUILT",
        "peso-demo-data": "BUILT",
        "peso-demo-broken": "BUILD_FAILED",
    }
    broken = [r for r in record["specs"] if r["package"] == "peso-demo-broken"][0]
    assert "this_symbol_does_not_exist" in broken["reason"] + broken["log_excerpt"]
    assert broken["maintainers"] == ["peso-broken-maintainer"]
    assert "installing peso-demo-lib" in demo_stack.build_output  # progress display


def test_every_status_appears_with_parts_and_maintainers(first_run):
    rc, record, path, out, wall = first_run
    assert rc == 1, out
    assert record["complete"] is True and record["interrupted"] is False
    assert statuses(record) == DEMO_STATUSES
    rows = {r["package"]: r for r in record["specs"]}
    lib_parts = {p["name"]: p["status"] for p in rows["peso-demo-lib"]["parts"]}
    assert lib_parts == {
        "test_example_build": "PASSED",
        "test_example_run": "PASSED",
        "test_example": "PASSED",
        "test_gpu": "SKIPPED",
        "test_pesocalc": "PASSED",
    }
    fail = rows["peso-demo-fail"]
    assert {p["name"]: p["status"] for p in fail["parts"]} == {"test_answer": "FAILED", "test_runs": "PASSED"}
    assert "answer: 41" in fail["log_excerpt"]
    assert fail["maintainers"] == ["peso-fail-maintainer"]
    assert "tell: peso-fail-maintainer" in out  # terminal summary says whom to tell
    assert os.path.isfile(fail["log"])


def _row(record, package):
    return [r for r in record["specs"] if r["package"] == package][0]


def _running_part(row):
    """The last test part the shard's own log shows started (test_hello before any)."""
    text = open(row["log"], errors="replace").read() if row.get("log") and os.path.isfile(row["log"]) else ""
    started = re.findall(r"^==> \[[^]]+\] test: (test_\w+):", text, re.M)
    return started[-1] if started else "test_hello"


def test_timeout_names_the_hung_part_and_stops_in_time(first_run):
    rc, record, path, out, wall = first_run
    hang = [r for r in record["specs"] if r["package"] == "peso-demo-hang"][0]
    # On a quiet machine the shard is inside test_wait when --timeout strikes; on a loaded
    # one Spack's start-up can keep it in test_hello. The row must name the part its log
    # shows running, and mark it (only it) TIMEOUT.
    running = _running_part(hang)
    assert hang["hung_part"] == running
    parts = {p["name"]: p["status"] for p in hang["parts"]}
    assert parts[running] == "TIMEOUT" and all(s == "PASSED" for n, s in parts.items() if n != running), parts
    if running == "test_wait":
        assert parts == {"test_hello": "PASSED", "test_wait": "TIMEOUT"}
    assert TIMEOUT <= hang["wall"] <= TIMEOUT + 60  # killed at the timeout, not at the end of the hour
    # nothing of the killed shard survives
    left = subprocess.run(["pgrep", "-f", record["run_id"]], capture_output=True, text=True)
    assert left.stdout.strip() == ""


def test_junit_has_one_testcase_per_part(first_run):
    rc, record, path, out, wall = first_run
    tree = ET.parse(os.path.join(os.path.dirname(path), "junit.xml"))
    cases = [(c.get("classname"), c.get("name")) for c in tree.iter("testcase")]
    assert ("host.peso-demo-lib", "test_example_build") in cases
    assert ("host.peso-demo-hang", _running_part(_row(record, "peso-demo-hang"))) in cases
    assert ("host.peso-demo-docs", "not_installed") in cases
    assert sum(1 for c in cases if c[0] == "host.peso-demo-lib") == 5


def test_rerun_failed_runs_only_bad_cells_and_skip_is_reported(demo_stack, first_run):
    rc, record, path, out, wall = first_run
    proc = demo_stack.peso(
        *demo_stack.stack_args("test", "--rerun-failed", path, "--skip", "peso-demo-hang", "--timeout", str(TIMEOUT))
    )
    output = proc.stdout + proc.stderr
    rerun = load_json(record_of(output))
    assert rerun["rerun_of"] == record["run_id"]
    status = statuses(rerun)
    assert status["peso-demo-hang"] == "SKIPPED"
    assert status["peso-demo-fail"] == "FAILED"
    assert status["peso-demo-docs"] == "NOT_INSTALLED"
    rows = {r["package"]: r for r in rerun["specs"]}
    # passing cells are carried over, not run again
    assert rows["peso-demo-lib"]["carried_over_from"] == record["run_id"]
    assert rows["peso-demo-fail"].get("carried_over_from") is None
    assert not os.path.exists(
        os.path.join(
            os.path.dirname(record_of(output)), "stage", "peso-host-peso-demo-lib-" + rows["peso-demo-lib"]["hash"][:7]
        )
    )
    assert rows["peso-demo-hang"]["reason"] == "excluded with --skip"


#: ceiling of a wait on an event (a loaded 2-core machine needs seconds to a minute)
WAIT = 600


def _hang_started(record_path):
    """The hang's shard has started a test part: its Spack log shows a part header."""
    stage = os.path.join(os.path.dirname(record_path), "stage")
    for folder, _, files in os.walk(stage):
        if "peso-demo-hang" in folder:
            for name in files:
                if name.endswith("-test-out.txt"):
                    with open(os.path.join(folder, name), errors="replace") as f:
                        if "test: test_" in f.read():
                            return True
    return False


def _wait_until_interruptible(proc, record_path, deadline=WAIT):
    """A spec has PASSED and the hang is inside its test: the run cannot end by itself
    for --timeout (300 s), whatever the machine's speed, so a signal now interrupts it."""
    end = time.monotonic() + deadline
    record = None
    while time.monotonic() < end and proc.poll() is None:
        if os.path.exists(record_path):
            try:
                record = load_json(record_path)
            except ValueError:
                raise AssertionError("record was not written atomically")
            if any(r["status"] == "PASSED" for r in record["specs"]) and _hang_started(record_path):
                return record
        time.sleep(0.2)
    raise AssertionError(
        "no finished spec beside a running hang (driver %s): %s"
        % ("exited %s" % proc.returncode if proc.poll() is not None else "running", record and record["specs"])
    )


def _start_interruptible(demo_stack):
    proc = demo_stack.popen(
        *demo_stack.stack_args(
            "test", "-j", "3", "--timeout", "300", "--only", "peso-demo-lib,peso-demo-hang,peso-demo-app"
        )
    )
    first = proc.stdout.readline()
    record_path = first.split("run record:", 1)[1].strip()
    return proc, record_path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_run_keeps_finished_results(demo_stack, sig):
    proc, record_path = _start_interruptible(demo_stack)
    snapshot = statuses(_wait_until_interruptible(proc, record_path))
    proc.send_signal(sig)
    output = proc.stdout.read()
    rc = proc.wait(timeout=WAIT)
    proc.stdout.close()
    record = load_json(record_path)
    status = statuses(record)
    # what had passed before the signal is kept; another spec may pass in between
    passed_before = [p for p, s in snapshot.items() if s == "PASSED"]
    assert passed_before and all(status[p] == "PASSED" for p in passed_before), record["specs"]
    assert sorted(status) == ["peso-demo-app", "peso-demo-hang", "peso-demo-lib"]
    assert status["peso-demo-hang"] != "PASSED", record["specs"]  # hangs for an hour: it cannot have finished
    unfinished = {s for s in status.values() if s != "PASSED"}
    if sig == signal.SIGINT:
        assert rc == 130, output
        assert record["interrupted"] is True
        assert unfinished == {"NOT_RUN"}
        # the reports were still written for what finished
        assert os.path.isfile(os.path.join(os.path.dirname(record_path), "report.html"))
    else:
        assert rc == -signal.SIGKILL
        assert record["complete"] is False
        assert unfinished == {"PENDING"}
    # shards do not outlive the driver (the guard kills its group within a second)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-f", record["run_id"]], capture_output=True, text=True).stdout.strip()
        if not left:
            break
        time.sleep(0.3)
    assert left == ""


def test_ci_gitlab_hands_the_stack_to_spack_ci_generate(demo_stack, tmp_path):
    out = str(tmp_path / "ci-out")
    args = demo_stack.stack_args("build", "--ci", "gitlab", "--ci-mirror", "file://%s" % (tmp_path / "bc"))
    args[args.index("--out") + 1] = out
    proc = demo_stack.peso(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(os.path.join(out, "gitlab", ".gitlab-ci.yml")) as f:
        pipeline = f.read()
    assert "peso-demo-app@1.0 /" in pipeline and "peso-host" in pipeline


def test_report_merges_and_compares_real_runs(demo_stack, first_run, tmp_path):
    rc, record, path, out, wall = first_run
    # a second target's record: the same run seen from another machine name
    other = dict(record, target="other", run_id="other-run")
    other["specs"] = [dict(r, target="other") for r in record["specs"]]
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    html = tmp_path / "merged.html"
    proc = demo_stack.peso("stack", "report", path, str(other_path), "--html", str(html), "--compare", path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text  # no new failures relative to itself
    assert "added (7)" in text  # the other target's cells are new, not regressions
    assert "peso-demo-hang   other" in text and "peso-demo-hang   host" in text
    assert html.read_text().count('class="cell ') == 14


def test_html_report_renders_in_headless_chromium(first_run, tmp_path, chromium):
    browser = chromium
    rc, record, path, out, wall = first_run
    html = os.path.join(os.path.dirname(path), "report.html")
    proc = dump_dom(browser, "file://" + html, tmp_path / "chromium", timeout=120)
    dom = proc.stdout
    assert '<table id="matrix">' in dom, proc.stderr[-2000:]
    for package, status in statuses(record).items():
        assert 'data-package="%s"' % package in dom
    assert dom.count('class="cell ') == 7
    assert 'data-status="TIMEOUT"' in dom and 'data-status="NOT_INSTALLED"' in dom


def test_spack_peso_stack_build_concretizes_with_the_environment_api(spack, demo_stack, tmp_path):
    # Inside Spack (`spack peso ...`) concretization goes through spack.environment.
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    shutil.copy(os.path.join(demo_stack.env_dir, "spack.yaml"), env_dir / "spack.yaml")
    out = tmp_path / "out"
    proc = spack(
        "peso",
        "stack",
        "build",
        "--target",
        "host",
        "--env",
        str(env_dir),
        "-C",
        demo_stack.scope,
        "-c",
        "concretizer:unify:true",
        "--out",
        str(out),
        "--only",
        "peso-demo-data",
        check=False,
        env={"SPACK_USER_CONFIG_PATH": os.path.join(demo_stack.work, "user-config")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = load_json(out / "build.json")
    assert record["concretized_by"] == "spack.environment"
    assert statuses(record) == {"peso-demo-data": "BUILT"}
    assert (env_dir / "spack.lock").is_file()


def test_a_lock_older_than_its_spack_yaml_is_never_tested_as_it_stands(demo_stack, tmp_path):
    """Re-generated with fewer roots into a concretized environment: only what spack.yaml
    now names is tested; a root spack.yaml names that the lock lacks stops the run."""
    import yaml

    env_dir = tmp_path / "env"
    shutil.copytree(demo_stack.env_dir, env_dir)
    assert (env_dir / "spack.lock").is_file()
    regen = demo_stack.peso(
        "stack",
        "generate",
        "--target=host",
        "--catalog",
        os.path.join(ROOT, "environments", "catalog", "demo.yaml"),
        "--only",
        "peso-demo-lib",
        "-o",
        str(env_dir),
    )
    assert regen.returncode == 0, regen.stdout + regen.stderr
    args = demo_stack.stack_args("test", "--timeout", str(TIMEOUT))
    args[args.index("--env") + 1] = str(env_dir)
    args[args.index("--out") + 1] = str(tmp_path / "out")
    proc = demo_stack.peso(*args)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert statuses(load_json(record_of(out))) == {"peso-demo-lib": "PASSED"}  # not the lock's 7 roots

    doc = yaml.safe_load((env_dir / "spack.yaml").read_text())
    spack = doc["spack"]
    spack["specs"] = list(spack["specs"]) + ["peso-demo-app@1.0"]  # the lock has only "peso-demo-app"
    (env_dir / "spack.yaml").write_text(yaml.safe_dump(doc))
    proc = demo_stack.peso(*args)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "spack.lock does not match spack.yaml: 1 root spec(s) not concretized (first peso-demo-app@1.0)" in out
