"""``spack peso``: the command Spack loads from this extension.

Argument wiring only. Each subcommand group lives in ``peso/cli/<group>.py``
(shaped like a Spack command: ``description``, ``setup_parser`` and one function per
subcommand); this module adds them as subparsers and dispatches. ``python -m peso``
builds the very same parser.
"""

import sys

from .. import ui
from ..cli import bootstrap, curate, lint, policy, stack
from ..deps import missing_message
from ..errors import PesoError

description = "lint recipes against E4S/xSDK policies; generate, build and test E4S stacks"
section = "packaging"
level = "long"

#: subcommand name -> module providing ``description``, ``setup_parser`` and ``run``
SUBCOMMANDS = {"lint": lint, "stack": stack, "policy": policy, "curate": curate, "bootstrap": bootstrap}


def setup_parser(subparser):
    sp = subparser.add_subparsers(metavar="SUBCOMMAND", dest="peso_command")
    sp.required = True
    for name, module in SUBCOMMANDS.items():
        module.setup_parser(sp.add_parser(name, help=module.description, description=module.description))


def peso(parser, args):
    """Run one subcommand; user errors become one line on stderr and exit status 2."""
    try:
        return SUBCOMMANDS[args.peso_command].run(args)
    except PesoError as e:
        ui.error(str(e))
        sys.exit(2)
    except ModuleNotFoundError as e:
        message = missing_message(e)
        if message is None:
            raise
        ui.error(message)
        sys.exit(2)
    except KeyboardInterrupt:
        ui.error("interrupted")
        sys.exit(130)
