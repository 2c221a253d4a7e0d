"""Content-hash cache of per-file lint results, so that an unchanged tree is nearly free.

An entry is keyed by the file's path and the SHA-256 of its bytes, inside a cache file
named after a fingerprint of everything that can change a file's raw findings: the
spack-peso version, the Python version (the AST differs between them), the version of
license-expression (its SPDX data) and the bytes of the recipe model, the rules, their
data files and the worker code. Selection, profiles,
suppressions and waivers are applied after the cache, so changing ``--select`` or the
waiver file reuses it.

One ``marshal`` file per fingerprint holds every entry: loading 9,000 entries from one
file costs a few tens of milliseconds, far less than 9,000 small files would. marshal
rather than pickle because entries are plain tuples and loading marshal cannot run code.
"""

import glob
import hashlib
import marshal
import os
import sys
from typing import Dict, Optional, Set, Tuple

from .. import __version__
from ..fsutil import atomic_write
from ..recipe.discovery import known_stat
from .bases import recipe_context

#: cache entry: (sha256 hex, package name, raw findings, suppressions, facts of the rules
#: that judge across recipes: see ``runner.facts_of``)
Entry = Tuple[str, str, tuple, tuple, dict]

_FORMAT = 7
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: files (relative to the peso package) whose content decides a recipe's raw findings
_FINGERPRINT_GLOBS = (
    "recipe/**/*.py",
    "lint/*.py",
    "lint/data/**/*",
    "lint/rules/**/*.py",
    "lint/rules/data/**/*",
    "policy/data/policies/**/*",
)


#: third-party packages whose data the rules use
_FINGERPRINT_DISTRIBUTIONS = ("license-expression",)


def _distribution_version(name: str) -> str:
    """What identifies the installed ``name``: its ``.dist-info``/``.egg-info`` folder
    (name and version) beside the package Python would import, found without importing
    it nor ``importlib.metadata`` (10 ms of imports on every lint); '?' if not installed."""
    import importlib.util

    module = name.replace("-", "_")
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "?"
    folder = (
        os.path.dirname(os.path.dirname(spec.origin))
        if spec.submodule_search_locations
        else os.path.dirname(spec.origin)
    )
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return "?"
    prefix = module.lower() + "-"
    found = [e for e in entries if e.lower().startswith(prefix) and e.endswith((".dist-info", ".egg-info"))]
    return ",".join(found) or "?"


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "spack-peso", "lint")


def fingerprint() -> str:
    """Hash of the spack-peso version, Python version and the code and data of the rules."""
    h = hashlib.sha256()
    h.update(("%s|%d.%d|%d" % (__version__, sys.version_info[0], sys.version_info[1], _FORMAT)).encode())
    # PESO-D007 answers with Spack's version semantics when Spack is importable, with a
    # narrower reading without it: results made one way must not pass for the other
    h.update(b"|spack" if _spack_importable() else b"|no-spack")
    for dist in _FINGERPRINT_DISTRIBUTIONS:  # their data (SPDX lists) decides findings too
        h.update(("|%s=%s" % (dist, _distribution_version(dist))).encode())
    files = set()
    for pattern in _FINGERPRINT_GLOBS:
        files.update(glob.glob(os.path.join(_PACKAGE_DIR, pattern), recursive=True))
    for path in sorted(files):
        if not os.path.isfile(path) or "__pycache__" in path:
            continue
        h.update(os.path.relpath(path, _PACKAGE_DIR).encode())
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _spack_importable() -> bool:
    from .rules.version_ranges import spack_importable

    return spack_importable()


def stat_signature(st) -> tuple:
    """What changes whenever a file's bytes do (size, modification and change times in ns,
    inode): a warm run compares it instead of reading and hashing every file, as git's
    index does. The change time cannot be set back by tools like ``touch -d``."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def file_digest(data: bytes, path: str = "") -> str:
    """Key of one recipe's results: its bytes plus the build-system sources of its
    repository, which decide what its base classes give (see ``bases``)."""
    h = hashlib.sha256(data)
    if path:
        h.update(recipe_context(path).encode())
    return h.hexdigest()


class LintCache:
    """Per-file results of one fingerprint, loaded once and written back once.

    Beside the entries it keeps each file's stat signature and, once per packages folder,
    the build-system context its entries were made with: a warm run validates a file
    with one ``stat`` and two tuple compares, and a folder's context once."""

    def __init__(self, cache_dir: Optional[str] = None, key: Optional[str] = None):
        self.cache_dir = cache_dir or default_cache_dir()
        self.key = key or fingerprint()
        self.path = os.path.join(self.cache_dir, "lint-%s.marshal" % self.key[:24])
        self.entries: Dict[str, Entry] = {}
        #: path -> stat signature of the bytes its entry was made from
        self.signatures: Dict[str, tuple] = {}
        #: packages folder -> build-system context (``recipe_context``) of its signatures
        self.contexts: Dict[str, str] = {}
        #: packages folder -> whether its recorded context is still the current one
        self._fresh: Dict[str, bool] = {}
        #: paths whose signature was recorded in this run (under this run's context)
        self._recorded: Set[str] = set()
        self.dirty = False
        self.hits = 0
        #: paths looked up in this run (the others are checked for existence on save)
        self.seen: Set[str] = set()
        #: path -> ((other recipe, its stat signature), ...) the rules read beside the
        #: file (PESO-D007 reads its dependencies' recipes): an entry holds only while
        #: they are unchanged
        self.reads: Dict[str, tuple] = {}
        #: other recipe -> its stat signature now (None: gone), once per run
        self._read_now: Dict[str, Optional[tuple]] = {}
        #: path -> the entry its file had before its last change (PR mode lints a recipe
        #: as it was at a revision: usually what the last run saw, before the edit)
        self.previous: Dict[str, Entry] = {}
        #: path -> facts of a recipe outside the runs, for checks across recipes (see
        #: ``peso.lint.across``), while this cache is open: not saved
        self.outside_facts: Dict[str, Optional[dict]] = {}
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as f:
                data = marshal.loads(f.read())  # marshal.load(f) reads piecemeal: 8x slower
        except (OSError, EOFError, ValueError, TypeError):
            return
        if (
            isinstance(data, tuple)
            and len(data) == 6
            and data[0] == self.key
            and all(isinstance(part, dict) for part in data[1:])
        ):
            self.entries, self.signatures, self.contexts, self.previous, self.reads = data[1:]

    def _reads_fresh(self, path: str) -> bool:
        """The other recipes ``path``'s entry was made from are as they were then."""
        for other, signature in self.reads.get(path, ()):
            now = self._read_now.get(other, False)
            if now is False:
                st = known_stat(other)  # discovery's, when ``other`` is a recipe of this run
                if st is None:
                    try:
                        st = os.stat(other)
                    except OSError:
                        st = None
                now = self._read_now[other] = None if st is None else stat_signature(st)
            if now != signature:
                return False
        return True

    def _context_fresh(self, path: str) -> bool:
        folder = _packages_dir(path)
        fresh = self._fresh.get(folder)
        if fresh is None:
            fresh = self._fresh[folder] = self.contexts.get(folder) == recipe_context(path)
        return fresh

    def get_unchanged(self, path: str, st: Optional[os.stat_result] = None) -> Optional[Entry]:
        """The entry of ``path`` when the file's stat signature and its repository's
        build-system sources are those it was made from (no read, no hash). ``st``: a
        stat of ``path`` made in this run already (default: discovery's)."""
        if not self._unchanged(path, st):
            return None
        if path in self.reads and not self._reads_fresh(path):
            return None
        self.seen.add(path)
        self.hits += 1
        return self.entries.get(path)

    def _unchanged(self, path: str, st: Optional[os.stat_result] = None) -> bool:
        """``path``'s stat signature and build-system context are those its entry was made
        with."""
        known = self.signatures.get(path)
        if known is None:
            return False
        if st is None:
            st = known_stat(path)
        if st is None:
            try:
                st = os.stat(path)
            except OSError:
                return False
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == known and self._context_fresh(path)

    def get(self, path: str, digest: str, signature: Optional[tuple] = None) -> Optional[Entry]:
        """The entry of ``path`` if it was made from bytes with this digest; a hit records
        ``signature`` (of those bytes) so the next run needs no read."""
        self.seen.add(path)
        entry = self.entries.get(path)
        if entry is not None and entry[0] == digest and (path not in self.reads or self._reads_fresh(path)):
            self.hits += 1
            if signature is not None and (self.signatures.get(path) != signature or not self._context_fresh(path)):
                self.signatures[path] = signature
                self._recorded.add(path)
                self.dirty = True
            return entry
        return None

    def facts_if_unchanged(self, path: str) -> Optional[dict]:
        """The facts cached for ``path`` when its bytes are those they were made from (a
        recipe outside this run that a check across recipes needs); not a cache hit of
        this run."""
        entry = self.entries.get(path)
        return entry[4] if entry is not None and self._unchanged(path) else None

    def get_version(self, path: str, digest: str) -> Optional[Entry]:
        """The entry of ``path``, current or previous, made from bytes with this digest
        (PR mode: the recipe as it was at a revision); no signature is recorded."""
        self.seen.add(path)
        if path in self.reads and not self._reads_fresh(path):
            return None  # (a previous entry's reads are not kept: linted again)
        for entry in (self.entries.get(path), self.previous.get(path)):
            if entry is not None and entry[0] == digest:
                self.hits += 1
                return entry
        return None

    def put_previous(self, path: str, entry: Entry) -> None:
        """Keep ``entry`` (of other bytes than the file's now) as ``path``'s previous one."""
        self.seen.add(path)
        self.previous[path] = entry
        self.dirty = True

    def put(self, path: str, entry: Entry, signature: Optional[tuple] = None, reads: tuple = ()) -> None:
        self.seen.add(path)
        if reads:
            self.reads[path] = reads
        else:
            self.reads.pop(path, None)
        replaced = self.entries.get(path)
        if replaced is not None and replaced[0] != entry[0]:
            self.previous[path] = replaced
        self.entries[path] = entry
        if signature is not None:
            self.signatures[path] = signature
            self._recorded.add(path)
        else:
            self.signatures.pop(path, None)
        self.dirty = True

    def save(self) -> None:
        """Write the entries back (atomically), dropping cache files of other fingerprints."""
        if not self.dirty:
            return
        # forget files that are gone, so the cache does not grow with every deleted recipe
        self.entries = {p: e for p, e in self.entries.items() if p in self.seen or os.path.exists(p)}
        self.previous = {p: e for p, e in self.previous.items() if p in self.entries}
        self.reads = {p: r for p, r in self.reads.items() if p in self.entries}
        # a signature recorded under a context that has changed since must not pass for one
        # of this run's (its file was not looked at): that file is read and hashed next time
        self.signatures = {
            p: s
            for p, s in self.signatures.items()
            if p in self.entries and (p in self._recorded or self._context_fresh(p))
        }
        contexts = {}
        for path in self.signatures:
            folder = _packages_dir(path)
            if folder not in contexts:
                contexts[folder] = recipe_context(path)
        self.contexts = contexts
        self._fresh = {}
        atomic_write(
            self.path,
            marshal.dumps((self.key, self.entries, self.signatures, self.contexts, self.previous, self.reads)),
            mode="wb",
        )
        for other in glob.glob(os.path.join(self.cache_dir, "lint-*.marshal")):
            if other != self.path:
                try:
                    os.unlink(other)
                except OSError:
                    pass
        self.dirty = False


def _packages_dir(path: str) -> str:
    """``.../packages/<name>/package.py`` -> ``.../packages``: the folder that decides
    ``recipe_context``, found with two ``rfind`` (two ``dirname`` cost 2 us a file)."""
    end = path.rfind(os.sep)
    end = path.rfind(os.sep, 0, end) if end > 0 else -1
    return path[:end] if end > 0 else os.path.dirname(os.path.dirname(path))
