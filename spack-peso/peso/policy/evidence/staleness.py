"""Evidence that no longer describes the stack being reported: stale, shown, deciding nothing.

Records are matched to products by package name, but a record says more than a name: the
target it was made for, the root spec it solved (``check.jsonl``) and the concrete hash it
built or tested (``build.json``, ``record.json``). When the report is about one
environment (``policy report --stack ENV/spack.yaml``), evidence about another target, a
root spec the stack no longer asks for, or a hash the stack's current ``spack.lock`` does
not have describes something else: it is kept in the cell with the reason it is stale
(:attr:`.Observation.stale`), and the ladders never decide on it.

An ``--evidence`` path whose records all name other packages or other targets is not
evidence about this report at all (a folder of another stack's runs, given by mistake):
one line naming it, exit 2, rather than a report that silently ignored it.
"""

import dataclasses
import json
import os
import re
from typing import Dict, List, Optional, Sequence, Set

from ...errors import PesoError
from ...stack.generate import envfile

#: facts read from records that name a target, a spec or a hash
RECORD_FACTS = ("concretize", "build", "build.hash", "test")


@dataclasses.dataclass
class StackNow:
    """What the reported environment asks for now."""

    target: str
    #: package -> the root spec strings of spack.yaml that name it
    roots: Dict[str, Set[str]]
    #: package -> concrete hashes of its roots in spack.lock (empty: no current lock)
    hashes: Dict[str, Set[str]]


def stack_now(path: str) -> StackNow:
    env = envfile.load_environment(path)
    roots: Dict[str, Set[str]] = {}
    for spec in envfile.specs(env):
        name = envfile.root_name(spec)
        if name:
            roots.setdefault(name, set()).add(_normal(spec))
    return StackNow(envfile.target_of(path), roots, _lock_hashes(path, roots))


def _lock_hashes(path: str, roots: Dict[str, Set[str]]) -> Dict[str, Set[str]]:
    """Root hashes of ``spack.lock`` beside the environment, when the lock was made from
    the same root specs (Spack writes them in ``roots[].spec``); else none: a lock of
    another spack.yaml says nothing about this one."""
    lock = os.path.join(os.path.dirname(os.path.abspath(path)), "spack.lock")
    try:
        with open(lock, encoding="utf-8") as f:
            entries = json.load(f).get("roots") or []
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return {}
    locked = {_normal(str(e.get("spec", ""))) for e in entries}
    if locked != {spec for specs in roots.values() for spec in specs}:
        return {}
    hashes: Dict[str, Set[str]] = {}
    for entry in entries:
        name = envfile.root_name(str(entry.get("spec", "")))
        if name and entry.get("hash"):
            hashes.setdefault(name, set()).add(str(entry["hash"]))
    return hashes


def _normal(spec: str) -> str:
    """A spec string in one spelling: ``hypre+rocm amdgpu_target=gfx90a`` and ``hypre
    +rocm  amdgpu_target=gfx90a`` (or the same settings in another order) are one spec.
    Each node (the root, every ``^dependency``) keeps its own settings, sorted."""
    nodes = []
    spec = re.sub(r"""=(["'])(.*?)\1""", r"=\2", spec)  # cxxflags='-O2' is cxxflags="-O2"
    for node in spec.split("^"):
        words = re.sub(r"\s*([+~])", r" \1", node).split()
        if not words:
            continue
        head, rest = (words[0], words[1:]) if not words[0].startswith(("+", "~")) else ("", words)
        nodes.append(" ".join([head] + sorted(rest)).strip())
    return nodes[0] + "".join(" ^" + n for n in sorted(nodes[1:])) if nodes else ""


def why_stale(observation, now: StackNow) -> str:
    """Why one observation does not describe the stack now ('' when it does)."""
    if observation.fact not in RECORD_FACTS:
        return ""
    if observation.target and observation.target != now.target:
        return "evidence of target %s, not of this stack's %s" % (observation.target, now.target)
    asked = now.roots.get(observation.package)
    if observation.spec and asked and _normal(observation.spec) not in asked:
        return "about %r; the stack now asks for %s" % (observation.spec, " or ".join(repr(s) for s in sorted(asked)))
    locked = now.hashes.get(observation.package)
    if observation.hash and locked and not any(h.startswith(observation.hash) for h in locked):
        return "about hash %s; the stack's spack.lock now has %s" % (
            observation.hash[:7],
            ", ".join(sorted(h[:7] for h in locked)),
        )
    return ""


def mark(observations: List, now: Optional[StackNow]) -> List:
    """The observations with ``stale`` set where they describe something else."""
    if now is None:
        return observations
    out = []
    for o in observations:
        why = why_stale(o, now)
        out.append(dataclasses.replace(o, stale=why) if why and not o.stale else o)
    return out


def refuse_foreign(per_path: Dict[str, List], packages: Sequence[str], now: Optional[StackNow]) -> None:
    """One line for an ``--evidence`` path whose records are all about other packages or,
    for a stack, other targets: it holds no evidence about this report."""
    wanted = set(packages)
    for path, observations in per_path.items():
        records = [o for o in observations if o.fact in RECORD_FACTS]
        if not records:
            continue
        ours = [o for o in records if o.package in wanted and (now is None or not o.target or o.target == now.target)]
        if ours:
            continue
        targets = sorted({o.target for o in records if o.target})
        if now is not None and targets and all(t != now.target for t in targets):
            why = "its records are of target %s, the stack is %s" % (", ".join(targets), now.target)
        else:
            why = "none of its %d records names a product of this report" % len(records)
        raise PesoError("records of another stack: %s" % why, path=path, key="--evidence")
