"""A stand-alone test that passed without checking anything is PASSED_VACUOUS, decided
from real Spack test logs (tests/stack_run/data/logs: py-pytest, swig and superlu as
``spack test run`` wrote them for the real-product stack, paths shortened)."""

import os

from peso.report import junit, stack_text
from peso.stack.run import records, testlog

LOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "logs")


def _log(name):
    with open(os.path.join(LOGS, name + "-test-out.txt"), encoding="utf-8") as f:
        return f.read()


def test_test_imports_with_no_module_is_vacuous():
    text = _log("py-pytest")
    parts = testlog.parse_log(text)
    assert {p["name"] for p in parts} == {"test_imports"} and all(p["status"] == "PASSED" for p in parts)
    assert testlog.mark_vacuous(parts, text) == "test_imports found no module to import"
    assert all(p["vacuous"] for p in parts)


def test_test_imports_that_imports_modules_is_a_real_pass():
    # the same log as it reads when the modules are found: they follow the script as
    # arguments and the script prints each one it imports
    text = _log("py-pytest").replace("Detected the following modules: []", "Detected the following modules: ['pytest']")
    text = text.replace(
        "    importlib.import_module(module)\n'\n", "    importlib.import_module(module)\n' 'pytest'\npytest\n"
    )
    parts = testlog.parse_log(text)
    assert testlog.mark_vacuous(parts, text) is None
    assert not any(p.get("vacuous") for p in parts)


def test_multi_part_pass_with_a_skipped_part_is_real():
    text = _log("swig")
    parts = testlog.parse_log(text)
    assert [(p["name"], p["status"]) for p in parts] == [
        ("test_fortran_swg", "SKIPPED"),
        ("test_swig_swg", "PASSED"),
        ("test_swiglib", "PASSED"),
        ("test_version", "PASSED"),
    ]
    assert testlog.mark_vacuous(parts, text) is None


def test_no_part_passed_is_vacuous():
    text = _log("swig")
    parts = [p for p in testlog.parse_log(text) if p["status"] == "SKIPPED"]
    assert testlog.mark_vacuous(parts, text) == "no test part ran"


def test_failed_part_keeps_spack_message_and_finds_the_cause():
    parts = testlog.parse_log(_log("superlu"))
    failed = [p for p in parts if p["status"] == "FAILED"]
    assert failed and failed[0]["name"] == "test_example"
    assert failed[0]["message"] == "Command exited with status 2:"  # Spack's own words
    # the cause, from the part's output above Spack's message
    assert "Spack compiler must be run from Spack" in failed[0]["detail"]


def _row(status, parts):
    return {
        "package": "py-x",
        "version": "1",
        "hash": "h" * 32,
        "target": "t",
        "status": status,
        "reason": "test_imports found no module to import",
        "wall": 1.0,
        "parts": parts,
        "log_excerpt": "",
    }


def test_vacuous_pass_is_skipped_in_junit_and_compared_as_now_tested():
    parts = [
        {
            "name": "test_imports",
            "status": "PASSED",
            "message": "",
            "duration": 0.1,
            "vacuous": "test_imports found no module to import",
        }
    ]
    record = {"specs": [_row("PASSED_VACUOUS", parts)]}
    xml = junit.render_record(record)
    assert 'skipped="1"' in xml and "found no module" in xml
    real = {"specs": [dict(_row("PASSED", [dict(parts[0], vacuous=None)]), reason="")]}
    assert [c["package"] for c in records.compare(record, real)["now_tested"]] == ["py-x"]
    assert [c["package"] for c in records.compare(real, record)["no_longer_tested"]] == ["py-x"]
    assert any("PASSED_VACUOUS" in line for line in stack_text.summary_lines(record))
