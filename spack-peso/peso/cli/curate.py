"""``spack peso curate``: builtin recipes fixed in ``repo/``, and patches for upstream.

``curate PKG`` copies a builtin recipe into the curation repository with its provenance;
``--list`` shows the overlays; ``--diff`` prints them as a diff against spack-packages;
``--patch DIR`` writes one ``git am``-able patch per overlay, its commit message naming
the lint rules it fixes and, given two ``stack test`` run records (``--before`` builtin,
``--after`` curated), the test outcomes it changes. The work is in ``peso.curate``.
"""

import os

from .. import ui
from ..errors import PesoError
from ..fsutil import atomic_write
from ..spackcall import provision

description = "fix builtin recipes in a curation repository and write the upstream patches"


def setup_parser(subparser):
    subparser.add_argument("packages", nargs="*", metavar="PKG", help="package names")
    action = subparser.add_mutually_exclusive_group()
    action.add_argument("--list", action="store_true", help="list the curated recipes")
    action.add_argument("--diff", action="store_true", help="print each overlay as a diff against builtin")
    action.add_argument("--patch", metavar="DIR", help="write <pkg>.patch files (git am) into DIR")
    subparser.add_argument(
        "--repo", metavar="DIR", help="curation repository (default: the project's repo/spack_repo/peso)"
    )
    subparser.add_argument("--builtin", metavar="DIR", help="builtin repository (default: the one of the Spack in use)")
    subparser.add_argument("--before", metavar="RUN", help="run record of the builtin recipes (for --patch)")
    subparser.add_argument("--after", metavar="RUN", help="run record of the curated recipes (for --patch)")
    subparser.add_argument(
        "--author", default="spack-peso curation <noreply@spack-peso.invalid>", help="patch author (Name <email>)"
    )
    subparser.set_defaults(func=run)


def _repo(args) -> str:
    from ..recipe.discovery import find_project_repo

    if args.repo:
        return os.path.abspath(args.repo)
    project = find_project_repo(os.getcwd())
    if not project:
        raise PesoError("no project repo/ found: pass --repo DIR")
    return os.path.join(project, "spack_repo", "peso")


def _builtin(args):
    """(builtin repository folder, its commit) of --builtin or the Spack in use."""
    builtin = args.builtin or provision.ensure(with_packages=True).builtin
    if not builtin or not os.path.isdir(os.path.join(builtin, "packages")):
        raise PesoError("no builtin repository with packages/: pass --builtin DIR", builtin or ".")
    tree = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(builtin))))
    commit = provision.tree_commit(tree) or "unknown"
    pins = provision.load_pins()["spack-packages"]
    if commit.split()[0] and pins["commit"].startswith(commit.split()[0]):
        commit = pins["commit"]
    return os.path.abspath(builtin), commit.split()[0]


def _record(path):
    from ..stack.run import records

    if not path:
        return None
    return records.load_record(os.path.join(path, "record.json") if os.path.isdir(path) else path)


def run(args):
    # imported here: `spack peso` loads every command module under Spack's Python
    from ..curate import overlay as overlays_mod
    from ..curate import upstream
    from ..lint.engine import known_rules

    repo = _repo(args)
    if not (args.list or args.diff or args.patch):
        if not args.packages:
            raise PesoError("name the builtin packages to curate (or --list, --diff, --patch DIR)")
        builtin, commit = _builtin(args)
        rel = provision.load_pins()["spack-packages"]["builtin"] + "/packages"
        for name in args.packages:
            made = overlays_mod.curate(name, repo, os.path.join(builtin, "packages"), commit, rel)
            ui.msg(
                "curated %s: %s (edit it and the summary/why in %s)"
                % (name, made.recipe, os.path.join(made.folder, overlays_mod.PROVENANCE))
            )
        return 0
    found = overlays_mod.overlays(repo, args.packages or None)
    if args.list:
        for item in found:
            ui.msg(
                "%-20s %s (builtin %s@%s)"
                % (
                    item.package,
                    item.provenance["summary"],
                    item.upstream_path,
                    item.provenance["builtin"]["commit"][:12],
                )
            )
        return 0
    builtin, _ = _builtin(args)
    packages = os.path.join(builtin, "packages")
    if args.diff:
        for item in found:
            print(upstream.unified_diff(item, item.original(packages)), end="")
        return 0
    before, after = _record(args.before), _record(args.after)
    names = {rule_id: rule.name for rule_id, rule in known_rules().items()}
    patches = []  # every patch made before the first is written: a refusal leaves nothing
    for item in found:
        original = item.original(packages)
        message = upstream.commit_message(
            item, upstream.fixed_rules(item, original), upstream.test_outcome(item, before, after), names
        )
        patches.append((upstream.patch_name(item), upstream.patch_text(item, original, message, args.author)))
    os.makedirs(args.patch, exist_ok=True)
    for name, text in patches:
        path = os.path.join(args.patch, name)
        atomic_write(path, text)
        ui.msg("wrote %s" % path)
    return 0
