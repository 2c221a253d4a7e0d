"""``stack build``/``stack test`` with binary caches: plan, follow, record, push.

Why a record of its own per spec: "installed" says nothing about where a binary came
from, and a cache that silently fails (a corrupt tarball, a fetch error) makes Spack fall
back to a source build without failing anything. So before the install the cache's offer
is read (``spackcall.buildcache.plan``: which specs it has, signatures verified), the
install output is followed for Spack's own words on extractions and fallbacks, and after
it each prefix says how it came to be (``.spack/binary_distribution`` is only written by
an extraction). A spec the cache offered that ended built from source carries the reason.
"""

import re
from typing import Callable, Dict, List, Sequence

from ...spackcall import buildcache

# Spack 1.2 (lib/spack/spack/installer.py): package_id is <name>-<version>-<hash>
_EXTRACTING = re.compile(r"^==> Extracting (?P<id>\S+)-(?P<hash>[a-z0-9]{32}) from binary cache")
_NO_BINARY = re.compile(r"^==> No binary for (?P<id>\S+)-(?P<hash>[a-z0-9]{32}) found: installing from source")
_REQUEUED = re.compile(
    r"^==> Error: Failed to install (?P<name>\S+) from binary cache due to (?P<why>.*): Requeuing to install from source"
)


class CacheOutput:
    """Follows ``spack install`` output for binary cache extractions and fallbacks."""

    def __init__(self, on_event: Callable = lambda *a, **k: None):
        self.on_event = on_event
        self.extracted: List[str] = []
        self.fell_back: Dict[str, str] = {}  # by hash: Spack could not use the cache's binary
        self.requeued: Dict[str, str] = {}  # by package name: Spack's reason

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        found = _EXTRACTING.match(line)
        if found:
            self.extracted.append(found.group("hash"))
            self.on_event("extracting", spec=found.group("id"))
        found = _REQUEUED.match(line)
        if found:
            self.requeued[found.group("name")] = found.group("why")
        found = _NO_BINARY.match(line)
        if found:
            self.fell_back[found.group("hash")] = found.group("id")


class CacheUse:
    """One run's use of a binary cache (``--use-buildcache URL``)."""

    def __init__(self, url: str, unsigned: bool, scope_dir: str):
        self.url = buildcache.cache_url(url)
        self.unsigned = unsigned
        self.scope = buildcache.cache_scope(self.url, scope_dir, unsigned)
        self.offered: Dict[str, dict] = {}
        self.todo: Dict[str, str] = {}  # hash -> name of the nodes not installed before the run

    def install_args(self) -> List[str]:
        return ["--no-check-signature"] if self.unsigned else []

    def plan(self, cli, root_hashes: Sequence[str]) -> dict:
        """Read the cache before installing: ``{"from_cache": [...], "from_source": [...]}``
        (names of the specs still to install)."""
        nodes = buildcache.plan(cli, self.url, self.unsigned, root_hashes)
        self.offered = {n["hash"]: n for n in nodes if n["in_cache"]}
        todo = [n for n in nodes if not n["installed"]]
        self.todo = {n["hash"]: n["name"] for n in todo}
        return {
            "from_cache": sorted(n["name"] for n in todo if n["in_cache"]),
            "from_source": sorted(n["name"] for n in todo if not n["in_cache"]),
        }

    def outcome(self, nodes: List[dict], follower: CacheOutput) -> List[dict]:
        """The roots' nodes (``buildcache.sources``) marked ``in_cache``; a ``cache_problem``
        for one the cache offered that Spack built from source instead."""
        for node in nodes:
            node["in_cache"] = node["hash"] in self.offered
            fell_back = node["hash"] in follower.fell_back or node["name"] in follower.requeued
            if node["in_cache"] and node["source"] == "built" and fell_back:
                why = follower.requeued.get(node["name"])
                node["cache_problem"] = (
                    "the cache's binary could not be used (%s); built from source" % why
                    if why
                    else "in the cache index, but Spack could not fetch or verify its binary; built from source"
                )
        return nodes

    def summary(self, nodes: List[dict]) -> str:
        """``from the cache: a, b; built from source: c`` for the nodes this run installed."""
        fresh = [n for n in nodes if n["hash"] in self.todo and n.get("installed")]
        cached = sorted(n["name"] for n in fresh if n["source"] == "cache")
        built = sorted(n["name"] for n in fresh if n["source"] == "built")
        return "from the cache: %s; built from source: %s" % (", ".join(cached) or "-", ", ".join(built) or "-")


def annotate_rows(rows: List[dict], nodes: List[dict]) -> None:
    """Each root row gets the ``source`` of its prefix (and the cache problem, if any)."""
    by_hash = {n["hash"]: n for n in nodes}
    for row in rows:
        node = by_hash.get(row["hash"])
        if node is None or not node.get("source"):
            continue
        row["source"] = node["source"]
        if node.get("cache_problem"):
            row["cache_problem"] = node["cache_problem"]
