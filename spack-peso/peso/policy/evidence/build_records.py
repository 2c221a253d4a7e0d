"""Build records (``stack build`` writes ``<out>/build.json``) as evidence.

``BUILT`` means the real ``spack install`` installed the root in the stack's
environment: a Spack-based build and installation, the strongest evidence for E4S P1
and xSDK M1. ``BUILD_FAILED`` of the root itself is a failure; a root that did not
build because a *dependency* failed is ``blocked``, which decides nothing about the
product (its own recipe may be fine).
"""

import os
from typing import List

from ...errors import PesoError
from ...stack.run import records
from . import Observation, display_path, row_observation, run_records

#: record status -> fact value
VALUES = {"BUILT": "built", "BUILD_FAILED": "failed", "NOT_BUILT": "not-built"}


def value_of(row: dict) -> str:
    value = VALUES.get(row.get("status") or "", "")
    if value == "failed" and str(row.get("reason", "")).startswith("dependency failed to build"):
        return "blocked"
    return value


def source_mirrors(paths: List[str]) -> List[str]:
    """Source mirrors that builds were made from (``stack build --mirror`` records it), if still there."""
    mirrors = []
    for path in paths:
        try:
            mirror = records.load_record(path).get("source_mirror")
        except PesoError:
            continue
        if mirror and os.path.isdir(mirror) and mirror not in mirrors:
            mirrors.append(mirror)
    return mirrors


def read(paths: List[str]) -> List[Observation]:
    observations = []
    for path, record, date in run_records(paths, ("build",)):
        for row in record["specs"]:
            value = value_of(row)
            if not value:
                continue  # PENDING: the build never finished
            detail = "spack install: %s %s@%s for %s" % (
                row["status"],
                row["package"],
                row.get("version", ""),
                row["target"],
            )
            observations.append(row_observation(path, row, "build", value, date, detail))
            # the hash ties the build to its install prefix and source (prefix, source_tree)
            observations.append(
                Observation(
                    row["package"],
                    "build.hash",
                    row["hash"],
                    display_path(path),
                    date,
                    row.get("version", ""),
                    row["target"],
                )
            )
    return observations
