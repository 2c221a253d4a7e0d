"""Run records of ``stack build``/``stack test``: the one JSON format every report reads.

Why a record file rather than Spack's own results: ``spack test results`` exits 0 with
failures, drops specs that were not installed or never ran, and a killed run leaves
nothing. A run record lists every requested spec from the start (``PENDING``), is
rewritten atomically after each spec finishes (an interrupted or killed run keeps what
finished), and carries per-part status, timing, log excerpts and the recipe's maintainers.
Merges and comparisons are derived from it here; JUnit, HTML and the terminal summary by
the writers in ``peso/report/``.
"""

import json
import os
import socket
import time
from typing import Dict, Iterable, List, Optional

from ... import schema
from ...errors import PesoError
from ...fsutil import atomic_write

SCHEMA = "peso-stack-test/1"
RECORD_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "record.schema.json")

#: Final statuses, in the order reports list them (worst first).
STATUSES = (
    "BUILD_FAILED",
    "TIMEOUT",
    "FAILED",
    "ERROR",
    "NOT_INSTALLED",
    "NOT_RUN",
    "PENDING",
    "SKIPPED",
    "NO_TESTS",
    "PASSED_VACUOUS",
    "PASSED",
    "NOT_BUILT",
    "BUILT",
)
#: Statuses that make ``stack test`` exit non-zero.
BAD = frozenset({"BUILD_FAILED", "TIMEOUT", "FAILED", "ERROR", "NOT_INSTALLED", "NOT_RUN", "PENDING", "NOT_BUILT"})
#: Statuses ``--rerun-failed`` runs again (everything that might change on a retry).
RERUN = BAD

STATUS_MEANING = {
    "PASSED": "every test part passed (skipped parts allowed)",
    "PASSED_VACUOUS": "Spack says PASSED but nothing was checked: no part ran, or the parts that ran "
    "tested nothing (test_imports found no module)",
    "FAILED": "at least one test part failed",
    "SKIPPED": "excluded on request (--skip) or Spack skipped every part (e.g. an external)",
    "NO_TESTS": "the recipe defines no test_* method",
    "TIMEOUT": "stopped by the timeout; the hung part is named",
    "NOT_INSTALLED": "not installed, and no build record says it failed (batch --install-local: its job "
    "could not install it from the binary cache)",
    "BUILD_FAILED": "its build (or a dependency's build) failed",
    "ERROR": "Spack ended without a result (crash, bad configuration)",
    "NOT_RUN": "the run was interrupted before this spec ran",
    "PENDING": "not finished yet (or the run was killed)",
    "BUILT": "(build record) installed",
    "NOT_BUILT": "(build record) not built, no failure of its own or of a dependency seen",
}


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-%d" % os.getpid()


def new_record(kind: str, target: str, env_dir: str, options: dict, run_id: Optional[str] = None) -> dict:
    return {
        "schema": SCHEMA,
        "kind": kind,
        "run_id": run_id or new_run_id(),
        "target": target,
        "env_dir": os.path.abspath(env_dir),
        "host": socket.gethostname(),
        "started": now_iso(),
        "finished": None,
        "complete": False,
        "interrupted": False,
        "options": options,
        "specs": [],
    }


def spec_row(root: dict, target: str, status: str, reason: str = "") -> dict:
    """A result row for one root of the environment (``root`` from the inventory)."""
    return {
        "package": root["package"],
        "version": root.get("version", ""),
        "hash": root["hash"],
        "spec": root.get("spec", root["package"]),
        "target": target,
        "status": status,
        "reason": reason,
        "wall": None,
        "parts": [],
        "log": None,
        "log_excerpt": "",
        "maintainers": list(root.get("maintainers", [])),
        "recipe": root.get("recipe"),
    }


def counts(record: dict) -> Dict[str, int]:
    found: dict = {}
    for row in record["specs"]:
        found[row["status"]] = found.get(row["status"], 0) + 1
    return {s: found[s] for s in STATUSES if s in found}


def json_text(record: dict) -> str:
    record["specs"].sort(key=lambda r: (r["package"], r["target"], r["hash"]))
    record["counts"] = counts(record)
    return json.dumps(record, indent=1, sort_keys=True) + "\n"


def write_record(record: dict, path: str) -> None:
    """Atomic rewrite: readers (and a killed run) only ever see a whole record."""
    atomic_write(path, json_text(record))


class NotARunRecord(PesoError):
    """A JSON file that does not claim to be a run record (another tool's ``build.json``):
    an error when named as a record, left alone when met in an evidence folder."""


def load_record(path: str) -> dict:
    """The record at ``path``, checked against ``record.schema.json`` before any use: a
    corrupt record is one line naming the file and key, before anything is written."""
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except OSError as e:
        raise PesoError("cannot read run record: %s" % e.strerror, path)
    except ValueError as e:  # UnicodeDecodeError included: a binary file
        raise PesoError("not a JSON run record (%s)" % " ".join(str(e).split())[:160], path)
    if not isinstance(record, dict) or record.get("schema") != SCHEMA:
        raise NotARunRecord("not a spack-peso run record (schema %r expected)" % SCHEMA, path)
    if not isinstance(record.get("specs"), list):
        raise PesoError("run record has no 'specs' list", path, "specs")
    schema.validate(record, RECORD_SCHEMA, path)
    return record


def exit_status(record: dict) -> int:
    """1 for a bad spec status, and for a push to a binary cache that failed (the
    cache the run promised is not there, though every spec built)."""
    push_failed = (record.get("buildcache_push") or {}).get("ok") is False
    return 1 if push_failed or any(r["status"] in BAD for r in record["specs"]) else 0


# --- merging and comparing ------------------------------------------------------------


def merge(records: Iterable[dict]) -> dict:
    """One matrix from the records of several targets (later records win per cell)."""
    records = list(records)
    cells = {}
    for record in records:
        for row in record["specs"]:
            cells[(row["package"], row["target"])] = row
    return {
        "schema": SCHEMA,
        "kind": "merged",
        "run_id": "+".join(r["run_id"] for r in records),
        "target": ",".join(sorted({r["target"] for r in records})),
        "started": min((r["started"] for r in records), default=None),
        "finished": max((r.get("finished") or "" for r in records), default=None),
        "complete": all(r.get("complete") for r in records),
        "interrupted": any(r.get("interrupted") for r in records),
        "sources": [r["run_id"] for r in records],
        "specs": sorted(cells.values(), key=lambda r: (r["package"], r["target"])),
    }


def compare(base: dict, new: dict) -> Dict[str, List[dict]]:
    """Cells that changed between two runs.

    ``new_failures``: not bad in ``base``, bad in ``new``; ``fixed``: bad in ``base``,
    PASSED in ``new``; ``flaky``: the same DAG hash got different outcomes (same binary,
    different result: the test, not the build, is unstable). Cells only in ``new`` (a
    target or package the base run did not have) are listed as ``added``. A vacuous pass
    that became a real one is ``now_tested``; the reverse, ``no_longer_tested``.
    """
    before = {(r["package"], r["target"]): r for r in base["specs"]}
    changes: dict = {
        "new_failures": [],
        "fixed": [],
        "now_tested": [],
        "no_longer_tested": [],
        "flaky": [],
        "still_failing": [],
        "added": [],
    }
    for row in new["specs"]:
        old = before.get((row["package"], row["target"]))
        old_status = old["status"] if old else None
        entry = {
            "package": row["package"],
            "target": row["target"],
            "before": old_status,
            "after": row["status"],
            "hash": row["hash"],
            "maintainers": row.get("maintainers", []),
        }
        if old is None:
            changes["added"].append(entry)
        elif row["status"] in BAD and old_status not in BAD:
            changes["new_failures"].append(entry)
        elif row["status"] == "PASSED" and old_status in BAD:
            changes["fixed"].append(entry)
        elif row["status"] == "PASSED" and old_status == "PASSED_VACUOUS":
            changes["now_tested"].append(entry)
        elif row["status"] == "PASSED_VACUOUS" and old_status == "PASSED":
            changes["no_longer_tested"].append(entry)
        elif row["status"] in BAD and old_status in BAD:
            changes["still_failing"].append(entry)
        if old and old["hash"] == row["hash"] and old_status != row["status"]:
            if {old_status, row["status"]} & {"PASSED"} and {old_status, row["status"]} & {
                "FAILED",
                "TIMEOUT",
            }:
                changes["flaky"].append(entry)
    return changes
