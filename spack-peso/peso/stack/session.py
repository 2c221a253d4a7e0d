"""Where a stack lives, for every ``stack`` command: one resolution of ``--target``.

``stack generate`` writes ``environments_dir()/<target>/spack.yaml``; ``stack build`` and
``stack test`` must read that same file, whatever folder they run from, whatever alias
named the target, and with ``$PESO_ENVIRONMENTS`` honoured. They also need the target
profile's scheduler facts, read from the profile the name resolves to (an alias gets its
machine's facts). Resolving all of it here, once, is what keeps the three commands
agreeing; the command modules only parse and print.
"""

import dataclasses
import os
from typing import Any, Optional

from ..errors import PesoError


@dataclasses.dataclass
class StackPlace:
    """A resolved target: its profile, its environment folder, its results folder."""

    target: Any  # generate.model.Target (imported when resolving: ``stack report`` needs no YAML)
    env_dir: str
    out_dir: str

    @property
    def name(self) -> str:
        """The profile's own name (an alias or a path resolves to it): records and shard
        names use it, so runs of one machine compare whatever name the user typed."""
        return self.target.name

    @property
    def profile(self) -> Optional[dict]:
        """The profile document, for its scheduler facts (``host`` has none)."""
        return self.target.doc if self.target.path else None

    @property
    def profile_label(self) -> str:
        return os.path.relpath(self.target.path) if self.target.path else self.target.name


def resolve(target: str, env_dir: Optional[str] = None, out: Optional[str] = None) -> StackPlace:
    """``--target`` (a profile name, an alias, a path to a profile, or ``host``) with the
    optional ``--env`` and ``--out``; an unknown target is a one-line error."""
    from .generate.model import environments_dir, find_target

    if not target:
        raise PesoError("--target is required")
    profile = find_target(target)
    env = env_dir or os.path.join(environments_dir(), profile.name)
    results = out or os.path.join("peso-out", profile.name)
    return StackPlace(profile, os.path.abspath(env), os.path.abspath(results))


def require_stack(place: StackPlace) -> str:
    """The environment's ``spack.yaml``, or a one-line error saying how to make it."""
    path = os.path.join(place.env_dir, "spack.yaml")
    if not os.path.isfile(path):
        raise PesoError(
            "no spack.yaml here: run 'spack peso stack generate --target=%s' first (or give --env)" % place.name,
            place.env_dir,
        )
    return path
