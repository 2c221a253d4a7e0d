"""Read what one ``spack test run`` shard left in its test stage.

Layout (Spack 1.x, ``install_test.py``): ``<stage>/<suite hash>/results.txt`` holds one
``<name>-<version>-<hash7> STATUS`` line per spec; ``<name>-<version>-<hash7>-test-out.txt``
is the log, where each part starts with ``==> [ts] test: <part>: <purpose>`` and ends with
``PASSED|FAILED|SKIPPED: <Class>::<part>[: message]`` (the grammar Spack's CDash reporter
parses too). A killed shard has no ``results.txt``; its log, possibly cut short, is all
there is, so the part that hung is the last one started and never finished, or, when
the header was not flushed before the kill, the first expected test with no status.
"""

import datetime
import glob
import os
import re
from typing import Dict, List, Optional

_HEADER = re.compile(r"^==> \[(?P<ts>[\d:.-]+)\] test: (?P<name>test_\w+): ?(?P<purpose>.*)$")
_STATUS = re.compile(r"^(?P<status>PASSED|FAILED|SKIPPED|NO_TESTS): (?P<cls>\w+)::(?P<name>\w+)(?::\s?(?P<msg>.*))?$")
_TS_LINE = re.compile(r"^==> \[(?P<ts>[\d:.-]+)\]")
EXCERPT_LINES = 25


def _parse_ts(text: str) -> Optional[float]:
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d-%H:%M:%S.%f").timestamp()
    except ValueError:
        return None


def find_suite_dir(stage_root: str) -> Optional[str]:
    """The suite directory a one-suite shard stage holds (``None`` if Spack made none)."""
    locks = glob.glob(os.path.join(stage_root, "*", "test_suite.lock"))
    if locks:
        return os.path.dirname(locks[0])
    logs = glob.glob(os.path.join(stage_root, "*", "*-test-out.txt"))
    return os.path.dirname(logs[0]) if logs else None


def find_log(suite_dir: Optional[str], package: str, hash7: str) -> Optional[str]:
    if not suite_dir:
        return None
    hits = glob.glob(os.path.join(suite_dir, "%s-*-%s-test-out.txt" % (package, hash7)))
    return hits[0] if hits else None


def read_results(suite_dir: Optional[str]) -> Dict[str, str]:
    """``{"<name>-<version>-<hash7>": STATUS}`` from ``results.txt`` (empty if absent)."""
    if not suite_dir:
        return {}
    path = os.path.join(suite_dir, "results.txt")
    found = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.split()
                if len(fields) == 2:
                    found[fields[0]] = fields[1]
    return found


def parse_log(text: str) -> List[dict]:
    """Test parts in the order they finished: name, status, message, duration, excerpt.

    Parts still open at the end of the log (started, never finished) are returned with
    status ``RUNNING``: the caller decides whether that means TIMEOUT.
    """
    lines = text.splitlines()
    started = {}  # part name -> (line index, timestamp)
    parts = []
    last_ts = None
    for i, line in enumerate(lines):
        ts_match = _TS_LINE.match(line)
        if ts_match:
            last_ts = _parse_ts(ts_match.group("ts")) or last_ts
        header = _HEADER.match(line)
        if header:
            started[header.group("name")] = (i, _parse_ts(header.group("ts")))
            continue
        status = _STATUS.match(line)
        if status:
            name = status.group("name")
            start_line, start_ts = started.pop(name, (None, None))
            excerpt = ""
            if status.group("status") == "FAILED":
                first = start_line if start_line is not None else max(0, i - EXCERPT_LINES)
                excerpt = "\n".join(lines[first : i + 1][-EXCERPT_LINES:])
            parts.append(
                {
                    "name": name,
                    "status": status.group("status"),
                    "message": (status.group("msg") or "").strip(),
                    "duration": round(last_ts - start_ts, 3) if start_ts and last_ts else None,
                    "excerpt": excerpt,
                }
            )
    for name, (start_line, start_ts) in sorted(started.items(), key=lambda kv: kv[1][0]):
        parts.append(
            {
                "name": name,
                "status": "RUNNING",
                "message": "",
                "duration": None,
                "excerpt": "\n".join(lines[start_line:][-EXCERPT_LINES:]),
            }
        )
    return parts


def hung_part(parts: List[dict], expected_tests: List[str]) -> Optional[str]:
    """Name of the part that was running when the shard was killed."""
    running = [p["name"] for p in parts if p["status"] == "RUNNING"]
    if running:
        return running[-1]  # the innermost open part
    done = {p["name"] for p in parts}
    for name in expected_tests:  # Spack runs test_* methods in alphabetical order
        if name not in done:
            return name
    return None


def tail(text: str, n: int = EXCERPT_LINES) -> str:
    return "\n".join(text.splitlines()[-n:])
