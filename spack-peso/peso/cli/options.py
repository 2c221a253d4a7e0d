"""Validation of the options every command shares: one place, one wording.

Each function is an ``argparse`` ``type=``: a bad value becomes argparse's one-line usage
error (exit 2) naming the option, never a traceback and never a silently accepted value.
``-j`` is capped rather than refused above what the machine can use, because a number
copied from a bigger machine's script is a reasonable thing to pass; the cap is said on
stderr once.
"""

import argparse
import os
import sys
from typing import List, Optional

#: more workers than this many times the CPUs only costs memory and start-up time
JOBS_PER_CPU = 4


def jobs_cap() -> int:
    return max(1, (os.cpu_count() or 1) * JOBS_PER_CPU)


def jobs(text: str) -> int:
    """``-j/--jobs``: an integer >= 1, capped at ``JOBS_PER_CPU`` x CPUs with a notice."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number >= 1, got %r" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected a whole number >= 1, got %r" % text)
    cap = jobs_cap()
    if value > cap:
        print("==> -j %d capped at %d (%d per CPU)" % (value, cap, JOBS_PER_CPU), file=sys.stderr)
        return cap
    return value


def seconds(text: str) -> float:
    """A timeout in seconds: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of seconds > 0, got %r" % text)
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError("expected a number of seconds > 0, got %r" % text)
    return value


def csv(values: Optional[List[str]]) -> List[str]:
    """Comma- or space-separated lists, from one or many occurrences of an option.

    The one splitter of command-line lists: ``--only a,b --only c`` and ``--only "a b"``
    both give ``[a, b, c]``; empty items are dropped.
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: List[str] = []
    for value in values:
        out.extend(item for item in value.replace(" ", ",").split(",") if item.strip())
    return [item.strip() for item in out]
