"""A ready Spack, found or provisioned, the way benchpark provisions Spack and Ramble.

Everything in spack-peso that needs a real Spack (stack build/test, ``--check``,
``--deep``, the demo, the tests and the benchmarks) asks :func:`ensure` for one, so they
all agree on which Spack runs and how it was made. The order is:

1. the Spack the user already has: ``SPACK_ROOT``, the Spack this code runs inside
   (``spack peso ...``), or ``spack`` on ``PATH``;
2. a copy in the user cache (``~/.cache/spack-peso/spack/<spack>-<packages>``), keyed by
   the pinned commits of ``pins.yaml``;
3. that copy made from release-style archives (``spack-<commit>.tar.gz``,
   ``spack-packages-<commit>.tar.gz``) found in ``--from DIR``, ``$PESO_SPACK_ARCHIVES`` or
   the checkout's sibling ``../shared/spack`` (air-gapped machines);
4. or cloned from the pinned commits' ``url``.

A provisioned copy has its builtin repository configured to the matching spack-packages
(otherwise Spack 1.x clones spack-packages itself) and clingo installed for the Python that
runs it. Copies are unpacked into a temporary folder and renamed into place, so an
interrupted provisioning never leaves a half-made Spack in the cache.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from typing import Callable, List, Optional

from .. import CHECKOUT
from ..errors import PesoError

PINS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pins.yaml")
#: the git checkout this package lives in, when it runs from one (None for a wheel)
ARCHIVES_ENV = "PESO_SPACK_ARCHIVES"
COMPLETE_MARK = ".peso-complete"


def load_pins(path: str = PINS_FILE) -> dict:
    import yaml  # lazily: `spack peso` loads this module under Spack's Python, which has no PyYAML

    with open(path) as f:
        pins = yaml.safe_load(f)
    for name in ("spack", "spack-packages"):
        if not isinstance(pins.get(name), dict) or len(str(pins[name].get("commit", ""))) != 40:
            raise PesoError("needs a 40-hex 'commit' for %s" % name, path)
    return pins


@dataclass
class SpackInstall:
    """One usable Spack: where it is, how it was found, and the recipes it reads."""

    root: str
    origin: str
    #: the spack-packages tree (holds ``stacks/`` and ``repos/``), when known
    packages: Optional[str] = None

    @property
    def exe(self) -> str:
        return os.path.join(self.root, "bin", "spack")

    @property
    def builtin(self) -> Optional[str]:
        """The builtin repository folder (holding ``packages/``), when known."""
        if not self.packages:
            return None
        return os.path.join(self.packages, load_pins()["spack-packages"]["builtin"])


def cache_root() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "spack-peso", "spack")


def cache_key(pins: dict) -> str:
    return "%s-%s" % (pins["spack"]["commit"][:12], pins["spack-packages"]["commit"][:12])


def _valid_root(root: str) -> bool:
    return os.access(os.path.join(root, "bin", "spack"), os.X_OK)


def _packages_of_builtin(builtin: str) -> Optional[str]:
    """``<tree>/repos/spack_repo/builtin`` -> ``<tree>`` (None for other layouts)."""
    parts = os.path.normpath(builtin).split(os.sep)
    if parts[-3:] == ["repos", "spack_repo", "builtin"]:
        return os.sep.join(parts[:-3])
    return None


def _configured_packages(root: str) -> Optional[str]:
    """The spack-packages tree a Spack's builtin repository lives in (``spack repo list``)."""
    try:
        proc = subprocess.run(
            [os.path.join(root, "bin", "spack"), "repo", "list"],
            capture_output=True,
            text=True,
            timeout=300,
            env=process_env(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) > 1 and "builtin" in parts[:-1]:
            tree = _packages_of_builtin(parts[-1])
            if tree and os.path.isdir(os.path.join(tree, "stacks")):
                return tree
    return None


def locate(with_packages: bool = False) -> Optional[SpackInstall]:
    """The Spack already at hand, without making anything; None when there is none.

    A ``SPACK_ROOT`` that points nowhere is an error rather than a silent fallback: the
    user asked for that Spack.
    """
    root = os.environ.get("SPACK_ROOT")
    found = None
    if root:
        if not _valid_root(root):
            raise PesoError(
                "SPACK_ROOT has no executable bin/spack: point it at a Spack checkout or unset it",
                root,
            )
        found = SpackInstall(os.path.abspath(root), "SPACK_ROOT")
    if found is None:
        try:
            import spack.paths

            if _valid_root(spack.paths.prefix):
                found = SpackInstall(spack.paths.prefix, "running Spack")
        except ImportError:
            pass
    if found is None:
        exe = shutil.which("spack")
        if exe:
            found = SpackInstall(os.path.dirname(os.path.dirname(os.path.realpath(exe))), "PATH")
    if found is None:
        pins = load_pins()
        cached = os.path.join(cache_root(), cache_key(pins))
        if os.path.isfile(os.path.join(cached, COMPLETE_MARK)):
            return SpackInstall(os.path.join(cached, "spack"), "cache", os.path.join(cached, "spack-packages"))
        return None
    if with_packages:
        found.packages = _configured_packages(found.root)
    return found


def archive_dirs(from_dir: Optional[str] = None) -> List[str]:
    """Where to look for release-style archives, in order. A folder given explicitly
    (``--from`` or ``$PESO_SPACK_ARCHIVES``) is the only one searched: asking for one
    folder and silently getting another would hide a mistake."""
    explicit = from_dir or os.environ.get(ARCHIVES_ENV)
    if explicit:
        return [explicit]
    sibling = os.path.join(os.path.dirname(CHECKOUT), "shared", "spack")
    return [sibling] if os.path.isdir(sibling) else []


def find_archives(pins: dict, from_dir: Optional[str] = None) -> Optional[dict]:
    """``{"spack": path, "spack-packages": path}`` from the first folder holding both."""
    for folder in archive_dirs(from_dir):
        if not os.path.isdir(folder):
            raise PesoError("archive folder does not exist", folder)
        paths = {
            name: os.path.join(folder, "%s-%s.tar.gz" % (name, pins[name]["commit"]))
            for name in ("spack", "spack-packages")
        }
        if all(os.path.isfile(p) for p in paths.values()):
            return paths
        if folder == (from_dir or os.environ.get(ARCHIVES_ENV)):
            missing = [os.path.basename(p) for p in paths.values() if not os.path.isfile(p)]
            raise PesoError("no %s here (the pinned commits' archives)" % " or ".join(missing), folder)
    return None


def _unpack(archive: str, expected_top: str, dest: str) -> str:
    """Extract ``archive`` (whose every member must sit under ``expected_top/``) into
    ``dest``; return the extracted top folder."""
    try:
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            tops = {m.name.split("/", 1)[0] for m in members}
            if tops != {expected_top}:
                raise PesoError(
                    "top folder is %s, expected %s: the archive does not match the pinned commit"
                    % (", ".join(sorted(tops))[:80] or "(empty)", expected_top),
                    archive,
                )
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest, filter="data")
            else:  # Python without extraction filters: members were checked above
                tf.extractall(dest)
    except (tarfile.TarError, OSError, EOFError) as e:
        raise PesoError("cannot unpack: %s" % e, archive)
    return os.path.join(dest, expected_top)


def _git_checkout(url: str, commit: str, dest: str) -> None:
    """Fetch exactly ``commit`` from ``url`` into ``dest`` (shallow, no history)."""
    steps = [
        ["git", "init", "-q", dest],
        ["git", "-C", dest, "fetch", "-q", "--depth", "1", url, commit],
        ["git", "-C", dest, "checkout", "-q", "FETCH_HEAD"],
    ]
    for argv in steps:
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.SubprocessError) as e:
            raise PesoError("cannot run git to fetch %s: %s" % (commit[:12], e), url)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
            raise PesoError(
                "cannot fetch commit %s (%s); offline, pass --from DIR with the archives" % (commit[:12], last),
                url,
            )


def _configure(spack_root: str, packages_root: str, pins: dict) -> None:
    """Point the copy's builtin repository at the matching spack-packages.

    The path is written relative to ``$spack`` (Spack's own prefix variable): the copy is
    configured in a temporary folder and renamed into place afterwards.
    """
    builtin = os.path.join(packages_root, pins["spack-packages"]["builtin"])
    if not os.path.isdir(os.path.join(builtin, "packages")):
        raise PesoError("no builtin repository at %s" % pins["spack-packages"]["builtin"], packages_root)
    relative = os.path.relpath(builtin, spack_root)
    import yaml

    with open(os.path.join(spack_root, "etc", "spack", "repos.yaml"), "w") as f:
        yaml.safe_dump({"repos": {"builtin": "$spack/" + relative}}, f, default_flow_style=False)
    version_file = os.path.join(spack_root, "lib", "spack", "spack", "__init__.py")
    expected = pins["spack"].get("version")
    if expected and os.path.isfile(version_file):
        with open(version_file) as f:
            text = f.read()
        if '__version__ = "%s"' % expected not in text:
            raise PesoError(
                "Spack core is not version %s: the archive does not match the pinned commit" % expected,
                version_file,
            )


def provision(
    from_dir: Optional[str] = None,
    log: Callable[[str], None] = lambda msg: None,
    allow_git: bool = True,
    pins: Optional[dict] = None,
) -> SpackInstall:
    """Make the pinned Spack in the user cache (from archives, else git) and return it."""
    pins = pins or load_pins()
    final = os.path.join(cache_root(), cache_key(pins))
    if os.path.isfile(os.path.join(final, COMPLETE_MARK)):
        return SpackInstall(os.path.join(final, "spack"), "cache", os.path.join(final, "spack-packages"))
    os.makedirs(cache_root(), exist_ok=True)
    archives = find_archives(pins, from_dir)
    tmp = tempfile.mkdtemp(prefix=".provision-", dir=cache_root())
    try:
        for name in ("spack", "spack-packages"):
            commit = pins[name]["commit"]
            target = os.path.join(tmp, name)
            if archives:
                log("unpacking %s" % archives[name])
                os.rename(_unpack(archives[name], "%s-%s" % (name, commit), tmp), target)
            elif allow_git:
                log("fetching %s at %s" % (pins[name]["url"], commit[:12]))
                _git_checkout(pins[name]["url"], commit, target)
            else:
                raise PesoError(
                    "no Spack found: set SPACK_ROOT, put spack on PATH, or run 'python -m peso bootstrap' "
                    "(--from DIR with the pinned archives, or a clone at the pinned commits)"
                )
        _configure(os.path.join(tmp, "spack"), os.path.join(tmp, "spack-packages"), pins)
        origin = "archives in %s" % os.path.dirname(archives["spack"]) if archives else "git"
        import yaml

        with open(os.path.join(tmp, COMPLETE_MARK), "w") as f:
            yaml.safe_dump(
                {
                    "origin": origin,
                    "spack": pins["spack"]["commit"],
                    "spack-packages": pins["spack-packages"]["commit"],
                },
                f,
            )
        if os.path.isdir(final):  # an unfinished copy of an older run, or a racing one
            if os.path.isfile(os.path.join(final, COMPLETE_MARK)):
                shutil.rmtree(tmp, ignore_errors=True)
                return SpackInstall(os.path.join(final, "spack"), "cache", os.path.join(final, "spack-packages"))
            shutil.rmtree(final)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log("provisioned Spack %s in %s" % (pins["spack"].get("version", ""), final))
    return SpackInstall(os.path.join(final, "spack"), "cache", os.path.join(final, "spack-packages"))


def tree_commit(tree: str, name: str = "spack-packages") -> Optional[str]:
    """``"<short commit> <date>"`` of a Spack or spack-packages tree: from git for a
    checkout, from the provisioning record for a copy made from archives (which carry no
    history), else None."""
    try:
        proc = subprocess.run(["git", "-C", tree, "log", "-1", "--format=%h %cs"], capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.strip()
    except OSError:
        pass
    mark = os.path.join(os.path.dirname(os.path.abspath(tree)), COMPLETE_MARK)
    if os.path.isfile(mark):
        import yaml

        with open(mark) as f:
            made = yaml.safe_load(f) or {}
        commit = str(made.get(name, ""))
        pins = load_pins()
        if commit:
            date = pins[name].get("date") if pins[name]["commit"] == commit else None
            return "%s %s" % (commit[:10], date) if date else commit[:10]
    return None


def spack_python() -> str:
    """The Python that runs Spack: ``$SPACK_PYTHON``, else the one running this code."""
    return os.environ.get("SPACK_PYTHON") or sys.executable


def ensure_solver(python: Optional[str] = None, log: Callable[[str], None] = lambda msg: None) -> None:
    """clingo importable by the Python that runs Spack (pip-installed when missing),
    so that Spack never tries to bootstrap it from the network."""
    python = python or spack_python()
    probe = subprocess.run([python, "-c", "import clingo"], capture_output=True)
    if probe.returncode == 0:
        return
    requirement = load_pins().get("solver", "clingo")
    log("installing %s for %s" % (requirement, python))
    proc = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise PesoError("cannot install %s (%s): run '%s -m pip install clingo'" % (requirement, last, python), python)


def process_env(extra: Optional[dict] = None) -> dict:
    """Environment for a Spack subprocess: the Python that runs Spack made explicit."""
    env = dict(os.environ)
    env.setdefault("SPACK_PYTHON", sys.executable)
    env.update(extra or {})
    return env


def ensure(
    from_dir: Optional[str] = None,
    log: Callable[[str], None] = lambda msg: None,
    with_packages: bool = False,
    allow_git: bool = True,
) -> SpackInstall:
    """A ready Spack: the one at hand, else the pinned one provisioned into the cache.

    The Python that will run it gets clingo, and ``SPACK_PYTHON`` is set for this
    process's children so that every later ``spack`` call uses that same Python.
    """
    install = locate(with_packages=with_packages)
    if install is None:
        install = provision(from_dir, log, allow_git)
    os.environ.setdefault("SPACK_PYTHON", sys.executable)
    ensure_solver(log=log)
    return install
