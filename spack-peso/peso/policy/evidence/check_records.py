"""Concretization records (``stack generate --check --record FILE``) as evidence.

Each line is one root's verdict from the real Spack concretizer for one target's
stack. A verdict ``ok`` says Spack can solve the root in the E4S environment for that
target; it says nothing about building it, so the ladders use it as partial support
only. A failure is Spack's own error and is a real "does not work in this stack".

The target is the folder the record sits in when that folder holds the stack
(``environments/<target>/spack.yaml`` beside it), else the file name
(``check-<target>.jsonl`` -> ``<target>``).
"""

import json
import os
from typing import List

from ...errors import PesoError
from . import Observation, display_path, evidence_date, package_of_spec


def target_of(path: str) -> str:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isfile(os.path.join(folder, "spack.yaml")):
        return os.path.basename(folder)
    stem = os.path.basename(path)[: -len(".jsonl")]
    for prefix in ("check-", "check_", "record-", "check"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return stem[len(prefix) :]
    return stem


def read(paths: List[str]) -> List[Observation]:
    """One observation per recorded root (the last line per spec wins, as ``--resume`` reads it)."""
    observations = []
    for path in paths:
        target = target_of(path)
        date, date_kind = evidence_date(path)
        latest = {}
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except UnicodeDecodeError as e:
            raise PesoError("not UTF-8 text (byte %d): not a --check --record file" % e.start, path=path)
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line:
                continue
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut short by a killed run, as check.read_record skips it
            if not (isinstance(item, dict) and isinstance(item.get("spec"), str) and isinstance(item.get("ok"), bool)):
                raise PesoError("line %d: not a --check --record line (needs spec and ok)" % n, path=path)
            latest[item["spec"]] = (n, item)
        for spec, (n, item) in sorted(latest.items(), key=lambda kv: kv[1][0]):
            ok = bool(item["ok"])
            where = "%s:%d" % (display_path(path), n)
            if ok:
                detail = "concretized for %s (%s), %s nodes, %s" % (
                    target,
                    item.get("target", "?"),
                    item.get("nodes", "?"),
                    item.get("spack", "Spack"),
                )
            else:
                detail = "does not concretize for %s: %s" % (target, item.get("error") or "no message")
            observations.append(
                Observation(
                    package=package_of_spec(spec),
                    fact="concretize",
                    value="ok" if ok else "failed",
                    source="%s (%s)" % (where, spec),
                    date=item.get("date") or date,
                    detail=detail,
                    target=target,
                    date_kind="produced" if item.get("date") else date_kind,
                    spec=spec,
                )
            )
    return observations
