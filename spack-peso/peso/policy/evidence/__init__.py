"""Evidence beyond recipe lint: what runs, records and trees say about a product.

Why providers: recipe lint can only say what a ``package.py`` shows. Whether the
product concretizes, builds, passes its stand-alone test, ships a README or installs
namespaced headers is written down elsewhere, by ``stack generate --check --record``,
``stack build``, ``stack test``, Spack's stage and the install prefix. Each source has
one small module here that turns its files into :class:`Observation` objects, one fact
about one package with its source and date; the ladders (``policy/data/ladders.yaml``,
:mod:`..ladder`) then decide policies from those facts. A provider never decides a
policy, and the ladder never reads a file.

:func:`discover` walks the ``--evidence`` folders once and sorts what it finds by kind;
:func:`collect` runs every provider over it.
"""

import dataclasses
import datetime
import functools
import os
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ...errors import PesoError

#: a Spack archive in a mirror or source cache is named by its sha256
_ARCHIVE = re.compile(r"^(?P<sha>[0-9a-f]{64})\.(?P<ext>tar\.gz|tgz|tar\.bz2|tar\.xz|tar|zip|whl)$")
#: folders never worth descending into while looking for evidence
_SKIP_DIRS = {".git", "__pycache__", "node_modules", ".cache"}


@dataclasses.dataclass(frozen=True)
class Observation:
    """One fact about one package, and where and when it was seen.

    ``fact`` and ``value`` come from the vocabulary the ladders use (``build: built``,
    ``test: vacuous``, ``prefix.namespacing: generic`` ...); ``source`` points at the
    evidence itself (``file:line``, ``record: spec/hash``, a path in a prefix) so a
    reader can open it.
    """

    package: str
    fact: str
    value: str
    source: str
    date: str = ""
    detail: str = ""
    target: str = ""
    #: why this evidence no longer describes the product as the stack has it now ('' when
    #: current): a stale observation is shown in the cell and decides nothing
    stale: str = ""
    #: what ``date`` is: "produced" (the record's own time), "committed" (the git commit
    #: that last changed the file), "file modified" (the file's mtime: a copy or checkout
    #: resets it, so it is only an upper bound on the evidence's age)
    date_kind: str = ""
    #: the root spec (as spack.yaml writes it) the evidence is about ('' when it names none)
    spec: str = ""
    #: the concrete hash the evidence is about ('' when it names none)
    hash: str = ""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def run_records(paths: Sequence[str], kinds: Sequence[str]):
    """``(path, record, date)`` for each ``stack build``/``stack test`` record of one of
    ``kinds`` among ``paths``. Files of other tools are not ours to judge; a record of
    ours that is corrupt is an error (one line naming it), never silently no evidence."""
    from ...stack.run import records

    for path in paths:
        try:
            record = records.load_record(path)
        except records.NotARunRecord:
            continue
        if record.get("kind") in kinds:
            yield path, record, record.get("finished") or record.get("started") or ""


def evidence_date(path: str) -> Tuple[str, str]:
    """``(date, kind)`` of evidence whose records carry no time of their own: the date of
    the git commit that last changed the file when it is tracked ("committed"), else its
    modification time ("file modified")."""
    committed = _commit_date(os.path.abspath(path))
    if committed:
        return committed, "committed"
    return file_date(path), "file modified"


@functools.lru_cache(maxsize=None)
def _commit_date(path: str) -> str:
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "log", "-1", "--format=%cI", "--", os.path.basename(path)],
            cwd=os.path.dirname(path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    text = proc.stdout.strip()
    if proc.returncode or not text:
        return ""
    stamp = datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def row_observation(path: str, row: dict, fact: str, value: str, date: str, detail: str) -> "Observation":
    """The observation a ``stack build``/``stack test`` record row makes: its source
    names the record and the spec (``record.json (hypre@2.26.0/abcdefg)``)."""
    if row.get("reason"):
        detail += ": " + row["reason"]
    return Observation(
        package=row["package"],
        fact=fact,
        value=value,
        source="%s (%s@%s/%s)" % (display_path(path), row["package"], row.get("version", ""), row["hash"][:7]),
        date=date,
        detail=detail,
        target=row["target"],
        date_kind="produced" if date else "",
        # the row's spec is the concrete one (with its version): only the hash is compared
        hash=row.get("hash") or "",
    )


@dataclasses.dataclass
class Found:
    """Evidence files and folders found under the ``--evidence`` folders, by kind."""

    check_records: List[str] = dataclasses.field(default_factory=list)
    build_records: List[str] = dataclasses.field(default_factory=list)
    test_records: List[str] = dataclasses.field(default_factory=list)
    prefixes: List[str] = dataclasses.field(default_factory=list)
    stages: List[str] = dataclasses.field(default_factory=list)
    archives: Dict[str, str] = dataclasses.field(default_factory=dict)  # sha256 -> path
    docportal: List[str] = dataclasses.field(default_factory=list)  # e4s.yaml files

    def empty(self) -> bool:
        return not any(dataclasses.astuple(self))


class Evidence:
    """Observations per package (what :func:`collect` returns and the ladder reads)."""

    def __init__(self, observations: Iterable[Observation] = (), found: Optional[Found] = None):
        self.by_package: Dict[str, List[Observation]] = {}
        self.found = found or Found()
        for o in observations:
            self.add(o)

    def add(self, observation: Observation) -> None:
        self.by_package.setdefault(observation.package, []).append(observation)

    def of(self, package: str) -> List[Observation]:
        return self.by_package.get(package, [])

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_package.values())


def file_date(path: str) -> str:
    """A file's modification time (UTC), the date of evidence whose records carry none."""
    stamp = os.path.getmtime(path)
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def package_of_spec(spec: str) -> str:
    """``builtin.hypre@2.26 +mpi`` -> ``hypre`` (the name a product is keyed by)."""
    m = re.match(r"\s*(?:[\w-]+\.)?([a-z0-9][a-z0-9_-]*)", spec or "")
    return m.group(1) if m else ""


def display_path(path: str) -> str:
    """Paths relative to the working folder when inside it: reports move between machines."""
    path = os.path.abspath(path)
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def discover(dirs: Sequence[str]) -> Found:
    """Sort what the ``--evidence`` folders (or files) hold; one-line error if one is missing."""
    found = Found()
    for top in dirs:
        if not os.path.exists(top):
            raise PesoError("no such evidence folder or file", path=top, key="--evidence")
        if os.path.isfile(top):
            _classify_file(top, found, named=True)
            continue
        for folder, subdirs, files in os.walk(top):
            if os.path.isfile(os.path.join(folder, ".spack", "spec.json")):
                found.prefixes.append(folder)
                subdirs[:] = []  # a prefix's own files are the prefix provider's business
                continue
            if os.path.basename(folder).startswith("spack-stage-") and "spack-src" in subdirs:
                found.stages.append(folder)
                subdirs[:] = []
                continue
            subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
            for name in sorted(files):
                _classify_file(os.path.join(folder, name), found)
    return found


def _classify_file(path: str, found: Found, named: bool = False) -> None:
    """A file named on the command line is read as what its name says (and an error if it
    is not); one met while walking a folder must also look like it (other JSON lines are
    left alone)."""
    name = os.path.basename(path)
    archive = _ARCHIVE.match(name)
    if archive:
        found.archives.setdefault(archive.group("sha"), path)
    elif name.endswith(".jsonl"):
        if named or _looks_like_check_record(path):
            found.check_records.append(path)
    elif name == "build.json":
        found.build_records.append(path)
    elif name == "record.json":
        found.test_records.append(path)
    elif name == "e4s.yaml":
        found.docportal.append(path)


def _looks_like_check_record(path: str) -> bool:
    import json

    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    item = json.loads(line)
                    return isinstance(item, dict) and "spec" in item and "ok" in item
    except (OSError, ValueError):
        return False
    return False


def collect(dirs: Sequence[str], packages: Dict[str, str], stack: str = "") -> Evidence:
    """Every provider over the ``--evidence`` folders.

    ``packages``: package name -> recipe path (source archives are matched to a
    package through its recipe's version checksums; the licence check reads the
    recipe's ``license()``). ``stack``: the reported environment's spack.yaml, against
    which records are checked (:mod:`.staleness`); an ``--evidence`` path holding only
    records of other packages or targets is a one-line error.
    """
    from . import (
        build_records,
        check_records,
        docportal,
        mpi_use,
        prefix,
        recipe_facts,
        source_tree,
        staleness,
        test_run_records,
    )

    now = staleness.stack_now(stack) if stack else None
    per_path = {}
    for top in dirs:
        one = discover([top])
        per_path[top] = (
            check_records.read(one.check_records)
            + build_records.read(one.build_records)
            + test_run_records.read(one.test_records)
        )
    staleness.refuse_foreign(per_path, list(packages), now)
    found = discover(dirs)
    for mirror in build_records.source_mirrors(found.build_records):
        # stack build --mirror: the very archives the build used, named in its record
        for sha, path in discover([mirror]).archives.items():
            found.archives.setdefault(sha, path)
    evidence = Evidence(found=found)
    wanted = set(packages)
    builds = build_records.read(found.build_records)
    observations: List[Observation] = []
    observations += check_records.read(found.check_records)
    observations += builds
    observations += test_run_records.read(found.test_records)
    hashes: Dict[str, set] = {}
    for o in builds:
        if o.fact == "build.hash":
            hashes.setdefault(o.package, set()).add(o.value)
    observations += prefix.read([p for p in found.prefixes], hashes)
    observations += source_tree.read(found.stages, found.archives, packages, builds)
    observations += recipe_facts.read(packages)
    observations += docportal.read(found.docportal, packages)
    observations += mpi_use.read(packages)
    for o in staleness.mark(observations, now):
        if o.package in wanted:
            if o.date and not o.date_kind:
                # prefixes, stages, archives: the file's time, all that is known of them
                o = dataclasses.replace(o, date_kind="file modified")
            evidence.add(o)
    return evidence
