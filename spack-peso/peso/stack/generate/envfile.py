"""The root specs a Spack environment file (``spack.yaml``) lists.

Stack diffing, catalogue seeding, policy reports and stack lint all need the specs of a
hand-made or rendered environment, with ``definitions``, ``$name`` references, matrices
and spec groups expanded the way Spack expands them. This is the one place that does it.
"""

import itertools
import os
import re
from typing import Iterator, List, Optional, Tuple

from ... import yamlio
from ...errors import PesoError

_NAME = re.compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9._-]*)")


def load_environment(path: str) -> dict:
    """The ``spack:`` mapping of an environment file; a one-line error for anything else."""
    return environment_of(yamlio.load(path), path)


def environment_of(doc, path: str = "spack.yaml") -> dict:
    if not isinstance(doc, dict) or not isinstance(doc.get("spack"), dict):
        raise PesoError("not a Spack environment (no top-level 'spack:' mapping)", path=path)
    return doc["spack"]


def grouped_specs(env: dict) -> List[Tuple[Optional[str], str]]:
    """Every root spec as ``(group name or None, spec string)``, in file order."""
    definitions: dict = {}
    for block in env.get("definitions") or ():
        for key, value in (block or {}).items():
            if key != "when":
                values = [spec for _, spec in _expand(value, definitions, None)]
                definitions.setdefault(key, []).extend(values)
    return list(_expand(env.get("specs"), definitions, None))


def specs(env: dict) -> List[str]:
    """Every root spec string of the environment."""
    return [spec for _, spec in grouped_specs(env)]


def root_names(env: dict) -> List[str]:
    """Root package names, each once, in first-seen order."""
    names: dict = {}
    for spec in specs(env):
        name = root_name(spec)
        if name:
            names.setdefault(name, None)
    return list(names)


def root_name(spec: str) -> Optional[str]:
    """Package name at the start of a spec string (``hypre +cuda`` -> ``hypre``)."""
    m = _NAME.match(spec or "")
    return m.group(1) if m else None


def _expand(items, definitions, group) -> Iterator[Tuple[Optional[str], str]]:
    for item in items or ():
        if isinstance(item, str):
            if item.startswith("$"):
                ref = item[1:].strip("{}")
                for spec in definitions.get(ref, ()):
                    yield group, spec
            else:
                yield group, item
        elif isinstance(item, list):
            yield from _expand(item, definitions, group)
        elif isinstance(item, dict) and "matrix" in item:
            rows = [[s for _, s in _expand(row, definitions, group)] for row in item["matrix"] or ()]
            for combo in itertools.product(*rows):  # ``exclude:`` is not applied
                spec = " ".join(part for part in combo if part).strip()
                if spec:
                    yield group, spec
        elif isinstance(item, dict) and "specs" in item:  # spec group (newer Spack)
            yield from _expand(item["specs"], definitions, item.get("group", group))


_TARGET_LINE = re.compile(r"^# target: ([\w.+-]+)")


def target_of(path: str) -> str:
    """The target an environment file is for: the ``# target: NAME`` line ``stack
    generate`` writes in its header (``render.py``), else the folder holding it
    (``environments/<target>/spack.yaml``)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.startswith("#"):
                    break
                m = _TARGET_LINE.match(line)
                if m:
                    return m.group(1)
    except OSError:
        pass
    return os.path.basename(os.path.dirname(os.path.abspath(path)))
