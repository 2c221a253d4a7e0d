"""Errors a user can cause (bad input files, bad arguments).

They carry a one-line message naming the file and the problem; the command boundary
(``cmd/peso.py`` or ``__main__.py``) prints that line and exits with status 2. Anything
else escaping is a bug and keeps its traceback.
"""


class PesoError(Exception):
    """A user-facing error: bad input, bad configuration, missing tool."""

    def __init__(self, message: str, path=None, key=None):
        self.path = str(path) if path is not None else None
        self.key = key
        parts = []
        if self.path:
            parts.append(self.path)
        if key:
            parts.append(str(key))
        parts.append(message)
        super().__init__(": ".join(parts))
