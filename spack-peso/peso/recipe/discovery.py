"""Which recipes a lint target names: repositories, packages folders, package folders,
files or bare package names, in this project's ``repo/`` or Spack's configured repositories.
"""

import contextlib
import glob
import os
import re
from stat import S_ISREG
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set

from ..datacache import load_yaml
from ..errors import PesoError
from ..spackcall.runtime import in_spack
from .layout import find_recipe

_PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
#: spack-peso/peso/recipe -> the project checkout holding spack-peso/ and repo/
_CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


#: path -> ``os.stat`` of the recipes the current lint run discovered, for the run's
#: duration (forked workers inherit it): the cache and the rules that read other recipes
#: of the same repository (PESO-D007 reads each dependency's) take a recipe's stat
#: signature from here instead of a second ``stat`` (a third of a warm run's stats)
_RUN_STATS: Dict[str, os.stat_result] = {}
#: the packages folders the current run's discovery listed whole (every recipe in them is
#: one of the run's): checks across recipes need not list them again
_RUN_LISTED: Set[str] = set()


@contextlib.contextmanager
def stats_of_run(stats: Optional[Dict[str, os.stat_result]], listed: Optional[Set[str]] = None) -> Iterator[None]:
    """Make ``stats`` and ``listed`` (``discover``'s) what :func:`known_stat` and
    :func:`listed_whole` answer from until the end of the block. A file changed after
    discovery keeps the older signature, so the next run sees it changed: never a stale
    result, at worst one more re-lint."""
    saved, saved_listed = dict(_RUN_STATS), set(_RUN_LISTED)
    _RUN_STATS.clear()
    _RUN_STATS.update(stats or {})
    _RUN_LISTED.clear()
    _RUN_LISTED.update(listed or ())
    try:
        yield
    finally:
        _RUN_STATS.clear()
        _RUN_STATS.update(saved)
        _RUN_LISTED.clear()
        _RUN_LISTED.update(saved_listed)


def known_stat(path: str) -> Optional[os.stat_result]:
    """The stat this run's discovery made of ``path`` (a regular file), or None."""
    return _RUN_STATS.get(path)


def listed_whole(packages_folder: str) -> bool:
    """This run's discovery listed ``packages_folder`` and lints every recipe in it."""
    return packages_folder in _RUN_LISTED


def discover(
    targets: Sequence[str], cwd: Optional[str] = None, stats: Optional[dict] = None, listed: Optional[set] = None
) -> List[str]:
    """Absolute paths of the package.py files named by ``targets`` (sorted, unique).

    No target: every recipe of the repositories Spack is configured with (inside Spack),
    else of the project's ``repo/`` folder. A target may be a repository (a folder with
    ``repo.yaml``, or one holding ``spack_repo/<namespace>/``), a packages folder, a
    package folder, a file, or a bare package name looked up in those repositories.
    ``stats``, if given, receives the ``os.stat`` of the recipes found in packages
    folders (the lint cache validates with them instead of a second stat per file);
    ``listed``, if given, the packages folders listed whole.
    """
    cwd = cwd or os.getcwd()
    if not targets:
        files = []
        for packages_dir in default_packages_dirs(cwd):
            files.extend(_recipes_in_packages_dir(packages_dir, stats, listed))
        return _unique(files)
    files = []
    for target in targets:
        path = os.path.normpath(os.path.join(cwd, os.path.expanduser(target)))
        if os.path.isfile(path):
            files.append(path)
        elif os.path.isdir(path):
            found = _recipes_under(path, stats, listed)
            if not found:
                raise PesoError("no package.py recipes found", path=target)
            files.extend(found)
        elif _PACKAGE_NAME.match(target) and os.sep not in target:
            files.append(find_package(target, cwd))
        else:
            raise PesoError("no such file, folder or package", path=target)
    return _unique(files)


def default_packages_dirs(cwd: str) -> List[str]:
    if in_spack():
        return [os.path.normpath(d) for d in spack_packages_dirs()]
    root = find_project_repo(cwd)
    if not root:
        raise PesoError(
            "no recipe repository found: no repo/ folder above %s or next to spack-peso; "
            "name a repository, package folder or package.py" % cwd
        )
    return _packages_dirs_of(root)


def spack_packages_dirs() -> List[str]:
    """The packages folders of the repositories Spack is configured with."""
    import spack.repo

    try:
        return [repo.packages_path for repo in spack.repo.PATH.repos]
    except Exception as e:  # a broken repos.yaml: Spack's own message, on one line
        raise PesoError("cannot read Spack's repository configuration: %s" % str(e).splitlines()[0])


def find_project_repo(cwd: str) -> Optional[str]:
    """The project's ``repo/`` folder: above ``cwd``, else next to this spack-peso."""
    folder = os.path.abspath(cwd)
    while True:
        candidate = os.path.join(folder, "repo")
        if os.path.isdir(candidate) and _packages_dirs_of(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    candidate = os.path.join(_CHECKOUT, "repo")
    if os.path.isdir(candidate) and _packages_dirs_of(candidate):
        return candidate
    return None


def find_package(name: str, cwd: str) -> str:
    """The package.py of package ``name`` in the configured repositories."""
    if in_spack():
        import spack.repo

        try:
            path = spack.repo.PATH.filename_for_package_name(name)
        except Exception:
            path = None
        if path and os.path.isfile(path):
            return path
        where = "the configured Spack repositories"
        dirs = []
    else:
        root = find_project_repo(cwd)
        dirs = _packages_dirs_of(root) if root else []
        where = root or "any repository (no repo/ folder found)"
    path = find_recipe(name, dirs)
    if path:
        return path
    raise PesoError("unknown package (not in %s)" % where, path=name)


def _recipes_under(folder: str, stats: Optional[dict] = None, listed: Optional[set] = None) -> List[str]:
    if os.path.isfile(os.path.join(folder, "package.py")):
        return [os.path.join(folder, "package.py")]
    dirs = _packages_dirs_of(folder)
    if dirs:
        return [f for d in dirs for f in _recipes_in_packages_dir(d, stats, listed)]
    direct = _recipes_in_packages_dir(folder, stats, listed)
    if direct:
        return direct
    return sorted(glob.glob(os.path.join(folder, "**", "package.py"), recursive=True))


def _packages_dirs_of(folder: str) -> List[str]:
    """Packages folders of a repository root, or of every ``spack_repo/<ns>`` under it."""
    if os.path.isfile(os.path.join(folder, "repo.yaml")):
        return [_repo_packages_dir(folder)]
    found = []
    for base in (folder, os.path.join(folder, "spack_repo")):
        for repo_yaml in sorted(glob.glob(os.path.join(base, "*", "repo.yaml"))):
            found.append(_repo_packages_dir(os.path.dirname(repo_yaml)))
        if found:
            break
    return found


def _repo_packages_dir(root: str) -> str:
    path = os.path.join(root, "repo.yaml")
    try:
        config = (load_yaml(path) or {}).get("repo") or {}  # kept parsed between runs
    except Exception as e:
        import yaml  # only now: a warm lint imports no PyYAML

        if not isinstance(e, (OSError, yaml.YAMLError, AttributeError)):
            raise
        raise PesoError("cannot read repository configuration: %s" % e, path=path)
    return os.path.join(root, str(config.get("subdirectory", "packages")))


def _recipes_in_packages_dir(folder: str, stats: Optional[dict] = None, listed: Optional[set] = None) -> List[str]:
    """``<folder>/*/package.py`` with one directory listing and one stat per package
    (glob costs a tenth of a warm run on 9,000 recipes), kept in ``stats``; ``folder``
    is added to ``listed``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    if listed is not None:
        listed.add(folder)
    found = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        path = os.path.join(entry.path, "package.py")
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # as os.path.isfile
            continue
        if S_ISREG(st.st_mode):
            found.append(path)
            if stats is not None:
                stats[path] = st
    return found


def _unique(paths: Iterable[str]) -> List[str]:
    # paths are built from absolute, normalised folders; abspath only for the rare others
    return sorted({p if os.path.isabs(p) else os.path.abspath(p) for p in paths})
