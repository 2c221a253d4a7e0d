"""One index of the documentation of every rule the project's linters emit.

Three linters report findings: ``spack peso lint`` on recipes (``PESO-*``), ``spack peso
policy stack`` on one generated environment (``STACK-*``) and ``spack peso stack
lint-catalog`` on the product catalogue (codes such as ``unknown-variant``). Each rule's
documentation (what, why, example, fix) is data beside the code that emits it; this
module is the one list of those files, read by ``lint --explain`` (any rule of any
family) and by the documentation site's rule reference, so a family added here is both
explained and published.
"""

import dataclasses
import os
from typing import Dict, List, Optional, Tuple

from . import yamlio
from .errors import PesoError

PACKAGE = os.path.dirname(os.path.abspath(__file__))


@dataclasses.dataclass(frozen=True)
class Family:
    """Rules of one linter: a heading, what reports them, where their docs live."""

    heading: str
    introduction: str
    #: documentation files, relative to the ``peso`` package
    files: Tuple[str, ...]
    #: code-block language of the examples (None: a recipe snippet, told apart per rule)
    example_language: Optional[str]
    #: the command that reports them, as ``--explain`` says it
    reported_by: str


RECIPE = Family(
    "Recipe rules (`PESO-*`)",
    "What `spack peso lint` reports on `package.py` recipes; `spack peso lint --explain ID` prints the same text. "
    "Severities are the defaults; a profile (`--profile`) may change them.",
    ("lint/data/rules.yaml", "lint/data/rules-engine.yaml", "lint/data/rules-deep.yaml"),
    None,
    "spack peso lint, on a package.py recipe",
)
STACK = Family(
    "Stack rules (`STACK-*`)",
    "What `spack peso policy stack ENV/spack.yaml` reports on one generated environment, at the line of "
    "`spack.yaml` that lists the spec; `spack peso lint --explain ID` prints the same text.",
    ("policy/data/stack_rules.yaml",),
    "yaml",
    "spack peso policy stack ENV/spack.yaml, on one generated environment",
)
CATALOGUE = Family(
    "Catalogue codes",
    "What `spack peso stack lint-catalog` reports on the product catalogue (`[code]` in its output), "
    "checked against the recipes without Spack; `spack peso lint --explain CODE` prints the same text.",
    ("stack/generate/data/catalog_rules.yaml",),
    "yaml",
    "spack peso stack lint-catalog, on the product catalogue",
)
FAMILIES = (RECIPE, STACK, CATALOGUE)


def entries(family: Family) -> List[dict]:
    """The documentation entries of one family, in file order."""
    found: List[dict] = []
    for name in family.files:
        path = os.path.join(PACKAGE, name)
        data = yamlio.load(path) or []
        if not isinstance(data, list) or not all(isinstance(e, dict) and e.get("id") for e in data):
            raise PesoError("expected a list of rule entries, each with an id", path=path)
        found += data
    return found


def find(text: str) -> Tuple[Family, Dict]:
    """The family and documentation entry of a rule ID (any case) or rule name."""
    wanted = text.strip()
    for family in FAMILIES:
        for entry in entries(family):
            if wanted.upper() == str(entry["id"]).upper() or wanted == entry.get("name"):
                return family, entry
    raise PesoError("unknown rule (see --list-rules)", path=text)
