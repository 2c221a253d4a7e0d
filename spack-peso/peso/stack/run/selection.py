"""Which roots ``--only`` and ``--skip`` name: one rule for ``stack build`` and ``stack test``.

A name is a package name or a DAG hash prefix (``/`` optional), so a user can pick one
of two roots of the same package. A name that matches no root is a typo, never an empty
run: it is refused in one line before anything is built, tested or written.
"""

from typing import List, Sequence

from ...errors import PesoError


def names_root(root: dict, names: Sequence[str]) -> bool:
    """Whether any of ``names`` is ``root``'s package name or a prefix of its hash."""
    return any(root["package"] == n or root["hash"].startswith(n.lstrip("/")) for n in names if n.lstrip("/"))


def check_names(roots: List[dict], names: Sequence[str], option: str) -> None:
    """Refuse ``option`` (``--only``, ``--skip``) when one of its names matches no root."""
    unknown = [n for n in names if not any(names_root(r, [n]) for r in roots)]
    if unknown:
        raise PesoError("%s names no root of this environment: %s" % (option, ", ".join(unknown)))


def only(roots: List[dict], names: Sequence[str]) -> List[dict]:
    """The roots ``--only`` asks for (every root without it), each name checked."""
    if not names:
        return list(roots)
    check_names(roots, names, "--only")
    return [r for r in roots if names_root(r, names)]
