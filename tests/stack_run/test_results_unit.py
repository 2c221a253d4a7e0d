"""Run-record, log-parsing and report logic on canned data (no Spack needed)."""

import json
import xml.etree.ElementTree as ET

import pytest

from peso.errors import PesoError
from peso.report import junit
from peso.report import stack_html as report_html
from peso.stack.run import records, testlog
from peso.stack.run.build import InstallOutput
from peso.stack.run.testrun import select_specs

# A real log written by `spack test run` (Spack 1.2.0.dev0) for peso-demo-fail, trimmed.
FAILED_LOG = """\
==> Testing package peso-demo-fail-1.0-dpi77cv
==> [2026-11-24-19:57:15.167245] test: test_answer: pesofail prints the answer
==> [2026-11-24-19:57:15.168031] '/x/bin/pesofail'
answer: 41
FAILED: PesoDemoFail::test_answer: Expected 'answer:\\ 42' in output 'answer: 41
'
  File "/usr/local/bin/spack", line 49, in <module>
==> [2026-11-24-19:57:15.194802] test: test_runs: pesofail runs at all
==> [2026-11-24-19:57:15.195119] '/x/bin/pesofail'
answer: 41
PASSED: PesoDemoFail::test_runs
==> [2026-11-24-19:57:15.198064] Completed testing
"""

# A shard killed while test_wait ran: the header is there, no status line.
KILLED_LOG = """\
==> Testing package peso-demo-hang-1.0-4uwi4xf
==> [2026-11-24-20:00:01.000000] test: test_hello: pesohang greets
hello from pesohang
PASSED: PesoDemoHang::test_hello
==> [2026-11-24-20:00:01.100000] test: test_wait: pesohang waits
"""


def test_parse_log_parts_status_message_and_excerpt():
    parts = testlog.parse_log(FAILED_LOG)
    assert [(p["name"], p["status"]) for p in parts] == [("test_answer", "FAILED"), ("test_runs", "PASSED")]
    assert parts[0]["message"].startswith("Expected 'answer:")
    assert "answer: 41" in parts[0]["excerpt"] and "test: test_answer" in parts[0]["excerpt"]
    assert parts[1]["excerpt"] == ""
    assert parts[0]["duration"] == pytest.approx(0.000786, abs=1e-3)


def test_hung_part_is_the_open_part_or_first_unfinished_test():
    parts = testlog.parse_log(KILLED_LOG)
    assert [p["status"] for p in parts] == ["PASSED", "RUNNING"]
    assert testlog.hung_part(parts, ["test_hello", "test_wait"]) == "test_wait"
    # header never flushed: infer from the recipe's (alphabetical) test order
    cut = KILLED_LOG.rsplit("==> [", 1)[0]
    assert testlog.hung_part(testlog.parse_log(cut), ["test_hello", "test_wait"]) == "test_wait"


def _root(name, **kw):
    root = {
        "package": name,
        "version": "1.0",
        "hash": name.replace("-", "") + "x" * 20,
        "installed": True,
        "tests": ["test_a"],
        "maintainers": ["m-" + name],
    }
    root.update(kw)
    return root


def test_plan_decides_statuses_up_front_and_keeps_every_requested_spec():
    roots = [
        _root("ok"),
        _root("notests", tests=[]),
        _root("missing", installed=False),
        _root("broken", installed=False),
        _root("ext", external=True),
        _root("skipme"),
    ]
    build = {"specs": [{"hash": roots[3]["hash"], "status": "BUILD_FAILED", "reason": "make failed"}]}
    decided, to_run = select_specs(roots, "host", skip=["skipme"], build_record=build)
    status = {r["package"]: r["status"] for r in decided}
    assert status == {
        "notests": "NO_TESTS",
        "missing": "NOT_INSTALLED",
        "broken": "BUILD_FAILED",
        "ext": "SKIPPED",
        "skipme": "SKIPPED",
    }
    assert [row["package"] for _, row in to_run] == ["ok"]
    assert [r["reason"] for r in decided if r["package"] == "broken"] == ["make failed"]


def test_plan_only_rejects_unknown_names():
    with pytest.raises(PesoError, match="--only names no root"):
        select_specs([_root("ok")], "host", only=["nope"])


def test_plan_rerun_failed_runs_only_bad_cells_and_carries_the_rest():
    roots = [_root("good"), _root("bad"), _root("hung")]
    previous = {
        "run_id": "R1",
        "specs": [
            records.spec_row(roots[0], "host", "PASSED"),
            records.spec_row(roots[1], "host", "FAILED"),
            records.spec_row(roots[2], "host", "TIMEOUT"),
        ],
    }
    decided, to_run = select_specs(roots, "host", rerun_record=previous)
    assert [r["package"] for _, r in to_run] == ["bad", "hung"]
    assert decided[0]["status"] == "PASSED" and decided[0]["carried_over_from"] == "R1"


def _record(target, statuses, run_id="R"):
    rec = records.new_record("test", target, ".", {}, run_id)
    for name, status in statuses.items():
        row = records.spec_row(_root(name), target, status)
        if status in ("PASSED", "FAILED"):
            row["parts"] = [
                {"name": "test_a", "status": status, "message": "m", "duration": 0.1, "excerpt": "boom"},
                {"name": "test_b", "status": "SKIPPED", "message": "", "duration": 0.0, "excerpt": ""},
            ]
        rec["specs"].append(row)
    return rec


def test_record_roundtrip_and_bad_files(tmp_path):
    rec = _record("host", {"a": "PASSED", "b": "FAILED"})
    path = tmp_path / "record.json"
    records.write_record(rec, str(path))
    again = records.load_record(str(path))
    assert again["counts"] == {"FAILED": 1, "PASSED": 1}
    assert records.exit_status(again) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(PesoError, match="bad.json.*not a JSON run record"):
        records.load_record(str(bad))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema": "something-else"}))
    with pytest.raises(PesoError, match="not a spack-peso run record"):
        records.load_record(str(other))


def test_junit_has_one_testcase_per_part_and_one_per_partless_spec():
    rec = _record("host", {"a": "PASSED", "b": "FAILED", "c": "NOT_INSTALLED"})
    tree = ET.fromstring(junit.render_record(rec))
    cases = tree.findall(".//testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("host.a", "test_a"),
        ("host.a", "test_b"),
        ("host.b", "test_a"),
        ("host.b", "test_b"),
        ("host.c", "not_installed"),
    ]
    assert cases[2].find("failure") is not None and cases[2].find("failure").text == "boom"
    assert cases[1].find("skipped") is not None
    assert cases[4].find("error").get("type") == "NOT_INSTALLED"


def test_merge_targets_and_compare_runs():
    a = _record("zen3", {"lib": "PASSED", "app": "FAILED"}, "A")
    b = _record("x86_64_v3", {"lib": "PASSED", "app": "PASSED"}, "B")
    merged = records.merge([a, b])
    assert {(r["package"], r["target"]) for r in merged["specs"]} == {
        ("lib", "zen3"),
        ("app", "zen3"),
        ("lib", "x86_64_v3"),
        ("app", "x86_64_v3"),
    }
    later = _record("zen3", {"lib": "FAILED", "app": "PASSED"}, "C")
    changes = records.compare(a, later)
    assert [c["package"] for c in changes["new_failures"]] == ["lib"]
    assert [c["package"] for c in changes["fixed"]] == ["app"]
    # same hashes, outcome flipped between PASSED and FAILED: flaky
    assert sorted(c["package"] for c in changes["flaky"]) == ["app", "lib"]


def test_html_report_has_matrix_cells_and_details():
    rec = records.merge(
        [_record("zen3", {"lib": "PASSED", "app": "FAILED"}, "A"), _record("v3", {"lib": "TIMEOUT"}, "B")]
    )
    html = report_html.render(rec)
    assert html.count('class="cell ') == 4  # 2 packages x 2 targets, one missing cell
    assert 'data-status="TIMEOUT"' in html and 'href="#cell-app-zen3"' in html
    assert 'id="cell-app-zen3"' in html and "boom" in html
    assert "<script" not in html  # self-contained, no JavaScript


def test_install_output_follower_tracks_failures_and_first_error():
    events = []
    follow = InstallOutput(lambda kind, **kw: events.append(kind))
    h = "u77za4ku42hznjpma6eicktrcsyurad3"
    for line in [
        "==> Installing peso-demo-broken-1.0-%s [11/13]" % h,
        "==> Error: ProcessError: Command exited with status 2:",
        "  >> 6     broken.c:2:27: error: 'x' undeclared",
        "See build log for details:",
        "  /stage/spack-stage-peso-demo-broken-1.0-%s/spack-build-out.txt" % h,
        "==> Error: peso-demo-broken-1.0-%s: ProcessError: Command exited with status 2:" % h,
        "==> Error: peso-demo-broken-1.0-%s: Package was not installed" % h,
    ]:
        follow.feed(line)
    assert follow.failed == {h: "ProcessError: Command exited with status 2:"}
    assert "broken.c:2:27: error" in follow.reason(h)
    assert follow.logs[h].endswith("spack-build-out.txt")
    assert events == ["installing", "failed"]


def _peso(*args, cwd=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "peso", *args], capture_output=True, text=True, cwd=cwd)


def test_bad_input_is_one_line_naming_the_file(tmp_path):
    missing = tmp_path / "nowhere"
    proc = _peso("stack", "test", "--target", "host", "--env", str(missing), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and str(missing) in proc.stderr and "spack.yaml" in proc.stderr
    bad = tmp_path / "run.json"
    bad.write_text("[1, 2")
    proc = _peso("stack", "report", str(bad))
    assert proc.returncode == 2 and str(bad) in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert not (tmp_path / "o").exists()  # nothing written on bad input


def test_install_output_ties_a_failure_to_its_own_log_when_builds_interleave(tmp_path):
    """Spack's ``Installing X [n/m]`` lines do not mark where a package's output starts:
    another package's lines and its own error summary can come after the next
    ``Installing``. The cause and the excerpt come from the failed package's build log."""
    broken, other = "u77za4ku42hznjpma6eicktrcsyurad3", "abcdefghijklmnopqrstuvwxyz234567"
    stage = tmp_path / ("spack-stage-peso-demo-broken-1.0-%s" % broken)
    stage.mkdir()
    build_log = stage / "spack-build-out.txt"
    build_log.write_text(
        "==> peso-demo-broken: Executing phase: 'build'\n"
        "cc -c broken.c\n"
        "broken.c:2:27: error: 'this_symbol_does_not_exist' undeclared\n"
        "make: *** [Makefile:3: broken.o] Error 1\n"
    )
    follow = InstallOutput()
    for line in [
        "==> Installing peso-demo-broken-1.0-%s [11/13]" % broken,
        "==> Installing peso-demo-lib-1.0-%s [12/13]" % other,
        "==> peso-demo-lib: Executing phase: 'install'",
        "==> Error: ProcessError: Command exited with status 2:",
        "    'make' '-j2'",
        "See build log for details:",
        "  %s" % build_log,
        "==> Error: peso-demo-broken-1.0-%s: ProcessError: Command exited with status 2:" % broken,
        "[+] /opt/peso-demo-lib-1.0-%s" % other,
    ]:
        follow.feed(line)
    assert follow.logs == {broken: str(build_log)}
    assert "'this_symbol_does_not_exist' undeclared" in follow.reason(broken)
    excerpt = follow.excerpt(broken)
    assert "this_symbol_does_not_exist" in excerpt and "peso-demo-lib" not in excerpt


def test_install_output_without_a_readable_log_uses_spacks_summary_of_that_package():
    broken = "u77za4ku42hznjpma6eicktrcsyurad3"
    follow = InstallOutput()
    for line in [
        "==> Installing peso-demo-broken-1.0-%s [11/13]" % broken,
        "==> Installing peso-demo-lib-1.0-abcdefghijklmnopqrstuvwxyz234567 [12/13]",
        "==> Error: ProcessError: Command exited with status 2:",
        "  >> 6     broken.c:2:27: error: 'x' undeclared",
        "See build log for details:",
        "  /gone/spack-stage-peso-demo-broken-1.0-%s/spack-build-out.txt" % broken,
        "==> Error: peso-demo-broken-1.0-%s: ProcessError: Command exited with status 2:" % broken,
    ]:
        follow.feed(line)
    assert follow.reason(broken).endswith("broken.c:2:27: error: 'x' undeclared")
    assert follow.excerpt(broken).startswith("==> Error: ProcessError") and "peso-demo-lib" not in follow.excerpt(
        broken
    )


def test_a_root_never_built_makes_the_exit_status_non_zero():
    from peso.stack.run import records

    built = {"specs": [{"package": "a", "status": "BUILT"}]}
    assert records.exit_status(built) == 0
    for status in ("NOT_BUILT", "BUILD_FAILED"):
        record = {"specs": [{"package": "a", "status": "BUILT"}, {"package": "b", "status": status}]}
        assert records.exit_status(record) == 1, status


def _one_row_record(**row_changes):
    row = {"package": "hypre", "hash": "a" * 32, "target": "host", "status": "PASSED", "wall": 1.5, "parts": []}
    row.update(row_changes)
    return {
        "schema": "peso-stack-test/1",
        "kind": "test",
        "run_id": "r1",
        "target": "host",
        "started": "2026-12-05T06:00:00Z",
        "specs": [row],
    }


@pytest.mark.parametrize(
    "record, key",
    [
        (_one_row_record(wall="fast"), "specs.0.wall"),
        (_one_row_record(status="GREAT"), "specs.0.status"),
        ({k: v for k, v in _one_row_record().items() if k != "run_id"}, "(top level)"),
        (_one_row_record(parts=[{"name": "test_x"}]), "specs.0.parts.0"),
    ],
)
def test_a_corrupt_record_is_refused_in_one_line_before_anything_is_written(tmp_path, record, key):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    out = tmp_path / "o"
    for argv in (
        ["stack", "report", str(path)],
        ["stack", "test", "--target", "host", "--env", str(tmp_path), "--rerun-failed", str(path), "--out", str(out)],
    ):
        proc = _peso(*argv)
        assert proc.returncode == 2, proc.stderr
        assert "%s: %s:" % (path, key) in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert not out.exists()


def test_stack_report_exits_1_when_a_merged_row_failed_and_0_when_all_passed(tmp_path):
    """The exit-status contract: a report of records with a failure is "done, with
    failures" (1); with --compare it is about regressions against the earlier run."""
    passed, failed = tmp_path / "passed.json", tmp_path / "failed.json"
    records.write_record(_one_row_record(status="PASSED"), str(passed))
    records.write_record(_one_row_record(status="FAILED"), str(failed))
    assert _peso("stack", "report", str(passed)).returncode == 0
    proc = _peso("stack", "report", str(failed))
    assert proc.returncode == 1 and "FAILED" in proc.stdout + proc.stderr
    # failing before and after is no regression; passing before and failing now is one
    assert _peso("stack", "report", str(failed), "--compare", str(failed)).returncode == 0
    assert _peso("stack", "report", str(failed), "--compare", str(passed)).returncode == 1
