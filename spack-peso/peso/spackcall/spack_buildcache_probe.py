"""Run by ``spack -e ENV python spack_buildcache_probe.py MODE [UNSIGNED] HASH...``: one JSON line.

Standalone (Spack's Python and import path, never imports ``peso``), like the other probes.
The specs are the non-external nodes of the environment's roots named by HASH (their
link/run dependencies: what an install from a binary cache brings; build-only
dependencies are not installed from a cache).

``plan URL UNSIGNED HASH...``: before an install, what the configured binary caches offer.
``{"error": null|str, "specs": [{"name", "hash", "installed", "in_cache", "verify_error"}]}``;
``error`` is set when no cache index can be read at all (unreachable, empty, not a
cache). With UNSIGNED ``0``, the signed manifest of each offered spec is fetched and
verified (small files, not the tarballs): Spack itself would silently build such a spec
from source instead, and a signature that does not verify must be an error.

``sources HASH...``: after an install, how each installed prefix came to be:
``{"specs": [{"name", "hash", "installed", "source"}], "padded_length"}``, ``source`` ``cache`` when the
prefix holds ``.spack/binary_distribution`` (written only by an extraction from a binary
cache: a source build never has it), ``built`` otherwise, ``null`` when not installed.
"""

import json
import os
import sys

import spack.environment as ev


def nodes(hashes):
    env = ev.active_environment()
    wanted = set(hashes)
    found, seen = [], set()
    for _, root in env.concretized_specs():
        if root.dag_hash() not in wanted:
            continue
        for spec in root.traverse(deptype=("link", "run")):
            if spec.external or spec.dag_hash() in seen:
                continue
            seen.add(spec.dag_hash())
            found.append(spec)
    return found


def source_of(spec):
    if not spec.installed:
        return None
    return "cache" if os.path.exists(os.path.join(spec.prefix, ".spack", "binary_distribution")) else "built"


def verify_error(spec, entries):
    """None when the spec's manifest in one of the caches verifies, else why not."""
    import spack.binary_distribution as bindist

    errors = []
    for entry in entries:
        cache_class = bindist.get_url_buildcache_class(layout_version=entry.version)
        cache_entry = cache_class(entry.url, spec, allow_unsigned=False)
        try:
            cache_entry.read_manifest()
            return None
        except Exception as e:  # any failure to read or verify is the answer, not a crash
            errors.append("%s: %s" % (type(e).__name__, e))
        finally:
            cache_entry.destroy()
    return "; ".join(errors) or "no cache entry"


def plan(url, unsigned, hashes):
    import spack.binary_distribution as bindist

    def entries_of(dag_hash):
        return [e for e in bindist.BINARY_INDEX.find_by_hash(dag_hash) if e.url.rstrip("/") == url.rstrip("/")]

    specs = nodes(hashes)
    try:
        bindist.BINARY_INDEX.update()
    except bindist.FetchCacheError as e:
        lines = str(e).strip().splitlines() or ["(no detail)"]
        return {"error": "cannot read the binary cache index: %s" % lines[-1].strip(), "specs": []}
    if not any(entries_of(s.dag_hash()) for s in bindist.BINARY_INDEX.get_all_built_specs()):
        return {
            "error": "no binary cache index could be read here (unreachable, empty, or not a Spack binary cache)",
            "specs": [],
        }
    rows = []
    for spec in specs:
        entries = entries_of(spec.dag_hash())
        row = {
            "name": spec.name,
            "hash": spec.dag_hash(),
            "installed": bool(spec.installed),
            "in_cache": bool(entries),
            "verify_error": None,
        }
        if entries and not unsigned and not spec.installed:
            row["verify_error"] = verify_error(spec, entries)
        rows.append(row)
    return {"error": None, "specs": rows}


def sources(hashes):
    import spack.config

    return {
        "specs": [
            {"name": s.name, "hash": s.dag_hash(), "installed": bool(s.installed), "source": source_of(s)}
            for s in nodes(hashes)
        ],
        "padded_length": spack.config.get("config:install_tree:padded_length", 0) or 0,
    }


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "plan":
        result = plan(sys.argv[2], sys.argv[3] == "1", sys.argv[4:])
    elif mode == "sources":
        result = sources(sys.argv[2:])
    else:
        raise SystemExit("spack_buildcache_probe.py: unknown mode %r" % mode)
    print(json.dumps(result))
