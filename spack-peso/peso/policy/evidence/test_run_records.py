"""Stand-alone test run records (``stack test``: ``<out>/runs/<id>/record.json``) as evidence.

Why "vacuous" is its own value: Spack calls a test PASSED when no part failed, so a
test that skipped every part, or ran and checked nothing (py-pytest's ``test_imports``
finding no modules under a Debian python), "passes". Such a run does not show that the
product was validated. A row is vacuous when the record says so (``vacuous: true`` or
status ``PASSED_VACUOUS``) or when no part of a PASSED row actually passed.
"""

from typing import List

from . import Observation, row_observation, run_records

#: record status -> fact value (others, e.g. NOT_INSTALLED or PENDING, say nothing)
VALUES = {
    "PASSED": "passed",
    "PASSED_VACUOUS": "vacuous",
    "FAILED": "failed",
    "TIMEOUT": "timeout",
    "NO_TESTS": "no-tests",
    "SKIPPED": "skipped",
}


def value_of(row: dict) -> str:
    value = VALUES.get(row.get("status") or "", "")
    if value == "passed":
        ran = [p for p in row.get("parts") or () if p.get("status") == "PASSED"]
        if row.get("vacuous") or not ran:
            return "vacuous"
    return value


def _parts(row: dict) -> str:
    parts = row.get("parts") or ()
    return ", ".join("%s %s" % (p.get("name"), p.get("status")) for p in parts) or "no parts"


def read(paths: List[str]) -> List[Observation]:
    observations = []
    for path, record, date in run_records(paths, ("test", "merged")):
        for row in record["specs"]:
            value = value_of(row)
            if not value:
                continue
            detail = "spack test run: %s (%s)" % (row["status"], _parts(row))
            if value == "vacuous":
                marked = row.get("vacuous") or row.get("status") == "PASSED_VACUOUS"
                detail += "; the record marks it vacuous (it tested nothing)" if marked else "; no part actually passed"
            observations.append(row_observation(path, row, "test", value, date, detail))
    return observations
