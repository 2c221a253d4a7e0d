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


_ERROR_LINE = re.compile(r"\berror\b|\bError:", re.I)


def first_error(body: List[str]) -> str:
    """The first line of a failed part's output that reads like an error: Spack's own
    message is often only ``Command exited with status 2:``, the cause is above it."""
    for line in body:
        if _ERROR_LINE.search(line) and not line.startswith("==> ["):
            return line.strip()[:300]
    return ""


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
            excerpt = detail = ""
            if status.group("status") == "FAILED":
                first = start_line if start_line is not None else max(0, i - EXCERPT_LINES)
                excerpt = "\n".join(lines[first : i + 1][-EXCERPT_LINES:])
                detail = first_error(lines[first:i])
            parts.append(
                {
                    "name": name,
                    "status": status.group("status"),
                    "message": (status.group("msg") or "").strip(),
                    "detail": detail,
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


#: the last line of the script PythonPackage.test_imports runs; the arguments after its
#: closing quote are the modules it imports (Spack logs the command line before running it)
_IMPORT_SCRIPT_END = "    importlib.import_module(module)"


def _imports_nothing(body: List[str]) -> bool:
    """True when a ``test_imports`` part's command line ends with no module to import
    (or Spack's debug line says it detected none)."""
    if any(line.endswith("Detected the following modules: []") for line in body):
        return True
    for i, line in enumerate(body):
        if line.rstrip() == _IMPORT_SCRIPT_END and i + 1 < len(body):
            return body[i + 1].strip() == "'"
    return False


def mark_vacuous(parts: List[dict], log_text: str) -> Optional[str]:
    """Flag parts that passed without checking anything; return why the whole spec's pass
    is vacuous, or None when at least one part really checked something.

    Spack reports PASSED when no part ran at all, and PythonPackage's ``test_imports``
    passes when it found no module to import (a Debian Python external's ``purelib`` is
    ``local/lib/...`` while pip installed into ``lib/.../site-packages``): curators must
    not count either as tested.
    """
    lines = log_text.splitlines()
    start = {}
    for i, line in enumerate(lines):
        header = _HEADER.match(line)
        if header:
            start[header.group("name")] = i
            continue
        status = _STATUS.match(line)
        if status and status.group("name") == "test_imports" and status.group("status") == "PASSED":
            body = lines[start.get("test_imports", i) : i]
            if _imports_nothing(body):
                for part in parts:
                    if part["name"] == "test_imports":
                        part["vacuous"] = "test_imports found no module to import"
    passed = [p for p in parts if p["status"] == "PASSED"]
    if not passed:
        return "no test part ran"
    if all(p.get("vacuous") for p in passed):
        return "; ".join(sorted({p["vacuous"] for p in passed}))
    return None


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
