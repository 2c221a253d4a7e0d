"""``--changed-since REV``: lint only the recipes changed since a git revision.

For a pull request this is ``--changed-since origin/develop``: the files that differ
between REV and the *working tree* (``git diff --name-only REV``, so committed, staged
and unstaged edits all count), **plus untracked files** (``git ls-files --others
--exclude-standard``): a brand-new recipe that is not committed yet is exactly what a
contributor wants checked before pushing. Deleted recipes are dropped (nothing to lint).

Only ``package.py`` files are kept, and only those inside the given targets (a
repository, a packages folder, ...), so ``lint --changed-since REV repo/`` never lints
outside ``repo/``. A patch file or a resource beside a recipe counts as a change to that
recipe.
"""

import functools
import os
import subprocess
from typing import List, Optional, Sequence

from ..errors import PesoError


def _git(args: Sequence[str], cwd: str) -> str:
    return _git_all([args], cwd)[0]


def _git_all(commands: Sequence[Sequence[str]], cwd: str) -> List[str]:
    """The output of each git command, run side by side (the untracked-file walk of a
    9,000-recipe tree is the slow one); the first that fails, in order, is the error."""
    procs = []
    try:
        for args in commands:
            procs.append(
                subprocess.Popen(["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            )
    except OSError as e:
        for proc in procs:
            proc.kill()
            proc.wait()
        raise PesoError("cannot run git: %s" % e, path=cwd)
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for args, proc, (_out, err) in zip(commands, procs, outputs):
        if proc.returncode != 0:
            message = (err.strip().splitlines() or ["git %s failed" % " ".join(args)])[-1]
            raise PesoError(message, path=cwd, key="git " + args[0])
    return [out for out, _err in outputs]


def repo_root(path: str) -> str:
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    return _toplevel(folder)


@functools.lru_cache(maxsize=None)
def _toplevel(folder: str) -> str:
    """The work tree holding ``folder`` (asked once per folder and process)."""
    return _git(["rev-parse", "--show-toplevel"], folder).strip()


def changed_files(rev: str, start: str, untracked: bool = True) -> List[str]:
    """Absolute paths changed since ``rev`` in the git repository containing ``start``."""
    root = repo_root(start)
    commands = [
        ["rev-parse", "--verify", "--quiet", rev + "^{commit}"],
        ["diff", "--name-only", "--no-renames", rev, "--"],
    ]
    if untracked:
        commands.append(["ls-files", "--others", "--exclude-standard"])
    outputs = _git_all(commands, root)
    names = "".join(outputs[1:]).splitlines()
    return sorted({os.path.join(root, n) for n in names if n.strip()})


def changed_recipes(rev: str, targets: Sequence[str], cwd: Optional[str] = None, untracked: bool = True) -> List[str]:
    """package.py files under ``targets`` (default: cwd) changed since ``rev``.

    A changed file in a package folder (a patch, a resource) selects that folder's
    ``package.py``; recipes that were deleted are left out.
    """
    cwd = cwd or os.getcwd()
    roots = [os.path.abspath(os.path.join(cwd, t)) for t in (targets or [cwd])]
    for root in roots:
        if not os.path.exists(root):
            raise PesoError("no such file or folder", path=root)
    recipes = set()
    seen_repos = set()
    for root in roots:
        top = repo_root(root)
        if top in seen_repos:
            files = []
        else:
            seen_repos.add(top)
            files = changed_files(rev, root, untracked)
        for path in files:
            recipe = (
                path if os.path.basename(path) == "package.py" else os.path.join(os.path.dirname(path), "package.py")
            )
            if os.path.isfile(recipe) and any(_inside(recipe, r) for r in roots):
                recipes.add(recipe)
    return sorted(recipes)


def _inside(path: str, root: str) -> bool:
    if os.path.isfile(root):
        return os.path.realpath(path) == os.path.realpath(root)
    root = os.path.realpath(root)
    return os.path.realpath(path).startswith(root.rstrip(os.sep) + os.sep)
