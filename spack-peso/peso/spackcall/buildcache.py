"""Spack binary caches for ``stack build``/``stack test``: push, index, read.

Why Spack's own commands and no format of ours: a binary cache written by ``spack
buildcache push`` is what Spack's installer, Spack CI and every other site already read
(relocation into another install tree included). What this module adds is what a stack
run needs around them: a cache becomes a configuration scope naming it as a binary mirror
(like the source mirror of :mod:`peso.spackcall.mirror`, but added to the site's mirrors,
not replacing them); before an install, one probe tells which specs the cache offers and
whether their signatures verify; after it, which prefixes came from the cache.
"""

import json
import os
import re
import urllib.parse
from typing import List, Optional, Sequence, Tuple

from ..errors import PesoError
from ..fsutil import atomic_write
from .process import probe_path

MIRROR_NAME = "peso-buildcache"
_PUSHED = re.compile(r"^==> \[\d+/\d+\] Pushed (?P<spec>\S+)")


def cache_url(location: str) -> str:
    """A mirror URL from what the user gave: a URL as it is, a path as ``file://``."""
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme and len(parsed.scheme) > 1:  # not a Windows drive letter
        return location.rstrip("/")
    return "file://" + os.path.abspath(location)


def local_path(url: str) -> Optional[str]:
    """The folder of a ``file://`` cache, ``None`` for a remote one."""
    parsed = urllib.parse.urlparse(url)
    return urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else None


def signing_args(key: Optional[str], unsigned: bool) -> List[str]:
    """``--key KEY`` or ``--unsigned``: one of them, said explicitly, or a usage error."""
    if key and unsigned:
        raise PesoError("--key and --unsigned contradict each other: sign with a key or say --unsigned")
    if not key and not unsigned:
        raise PesoError("pushing to a binary cache needs --key KEY (a GPG key Spack knows) or --unsigned")
    return ["--key", key] if key else ["--unsigned"]


def cache_scope(url: str, scope_dir: str, unsigned: bool) -> str:
    """Write ``scope_dir/mirrors.yaml`` adding ``url`` as a binary-only mirror."""
    folder = local_path(url)
    if folder is not None and not os.path.isdir(folder):
        raise PesoError("binary cache folder does not exist", folder)
    atomic_write(
        os.path.join(scope_dir, "mirrors.yaml"),
        "mirrors:\n  %s:\n    url: %s\n    binary: true\n    source: false\n    signed: %s\n"
        % (MIRROR_NAME, json.dumps(url), "false" if unsigned else "true"),
    )
    return scope_dir


def _probe(cli, *args: str) -> dict:
    proc = cli.run("python", probe_path("buildcache"), *args)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise PesoError("cannot ask Spack about the binary cache: " + last, cli.env_dir)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise PesoError("unexpected binary cache probe output from Spack", cli.env_dir)


def plan(cli, url: str, unsigned: bool, root_hashes: Sequence[str]) -> List[dict]:
    """What the cache offers for the roots' nodes (see ``spack_buildcache_probe.py``).

    An unreadable or empty cache, and (without ``unsigned``) a signature that does not
    verify, are one-line errors before anything is installed."""
    found = _probe(cli, "plan", url, "1" if unsigned else "0", *root_hashes)
    if found.get("error"):
        raise PesoError(found["error"], url)
    unverified = [s for s in found["specs"] if s.get("verify_error")]
    if unverified:
        first = unverified[0]
        raise PesoError(
            "signature of %d spec(s) does not verify, first %s/%s (%s): trust the signing key "
            "('spack gpg trust KEYFILE') or pass --unsigned"
            % (len(unverified), first["name"], first["hash"][:7], first["verify_error"]),
            url,
        )
    return found["specs"]


def sources(cli, root_hashes: Sequence[str]) -> Tuple[List[dict], int]:
    """How each installed node of the roots came to be (``cache`` or ``built``), and the
    install tree's ``padded_length`` (0: not padded)."""
    found = _probe(cli, "sources", *root_hashes)
    return found["specs"], int(found.get("padded_length") or 0)


def push(cli, url: str, root_hashes: Sequence[str], key: Optional[str], unsigned: bool) -> dict:
    """``spack buildcache push`` of the roots (with their link/run dependencies), then
    ``spack buildcache update-index``: ``{"url", "signed", "pushed", "ok", "error"}``."""
    result = {"url": url, "signed": not unsigned, "pushed": [], "ok": True, "error": None}
    if not root_hashes:
        return result
    folder = local_path(url)
    if folder is not None:
        os.makedirs(folder, exist_ok=True)
    proc = cli.run("buildcache", "push", *signing_args(key, unsigned), url, *["/" + h for h in root_hashes])
    result["pushed"] = [m.group("spec") for m in map(_PUSHED.match, proc.stdout.splitlines()) if m]
    if proc.returncode != 0:
        result["ok"] = False
        result["error"] = "spack buildcache push exited %d: %s" % (proc.returncode, _last_error(proc))
        return result
    index = cli.run("buildcache", "update-index", *(["--keys"] if key else []), url)
    if index.returncode != 0:
        result["ok"] = False
        result["error"] = "spack buildcache update-index exited %d: %s" % (index.returncode, _last_error(index))
    return result


def _last_error(proc) -> str:
    lines = [x.strip() for x in (proc.stderr + proc.stdout).splitlines() if x.strip()]
    errors = [x for x in lines if "Error" in x]
    return (errors or lines or ["(no output)"])[-1]
