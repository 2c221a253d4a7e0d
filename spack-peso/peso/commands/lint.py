"""``spack peso lint``: check package.py recipes against E4S/xSDK policies.

(Placeholder until the lint engine lands: see issue 2.)
"""

description = "check package.py recipes against E4S/xSDK policies and Spack conventions"


def setup_parser(subparser):
    subparser.add_argument("paths", nargs="*", metavar="PATH|PKG")


def run(args):
    raise NotImplementedError
