"""Terminal output: Spack's ``tty`` inside Spack, a minimal stand-in outside it.

Library code never prints; commands use these functions so that ``spack peso`` looks
like any Spack command and ``python -m peso`` still works without Spack.
"""

import sys
from typing import Optional

try:  # inside Spack
    import spack.llnl.util.tty as _tty
    import spack.llnl.util.tty.color as _color

    msg = _tty.msg
    info = _tty.info
    warn = _tty.warn
    error = _tty.error
    debug = _tty.debug

    def colorize(text: str, color: Optional[bool] = None) -> str:
        """Colourize Spack ``@r{...}``-style markup."""
        return _color.colorize(text, color=color)

    IN_SPACK = True
except ImportError:  # plain Python
    import re

    IN_SPACK = False
    _MARKUP = re.compile(r"@\*?[a-zA-Z]?\{([^}]*)\}")
    _CODES = {"r": "31", "g": "32", "y": "33", "b": "34", "m": "35", "c": "36", "K": "90"}

    def colorize(text: str, color: Optional[bool] = None) -> str:
        if color is None:
            color = sys.stdout.isatty()
        if not color:
            return _MARKUP.sub(r"\1", text)

        def repl(m):
            code = m.group(0)[1:].split("{")[0].lstrip("*")
            bold = m.group(0)[1] == "*"
            c = _CODES.get(code, "0")
            return "\033[%s%sm%s\033[0m" % ("1;" if bold else "", c, m.group(1))

        return _MARKUP.sub(repl, text)

    def _out(prefix, stream, *args):
        print(prefix + " ".join(str(a) for a in args), file=stream)

    def msg(*args, **kwargs):
        _out("==> ", sys.stdout, *args)

    def info(*args, **kwargs):
        _out("==> ", sys.stdout, *args)

    def warn(*args, **kwargs):
        _out("==> Warning: ", sys.stderr, *args)

    def error(*args, **kwargs):
        _out("==> Error: ", sys.stderr, *args)

    def debug(*args, **kwargs):
        pass


def progress(*args) -> None:
    """A progress line of a long step (``generate --check``'s batches), on stderr and
    flushed at once: it says the run is alive, it is not the run's result, so a stdout
    piped into a file or another program never carries it."""
    print("==> " + " ".join(str(a) for a in args), file=sys.stderr, flush=True)
