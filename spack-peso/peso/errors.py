"""Errors a user can cause (bad input files, bad arguments), and the exit-status contract.

A user error carries a one-line message naming the file and the problem; the command
boundary (``cmd/peso.py``) prints that line and exits with status 2. Anything else
escaping is a bug: its traceback goes to a file, the line names that file, and the
status is ``INTERNAL_ERROR``.
"""

import datetime
import os
import tempfile
import traceback

#: the status of a crash: distinct from 1 (findings/failures), which CI reads as a verdict
INTERNAL_ERROR = 3

#: the one contract every command keeps, shown at the end of each ``--help``
EXIT_STATUS_HELP = """exit status:
  0    the work was done and found nothing to report
  1    the work was done and found findings or failures (lint findings at --fail-on,
       failed builds or tests, policy failures, ...)
  2    bad input or usage: one line on stderr names the file or option; nothing written
  3    internal error (a bug): one line names the file holding the traceback
  130  interrupted (Ctrl-C); finished results are kept"""


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters shown escaped (``\\n``): a
    file or key name from data must not split the one line of an error."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class PesoError(Exception):
    """A user-facing error: bad input, bad configuration, missing tool."""

    def __init__(self, message: str, path=None, key=None):
        self.path = str(path) if path is not None else None
        self.key = key
        parts = []
        if self.path:
            parts.append(one_line(self.path))
        if key:
            parts.append(one_line(str(key)))
        parts.append(message)
        super().__init__(": ".join(parts))


def crash_dir() -> str:
    """Where tracebacks go: ``$PESO_CRASH_DIR``, else the user cache, else the temp folder."""
    explicit = os.environ.get("PESO_CRASH_DIR")
    if explicit:
        return explicit
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "spack-peso", "crashes")


def save_crash_report(error: BaseException, argv) -> str:
    """Write the traceback of ``error`` with the command line; return the file's path."""
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    text = "command: %s\n\n%s" % (
        " ".join(str(a) for a in argv),
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    )
    for folder in (crash_dir(), tempfile.gettempdir()):
        try:
            os.makedirs(folder, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix="peso-crash-%s-" % stamp, suffix=".txt", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            return path
        except OSError:
            continue
    return "(not saved: no writable folder)"
