"""``spack peso``: the command Spack loads from this extension.

Argument wiring only. Each subcommand group lives in ``peso/cli/<group>.py``
(shaped like a Spack command: ``description``, ``setup_parser`` and one function per
subcommand); this module adds them as subparsers. Every command, at whatever depth,
has one shape: its parser carries ``func`` (``set_defaults(func=...)``), the function
that runs it, so dispatch is ``args.func(args)``. ``python -m peso`` builds the very same
parser.
"""

import argparse
import sys

from .. import ui
from ..cli import bootstrap, curate, lint, policy, stack
from ..deps import missing_message
from ..errors import EXIT_STATUS_HELP, INTERNAL_ERROR, PesoError, one_line, save_crash_report

description = "lint recipes against E4S/xSDK policies; generate, build and test E4S stacks"
section = "packaging"
level = "long"

#: subcommand name -> module providing ``description`` and ``setup_parser`` (which sets
#: ``func`` on every parser that runs something)
SUBCOMMANDS = {"lint": lint, "stack": stack, "policy": policy, "curate": curate, "bootstrap": bootstrap}


def setup_parser(subparser):
    sp = subparser.add_subparsers(metavar="SUBCOMMAND", dest="peso_command")
    sp.required = True
    for name, module in SUBCOMMANDS.items():
        module.setup_parser(sp.add_parser(name, help=module.description, description=module.description))
    _add_exit_status(subparser)


def _add_exit_status(parser):
    """Every command's ``--help`` says what it does (its one-line help when it has no
    longer description) and ends with the one exit-status contract."""
    parser.epilog = EXIT_STATUS_HELP
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                if not child.description and helps.get(name):
                    child.description = helps[name]
                _add_exit_status(child)


def peso(parser, args):
    """Run one subcommand and keep the exit-status contract (``EXIT_STATUS_HELP``).

    User errors are one line and 2; a file the command cannot read or write is a user
    error too (one line naming it); anything else is a bug: one line naming the saved
    traceback, and ``INTERNAL_ERROR``, so that a crash is never read as "findings" (1).
    """
    try:
        return args.func(args)
    except PesoError as e:
        ui.error(one_line(str(e)))
        sys.exit(2)
    except ModuleNotFoundError as e:
        message = missing_message(e)
        if message is None:
            crash(e)
        ui.error(message)
        sys.exit(2)
    except KeyboardInterrupt:
        ui.error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (``| head``): nothing left to say
        sys.exit(1)
    except OSError as e:
        if not e.filename:
            crash(e)
        ui.error(one_line("%s: %s" % (e.filename, e.strerror or e)))
        sys.exit(2)
    except Exception as e:  # a bug: say where its traceback is
        crash(e)


def crash(error: BaseException):
    """Save the traceback of a bug, say where in one line, exit ``INTERNAL_ERROR``."""
    path = save_crash_report(error, sys.argv)
    ui.error(
        "internal error (a bug in spack-peso): %s: %s; traceback saved to %s"
        % (type(error).__name__, " ".join(str(error).split())[:200], path)
    )
    sys.exit(INTERNAL_ERROR)
