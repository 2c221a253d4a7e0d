"""``--baseline FILE``: adopt strict rules without fixing every recipe first.

A baseline records today's findings; later runs fail only on findings that are not in
it (new ones) and report the baseline entries that no longer occur (fixed ones).

A finding is recognised across edits by a fingerprint that does not contain its line
number: ``sha256(rule, package, normalised text of the flagged source line, occurrence
index)``. The occurrence index counts earlier findings with the same rule, package and
text, so two identical ``depends_on(...)`` lines stay two entries. Adding or removing
lines above a finding therefore keeps its fingerprint; changing the flagged line itself
makes it a new finding (that line was touched, so it is reviewed again).

The file is JSON (sorted, one entry per finding, diff-friendly) and is always written
atomically.
"""

import collections
import dataclasses
import hashlib
import json
import os
import re
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .. import __version__
from ..errors import PesoError
from ..fsutil import atomic_write
from .registry import Finding

FORMAT_VERSION = 1
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Whitespace-insensitive form of a source line (indentation and spacing changes
    from reformatting do not make a finding new)."""
    return _SPACE.sub(" ", text).strip()


class LineReader:
    """Source lines by (path, line), each file read once."""

    def __init__(self, texts: Optional[Dict[str, bytes]] = None):
        #: ``texts``: path -> bytes to read instead of the file (a recipe at a revision)
        self._files: Dict[str, List[str]] = {
            path: data.decode("utf-8", errors="replace").splitlines() for path, data in (texts or {}).items()
        }

    def __call__(self, path: str, line: int) -> str:
        if path not in self._files:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    self._files[path] = f.read().splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def fingerprints(findings: Sequence[Finding], read_line: Optional[Callable[[str, int], str]] = None) -> List[str]:
    """One fingerprint per finding, in the same order."""
    read_line = read_line or LineReader()
    seen: Dict[Tuple[str, str, str], int] = collections.Counter()
    result = []
    for f in sorted(
        range(len(findings)), key=lambda i: (findings[i].path, findings[i].line, findings[i].column, findings[i].rule)
    ):
        finding = findings[f]
        text = normalise(read_line(finding.path, finding.line)) if finding.line else ""
        key = (finding.rule, finding.package, text)
        index = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\0".join((finding.rule, finding.package, text, str(index))).encode()).hexdigest()
        result.append((f, digest[:20]))
    result.sort()
    return [digest for _, digest in result]


@dataclasses.dataclass
class BaselineEntry:
    fingerprint: str
    rule: str
    package: str
    path: str
    line: int
    message: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Baseline:
    path: str
    entries: List[BaselineEntry]

    def by_fingerprint(self) -> Dict[str, BaselineEntry]:
        return {e.fingerprint: e for e in self.entries}


@dataclasses.dataclass
class BaselineResult:
    new: List[Finding]
    known: List[Finding]
    #: baseline entries of linted packages that no longer occur
    fixed: List[BaselineEntry]


def load_baseline(path: str) -> Baseline:
    """Read a baseline file; a missing file is an empty baseline (first run)."""
    if not os.path.exists(path):
        return Baseline(path, [])
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise PesoError("cannot read baseline: %s" % str(e).splitlines()[0], path=path)
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise PesoError("not a peso baseline (no 'findings' list)", path=path)
    if data.get("version") != FORMAT_VERSION:
        raise PesoError("unsupported baseline version %r" % data.get("version"), path=path, key="version")
    entries = []
    for i, item in enumerate(data["findings"]):
        try:
            entries.append(
                BaselineEntry(
                    str(item["fingerprint"]),
                    str(item["rule"]),
                    str(item["package"]),
                    str(item.get("path", "")),
                    int(item.get("line", 0)),
                    str(item.get("message", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise PesoError("entry %d lacks fingerprint/rule/package" % i, path=path, key="findings")
    return Baseline(path, entries)


def compare(
    findings: Sequence[Finding], baseline: Baseline, linted_packages: Iterable[str], read_line=None
) -> BaselineResult:
    """Split findings into new and known; list fixed entries of the packages linted."""
    prints = fingerprints(findings, read_line)
    known_prints = baseline.by_fingerprint()
    new: List[Finding] = []
    known: List[Finding] = []
    current: Set[str] = set()
    for finding, fp in zip(findings, prints):
        current.add(fp)
        (known if fp in known_prints else new).append(finding)
    linted = set(linted_packages)
    fixed = [e for e in baseline.entries if e.package in linted and e.fingerprint not in current]
    return BaselineResult(new, known, fixed)


def entries_for(findings: Sequence[Finding], base_dir: str, read_line=None) -> List[BaselineEntry]:
    prints = fingerprints(findings, read_line)
    entries = []
    for f, fp in zip(findings, prints):
        path = f.path
        try:
            path = os.path.relpath(f.path, base_dir)
        except ValueError:
            pass
        entries.append(BaselineEntry(fp, f.rule, f.package, path, f.line, f.message))
    return entries


def write_baseline(
    path: str, findings: Sequence[Finding], linted_packages: Optional[Iterable[str]] = None, read_line=None
) -> int:
    """(Re)write the baseline with the current findings, atomically.

    Entries of packages not linted in this run are kept, so updating the baseline from
    a partial run (``--changed-since``) does not forget the rest of the repository.
    Returns the number of entries written.
    """
    base_dir = os.path.dirname(os.path.abspath(path))
    entries = entries_for(findings, base_dir, read_line)
    if linted_packages is not None and os.path.exists(path):
        linted = set(linted_packages)
        entries.extend(e for e in load_baseline(path).entries if e.package not in linted)
    entries.sort(key=lambda e: (e.package, e.rule, e.path, e.line, e.fingerprint))
    data = {
        "version": FORMAT_VERSION,
        "tool": "spack-peso " + __version__,
        "fingerprint": "sha256(rule, package, normalised flagged line, occurrence index)",
        "findings": [e.to_dict() for e in entries],
    }
    atomic_write(path, json.dumps(data, indent=1) + "\n")
    return len(entries)


def apply_baseline(result, path: str, update: bool = False) -> BaselineResult:
    """Filter a lint result through a baseline (or rewrite the baseline with it).

    Afterwards ``result.findings`` holds only the new findings (so the exit status and
    every output format see just those); the returned object also has the known and the
    fixed ones for the summary line.
    """
    packages = [package for _path, package in result.files]
    if update:
        write_baseline(path, result.findings, packages)
        known = list(result.findings)
        result.findings = []
        return BaselineResult(new=[], known=known, fixed=[])
    compared = compare(result.findings, load_baseline(path), packages)
    result.findings = compared.new
    return compared
