"""Evidence ladders: per policy, which observed facts fail it, pass it, or only support it.

The ladders are data (``peso/policy/data/ladders.yaml``), each with its reasoning, so a
curator can read (``spack peso policy explain E4S-P2``) exactly why a cell says what it
says, and change a rung without touching code. This module loads and validates them and
applies one ladder to one product's observations; :mod:`.evaluate` combines that with
the recipe lint. Order of strength: any matching fail rung fails the cell; otherwise the
first matching pass rung passes it; partial rungs never decide, they are kept as support
and the cell says what would decide it (``to_decide``).
"""

import dataclasses
import os
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

from .. import yamlio
from ..errors import PesoError
from .definitions import DATA_DIR

LADDERS = os.path.join(DATA_DIR, "ladders.yaml")
KINDS = ("fail", "pass", "partial")


@dataclasses.dataclass
class Rung:
    kind: str  # fail | pass | partial
    when: Dict[str, tuple]  # fact -> accepted values
    why: str

    def matches(self, observations) -> List:
        """The observations that satisfy this rung (empty when a fact is not observed);
        stale observations (evidence of another spec than the stack's now) never do."""
        used = []
        for fact, values in self.when.items():
            hits = [o for o in observations if o.fact == fact and o.value in values and not o.stale]
            if not hits:
                return []
            used += hits
        return used

    def describe(self) -> str:
        return " and ".join("%s is %s" % (f, " or ".join(v)) for f, v in self.when.items())


@dataclasses.dataclass
class Ladder:
    policy: str
    reasoning: str
    rungs: List[Rung]
    to_decide: List[Dict[str, str]]

    def of_kind(self, kind: str) -> List[Rung]:
        return [r for r in self.rungs if r.kind == kind]


@dataclasses.dataclass
class Verdict:
    """What the evidence says about one policy for one product."""

    status: str  # fail | pass | partial | none
    why: List[str]
    used: List  # (Observation, kind, why)
    to_decide: List[Dict[str, str]]


def load_ladders(path: str = LADDERS, known: Optional[Sequence[str]] = None) -> Dict[str, Ladder]:
    """Ladders by policy id; one-line :class:`PesoError` naming the file and key otherwise."""
    data = yamlio.load(path)
    if not isinstance(data, dict) or not isinstance(data.get("ladders"), dict):
        raise PesoError("expected a 'ladders' mapping", path=path)
    commands = data.get("commands") or {}
    if not isinstance(commands, dict):
        raise PesoError("'commands' must be a mapping", path=path, key="commands")
    vocabulary = data.get("facts")
    if vocabulary is not None and not isinstance(vocabulary, dict):
        raise PesoError("'facts' must map each fact to its values", path=path, key="facts")
    ladders = {}
    for pid, body in data["ladders"].items():
        if known is not None and pid not in known:
            raise PesoError("no such policy", path=path, key=pid)
        if not isinstance(body, dict):
            raise PesoError("a ladder must be a mapping", path=path, key=pid)
        unknown = set(body) - {"reasoning", "to_decide", *KINDS}
        if unknown:
            raise PesoError("unknown key(s) %s" % ", ".join(sorted(unknown)), path=path, key=pid)
        rungs = []
        for kind in KINDS:
            for i, rung in enumerate(body.get(kind) or ()):
                where = "%s/%s[%d]" % (pid, kind, i)
                if not isinstance(rung, dict) or not isinstance(rung.get("when"), dict) or not rung["when"]:
                    raise PesoError("a rung needs a non-empty 'when' mapping", path=path, key=where)
                if not rung.get("why"):
                    raise PesoError("a rung needs a 'why'", path=path, key=where)
                when = {}
                for fact, values in rung["when"].items():
                    values = values if isinstance(values, list) else [values]
                    # YAML reads a bare no/yes as a boolean; the facts say "no"/"yes"
                    values = tuple(({True: "yes", False: "no"}[v] if isinstance(v, bool) else str(v)) for v in values)
                    if vocabulary is not None:
                        if fact not in vocabulary:
                            raise PesoError("unknown fact %r (see 'facts')" % fact, path=path, key=where)
                        wrong = [v for v in values if v not in [str(x) for x in vocabulary[fact] or ()]]
                        if wrong:
                            raise PesoError(
                                "%s has no value %s" % (fact, ", ".join(map(repr, wrong))), path=path, key=where
                            )
                    when[str(fact)] = values
                rungs.append(Rung(kind, when, str(rung["why"])))
        to_decide = []
        for i, item in enumerate(body.get("to_decide") or ()):
            if not isinstance(item, dict) or "evidence" not in item or "produce" not in item:
                raise PesoError(
                    "to_decide entries need 'evidence' and 'produce'", path=path, key="%s/to_decide[%d]" % (pid, i)
                )
            produce = commands.get(item["produce"], item["produce"])
            to_decide.append({"evidence": str(item["evidence"]), "produce": str(produce)})
        ladders[pid] = Ladder(pid, " ".join(str(body.get("reasoning") or "").split()), rungs, to_decide)
    return ladders


def vocabulary(path: str = LADDERS) -> Dict[str, tuple]:
    """fact -> the values providers may observe (the ``facts`` of the ladders file)."""
    data = yamlio.load(path)
    return {fact: tuple(str(v) for v in values or ()) for fact, values in (data.get("facts") or {}).items()}


@lru_cache(maxsize=1)
def default_ladders() -> Dict[str, Ladder]:
    from .definitions import load_policies

    return load_ladders(LADDERS, known=[p.id for p in load_policies()])


def climb(ladder: Optional[Ladder], observations: Sequence, fill: Dict[str, str]) -> Verdict:
    """Apply one ladder to one product's observations."""
    if ladder is None:
        return Verdict("none", [], [], [])
    to_decide = [{k: _fill(v, fill) for k, v in item.items()} for item in ladder.to_decide]
    failed = [(r, r.matches(observations)) for r in ladder.of_kind("fail")]
    failed = [(r, used) for r, used in failed if used]
    partial = [(r, r.matches(observations)) for r in ladder.of_kind("partial")]
    partial = [(r, used) for r, used in partial if used]
    # partial support is kept beside a decision too: the cell shows everything that was read
    support = [(o, "partial", r.why) for r, used in partial for o in used]
    if failed:
        return Verdict(
            "fail",
            [r.why for r, _ in failed],
            [(o, "fail", r.why) for r, used in failed for o in used] + support,
            to_decide,
        )
    for rung in ladder.of_kind("pass"):
        used = rung.matches(observations)
        if used:
            return Verdict("pass", [rung.why], [(o, "pass", rung.why) for o in used] + support, to_decide)
    if partial:
        return Verdict("partial", [r.why for r, _ in partial], support, to_decide)
    return Verdict("none", [], [], to_decide)


def _fill(text: str, fill: Dict[str, str]) -> str:
    for key, value in fill.items():
        if value:
            text = text.replace("<%s>" % key, value)
    return text
