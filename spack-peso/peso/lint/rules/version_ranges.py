"""Does any of a package's declared versions satisfy a version constraint (``@1.2:``,
``@:3``, ``@1.2,1.4``, ``@=2.0``)?

Spack's own answer is the one that counts (``spack.version``, as its audit asks it:
``Version(v).intersects(ver(constraint))``), used whenever Spack is importable (``spack
peso lint``). Without Spack the answer comes from a small reading of the same rules that
only decides plain dotted numbers and the branch names Spack orders above every release
(``develop``, ``main``...): ``@1.2`` and ``@:1.2`` include 1.2.5 (a bound is a prefix),
``1.0 < 1.0.0``, ``=`` is exact. Anything else (pre-releases, letters, git versions) is
undecided (None): the caller then reports nothing. Which of the two answered is part of
the lint cache's fingerprint (:func:`spack_importable`), so a cached result never mixes
them.
"""

import functools
import importlib.util
import re
from typing import Optional, Sequence, Tuple

from ._common import BRANCH_NAMES

_NUMERIC = re.compile(r"^\d+(?:\.\d+)*$")


@functools.lru_cache(maxsize=1)
def spack_importable() -> bool:
    """``spack.version`` can be imported (found without importing it)."""
    try:
        return importlib.util.find_spec("spack") is not None
    except (ImportError, ValueError):
        return False


def any_satisfies(declared: Sequence[str], constraint: str) -> Optional[bool]:
    """True if a version in ``declared`` satisfies ``constraint`` (the text after ``@``),
    False if none does, None when that cannot be decided."""
    if spack_importable():
        return _spack_answer(tuple(declared), constraint)
    return _plain_answer(tuple(declared), constraint)


def decidable(versions: Sequence[str]) -> Tuple[str, ...]:
    """The names of ``versions`` an answer can be given for (all of them with Spack):
    enough for a quick "some version satisfies" on part of a list."""
    if spack_importable():
        return tuple(versions)
    return tuple(v for v in versions if _key(v) is not None)


@functools.lru_cache(maxsize=65536)
def _spack_answer(declared: Tuple[str, ...], constraint: str) -> Optional[bool]:
    try:
        import spack.version as sv

        wanted = sv.ver(constraint)
        return any(sv.Version(v).intersects(wanted) for v in declared)
    except Exception:  # a text Spack does not read as versions: undecided
        return None


@functools.lru_cache(maxsize=65536)
def _key(text: str) -> Optional[tuple]:
    """Plain dotted numbers as a tuple of ints; branch names above every number."""
    if _NUMERIC.match(text):
        return tuple((1, int(part)) for part in text.split("."))
    if text in BRANCH_NAMES:
        return ((2, BRANCH_NAMES.index(text)),)
    return None


def _at_most(version: tuple, bound: tuple) -> bool:
    """``version`` is below ``bound`` or has it as a prefix (``:1.2`` includes 1.2.5)."""
    return version <= bound or version[: len(bound)] == bound


@functools.lru_cache(maxsize=65536)
def _plain_answer(declared: Tuple[str, ...], constraint: str) -> Optional[bool]:
    keys = [_key(v) for v in declared]
    if any(k is None for k in keys):
        return None
    for item in constraint.split(","):
        item = item.strip()
        exact = item.startswith("=")
        low_text, colon, high_text = item.lstrip("=").partition(":")
        if exact and colon:
            return None
        low = _key(low_text) if low_text else None
        high = _key(high_text) if high_text else None
        if (low_text and low is None) or (high_text and high is None) or not (low_text or high_text or colon):
            return None
        for version in keys:
            assert version is not None
            if exact:
                hit = version == low
            elif colon:
                hit = (low is None or version >= low) and (high is None or _at_most(version, high))
            else:  # "@1.2": the range 1.2:1.2
                hit = low is not None and version >= low and _at_most(version, low)
            if hit:
                return True
    return False


def ranges_intersect(first: str, second: str) -> Optional[bool]:
    """Whether two version constraints (``:3.1`` and ``8``, ``1.16.3:1.16.5``, lists) share
    a version: a virtual's provided range against a dependent's constraint. None when
    that cannot be decided (the caller then reports nothing)."""
    if spack_importable():
        return _spack_intersect(first, second)
    return _plain_intersect(first, second)


def _spack_intersect(first: str, second: str) -> Optional[bool]:
    try:
        import spack.version as sv

        return bool(sv.ver(first).intersects(sv.ver(second)))
    except Exception:
        return None


@functools.lru_cache(maxsize=4096)
def _plain_intersect(first: str, second: str) -> Optional[bool]:
    ours, theirs = _plain_ranges(first), _plain_ranges(second)
    if ours is None or theirs is None:
        return None
    return any(_meet(a, b) for a in ours for b in theirs)


def _plain_ranges(text: str) -> Optional[list]:
    """``[(low key or None, high key or None)]``; ``1.2`` is the range 1.2:1.2 (1.2.5
    included); None for anything the plain reading does not decide (``=`` included)."""
    ranges = []
    for item in text.split(","):
        item = item.strip()
        if not item or item.startswith("="):
            return None
        low_text, colon, high_text = item.partition(":")
        if not colon:
            high_text = low_text
        low = _key(low_text) if low_text else None
        high = _key(high_text) if high_text else None
        if (low_text and low is None) or (high_text and high is None):
            return None
        ranges.append((low, high))
    return ranges


def _meet(a: tuple, b: tuple) -> bool:
    """Two ranges share a version: the higher of the two lower bounds is within both
    upper bounds (any version above it is only further out; no lower bound: the ranges
    share the versions below both upper bounds)."""
    lows = [low for low in (a[0], b[0]) if low is not None]
    if not lows:
        return True
    low = max(lows)
    return all(_at_most(low, high) for high in (a[1], b[1]) if high is not None)
