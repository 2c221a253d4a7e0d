"""``spack peso stack``: render, build and test E4S stacks per target machine.

Argument wiring only: ``stack_generate`` holds targets/generate/diff,
``stack_run`` holds build/test/report.
"""

from . import stack_generate, stack_run

description = "render, build and test E4S environments per target machine"


def setup_parser(subparser):
    sp = subparser.add_subparsers(metavar="SUBCOMMAND", dest="stack_command")
    sp.required = True
    for module in (stack_generate, stack_run):
        for name, (help_text, setup, function) in module.SUBCOMMANDS.items():
            command = sp.add_parser(name, help=help_text, description=help_text)
            setup(command)
            command.set_defaults(func=function)
