"""Parsed YAML data files remembered between runs, so a warm ``peso lint`` neither imports
PyYAML nor parses its rule docs, profiles and ``repo.yaml`` again.

Importing PyYAML costs about 12 ms (its reader compiles a large Unicode regex) and parsing
the rule docs another 13: together most of what a warm lint spends before it looks at a
recipe. The parsed data of each file is kept, ``marshal``-ed, in one index file in the
user cache, keyed by the file's path and stat signature (size, modification and change
times, inode: what changes when its bytes do). A file whose data ``marshal`` cannot hold
(dates) or whose stat fails is simply parsed every time; an invalid file is parsed every
time and raises what PyYAML raises. A read-only or missing cache folder only costs speed.
"""

import marshal
import os
import sys
from typing import Dict, Optional, Tuple

#: path -> (stat signature, marshal-ed data), loaded on first use
_INDEX: Optional[Dict[str, Tuple[tuple, bytes]]] = None


def index_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "spack-peso", "yaml-data-%d.%d.marshal" % sys.version_info[:2])


def _index() -> Dict[str, Tuple[tuple, bytes]]:
    global _INDEX
    if _INDEX is None:
        try:
            with open(index_path(), "rb") as f:
                loaded = marshal.loads(f.read())
            _INDEX = loaded if isinstance(loaded, dict) else {}
        except (OSError, EOFError, ValueError, TypeError):
            _INDEX = {}
    return _INDEX


def load_yaml(path: str, c_loader: bool = False):
    """``yaml.load(open(path), Loader=SafeLoader)`` (libyaml's ``CSafeLoader`` when
    ``c_loader`` and available), from the index when the file is unchanged."""
    try:
        st = os.stat(path)
        signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    except OSError:
        signature = None
    index = _index()
    known = index.get(path)
    if signature is not None and known is not None and known[0] == signature:
        return marshal.loads(known[1])  # a fresh object for every caller, as a parse gives
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if c_loader else yaml.SafeLoader
    with open(path, encoding="utf-8") as f:
        data = yaml.load(f, Loader=loader)
    if signature is not None:
        try:
            index[path] = (signature, marshal.dumps(data))
        except ValueError:  # dates and other types marshal cannot hold
            return data
        _save(index)
    return data


def _save(index) -> None:
    """Write the index back, without the files that are gone (temporary repositories)."""
    from .fsutil import atomic_write

    for path in [p for p in index if not os.path.exists(p)]:
        del index[path]
    try:
        atomic_write(index_path(), marshal.dumps(index), mode="wb")
    except OSError:
        pass
