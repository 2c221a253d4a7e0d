"""``spack peso bootstrap`` / ``python -m peso bootstrap``: a ready Spack.

Prints where the Spack that spack-peso will use lives (``SPACK_ROOT``, ``PATH``, or the
pinned copy provisioned into the user cache from archives or git) and the ``export``
lines that make a shell use it too. The work is :func:`peso.spackcall.provision.ensure`.
"""

from .. import ui
from ..spackcall import provision

description = "find or provision the pinned Spack (offline from archives) and print how to use it"


def setup_parser(subparser):
    subparser.add_argument(
        "--from",
        dest="from_dir",
        metavar="DIR",
        help="folder with spack-<commit>.tar.gz and spack-packages-<commit>.tar.gz "
        "(default: $%s, then the checkout's ../shared/spack)" % provision.ARCHIVES_ENV,
    )
    subparser.add_argument("--no-git", action="store_true", help="never clone from the network")
    subparser.add_argument("--print-env", action="store_true", help="print only shell 'export' lines (for eval)")
    subparser.set_defaults(func=run)


def run(args):
    install = provision.ensure(
        args.from_dir,
        log=ui.msg if not args.print_env else (lambda m: None),
        with_packages=True,
        allow_git=not args.no_git,
    )
    exports = ["export SPACK_ROOT=%s" % install.root, "export SPACK_PYTHON=%s" % provision.spack_python()]
    if args.print_env:
        print("\n".join(exports))
        return 0
    ui.msg("Spack %s (%s)" % (install.root, install.origin))
    if install.builtin:
        ui.msg("builtin repository %s" % install.builtin)
    else:
        ui.msg("builtin repository: not a spack-packages tree (reference stacks unavailable)")
    print("\n".join(exports))
    return 0
