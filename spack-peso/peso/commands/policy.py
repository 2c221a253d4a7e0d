"""``spack peso policy``: per-product E4S/xSDK compliance reports.

(Placeholder until issue 5.)
"""

description = "per-product E4S/xSDK policy compliance reports"


def setup_parser(subparser):
    subparser.add_subparsers(metavar="SUBCOMMAND", dest="policy_command")


def run(args):
    raise NotImplementedError
