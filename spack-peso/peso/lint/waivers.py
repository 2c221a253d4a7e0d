"""Waivers: repository-wide, time-limited exceptions kept in one YAML file.

Where an inline suppression belongs to a line of one recipe, a waiver belongs to the
repository: "package X may break rule Y until DATE, because REASON, says OWNER". Every
entry needs all five keys, so an exception always has someone accountable and an end.
Expired waivers stop hiding findings and are reported (PESO-X003); waivers that hide
nothing are reported too (PESO-X004), like lintian's ``unused-override``.

File format (a list, or a mapping with a ``waivers:`` list)::

    waivers:
      - package: hdf5          # a package name, or a glob such as "py-*"
        rule: PESO-T001        # a rule ID
        reason: tests need a parallel file system
        owner: alice
        expires: 2026-12-31
        issue: https://...     # optional
"""

import dataclasses
import datetime
import fnmatch
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..errors import PesoError
from .registry import rule

EXPIRED = "PESO-X003"
UNUSED = "PESO-X004"

REQUIRED = ("package", "rule", "reason", "owner", "expires")
OPTIONAL = ("issue",)


@dataclasses.dataclass
class Waiver:
    package: str
    rule: str
    reason: str
    owner: str
    expires: datetime.date
    line: int
    issue: Optional[str] = None

    def matches(self, finding) -> bool:
        return finding.rule == self.rule and fnmatch.fnmatchcase(finding.package or "", self.package)


@dataclasses.dataclass
class WaiverFile:
    path: str
    waivers: List[Waiver]


def load_waivers(path: str, known_rules: Iterable[str]) -> WaiverFile:
    """Read and validate a waiver file; any problem is a one-line PesoError."""
    import yaml  # here: most lints have no waiver file and need no PyYAML

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise PesoError("waiver file not found", path=path)
    except (OSError, UnicodeDecodeError) as e:
        raise PesoError("cannot read waiver file: %s" % e, path=path)
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = "line %d" % (mark.line + 1) if mark else None
        raise PesoError("not valid YAML: %s" % getattr(e, "problem", e), path=path, key=where)
    if data is None:
        return WaiverFile(path, [])
    prefix = ""
    if isinstance(data, dict):
        if set(data) - {"waivers"}:
            extra = sorted(set(data) - {"waivers"})[0]
            raise PesoError("unknown key (expected 'waivers')", path=path, key=extra)
        data = data.get("waivers") or []
        root = _mapping_value(root, "waivers")
        prefix = "waivers"
    if not isinstance(data, list):
        raise PesoError("expected a list of waivers", path=path, key=prefix or None)
    known = set(known_rules)
    waivers = []
    for index, entry in enumerate(data):
        key = "%s[%d]" % (prefix, index)
        line = root.value[index].start_mark.line + 1 if root is not None else 0
        waivers.append(_parse_entry(entry, path, key, line, known))
    return WaiverFile(path, waivers)


def _mapping_value(node, name):
    import yaml

    if node is None or not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if k.value == name:
            return v if isinstance(v, yaml.SequenceNode) else None
    return None


def _parse_entry(entry, path, key, line, known) -> Waiver:
    if not isinstance(entry, dict):
        raise PesoError("expected a mapping with keys %s" % ", ".join(REQUIRED), path=path, key=key)
    for name in REQUIRED:
        if name not in entry or entry[name] in (None, ""):
            raise PesoError("missing required key", path=path, key="%s.%s" % (key, name))
    for name in entry:
        if name not in REQUIRED + OPTIONAL:
            raise PesoError("unknown key", path=path, key="%s.%s" % (key, name))
    for name in ("package", "rule", "reason", "owner"):
        if not isinstance(entry[name], str):
            raise PesoError("expected a string, got %r" % (entry[name],), path=path, key="%s.%s" % (key, name))
    rule_id = entry["rule"].strip().upper()
    if rule_id not in known:
        raise PesoError("unknown rule %r" % entry["rule"], path=path, key="%s.rule" % key)
    expires = entry["expires"]
    if isinstance(expires, datetime.datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = datetime.date.fromisoformat(expires.strip())
        except ValueError:
            expires = None
    if not isinstance(expires, datetime.date):
        raise PesoError("expected a date YYYY-MM-DD, got %r" % (entry["expires"],), path=path, key="%s.expires" % key)
    return Waiver(
        package=entry["package"].strip(),
        rule=rule_id,
        reason=entry["reason"],
        owner=entry["owner"],
        expires=expires,
        line=line,
        issue=entry.get("issue"),
    )


@rule(EXPIRED, kind="engine")
@rule(UNUSED, kind="engine")
def apply_waivers(
    findings: Sequence,
    waiver_file: WaiverFile,
    linted_packages: Set[str],
    active_ids: Iterable[str],
    today: Optional[datetime.date] = None,
) -> Tuple[List, List[Tuple[str, int, str, str]]]:
    """Drop waived findings; return the kept ones and the waiver file's problems.

    Problems are ``(rule_id, line, package, message)`` located in the waiver file. A
    waiver only counts as unused when its package was linted in this run and its rule
    ran: linting one package says nothing about the waivers of the others.
    """
    today = today or datetime.date.today()
    active = set(active_ids)
    live: Dict[str, List[Waiver]] = {}  # by rule: a repository may carry hundreds of waivers
    for w in waiver_file.waivers:
        if w.expires >= today:
            live.setdefault(w.rule, []).append(w)
    used: Dict[int, bool] = {}
    kept = []
    for f in findings:
        waiver = next((w for w in live.get(f.rule, ()) if w.matches(f)), None)
        if waiver is None:
            kept.append(f)
        else:
            used[id(waiver)] = True
    problems = []
    for w in waiver_file.waivers:
        if w.expires < today:
            if EXPIRED in active:
                problems.append(
                    (
                        EXPIRED,
                        w.line,
                        w.package,
                        "waiver of %s for %s (owner %s) expired on %s" % (w.rule, w.package, w.owner, w.expires),
                    )
                )
        elif id(w) not in used and UNUSED in active and w.rule in active:
            if any(fnmatch.fnmatchcase(p, w.package) for p in linted_packages):
                problems.append(
                    (
                        UNUSED,
                        w.line,
                        w.package,
                        "waiver of %s for %s matches no finding; remove it" % (w.rule, w.package),
                    )
                )
    return kept, problems
