"""``python -m peso``: the same commands as ``spack peso``, without Spack.

Linting and stack generation work anywhere Python does (a pre-commit hook, a product
team's CI). Subcommands that need Spack (``stack build``, ``stack test``, ``--check``,
``lint --deep``) drive a real Spack found through ``SPACK_ROOT`` or ``PATH``.
"""

import argparse
import sys

from . import __version__
from .deps import missing_message


def make_parser() -> argparse.ArgumentParser:
    from .cmd import peso as peso_cmd

    parser = argparse.ArgumentParser(prog="peso", description=peso_cmd.description)
    parser.add_argument("--version", action="version", version="spack-peso " + __version__)
    peso_cmd.setup_parser(parser)
    return parser


def main(argv=None) -> int:
    try:
        from .cmd import peso as peso_cmd

        parser = make_parser()
        args = parser.parse_args(argv)
        return peso_cmd.peso(parser, args) or 0
    except Exception as e:  # outside a command (imports, the parser): the same contract
        message = missing_message(e) if isinstance(e, ModuleNotFoundError) else None
        if message is None:
            from .cmd.peso import crash

            crash(e)
        print("peso: error: %s" % message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
