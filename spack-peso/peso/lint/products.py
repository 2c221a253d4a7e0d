"""Which recipes are products of a curated catalogue, for profiles whose membership rules
apply to products only.

E4S policy P2 (a stand-alone test) is a criterion for *joining* E4S: as an error it is
true of the products the catalogue lists and of nothing else. A profile names the
catalogue (``products: catalog: e4s`` in ``profiles.yaml``); the products are those of
that catalogue and of every catalogue beside it that lists the linted repository in
``repos:`` (a curation repository's own catalogue, like ``demo.yaml`` for ``repo/``).
Catalogues are read through the stack generator's own loader
(:func:`peso.stack.generate.model.load_catalog`: schema-checked, one way to read them).
A product is named by the package its spec starts with (``swig@4.0.2-fortran`` ->
``swig``) and by its catalogue name.

Loading a catalogue costs ~0.1 s (PyYAML, jsonschema); the answers are kept between
runs in the user cache, keyed by the catalogue's path and stat signature, so a warm lint
does not pay it. A missing or invalid catalogue is a one-line error naming the file.
"""

import marshal
import os
from typing import FrozenSet, Iterable, List, Set, Tuple

from .cache import stat_signature


def memo_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "spack-peso", "lint-products.marshal")


def catalog_file(name: str) -> str:
    """The catalogue a profile names: ``environments/catalog/<name>.yaml`` of the
    environments folder in force (``$PESO_ENVIRONMENTS``, the nearest above the working
    directory, else this checkout's), or a path."""
    from ..stack.generate.environment import catalog_path

    return os.path.abspath(catalog_path(name))


def product_packages(name: str, repos: Iterable[str] = ()) -> FrozenSet[str]:
    """Package names of the products of catalogue ``name`` and of every catalogue beside
    it that lists one of ``repos`` (linted repository folders) in its ``repos:``: a
    curation repository's own catalogue says which of its recipes are products."""
    from ..errors import PesoError

    path = catalog_file(name)
    if not os.path.isfile(path):
        raise PesoError(
            "no product catalogue: the profile applies its membership rules to the catalogue's products only "
            "(set PESO_ENVIRONMENTS to the folder holding catalog/%s.yaml)" % name,
            path=path,
        )
    memo = _read_memo()
    changed = False
    wanted = {os.path.realpath(r) for r in repos}
    names: Set[str] = set()
    folder = os.path.dirname(path)
    for other in sorted(os.listdir(folder)):
        candidate = os.path.join(folder, other)
        if not other.endswith(".yaml") or not os.path.isfile(candidate):
            continue
        signature = stat_signature(os.stat(candidate))
        known = memo.get(candidate)
        if known is None or tuple(known[0]) != signature:
            known = memo[candidate] = (signature, *_products_and_repos(candidate))
            changed = True
        if candidate == path or wanted.intersection(known[2]):
            names.update(known[1])
    if changed:
        _write_memo(memo)
    return frozenset(names)


def _products_and_repos(path: str) -> Tuple[List[str], List[str]]:
    """(product package names, real paths of the repositories it names) of one catalogue."""
    from ..stack.generate.envfile import root_name
    from ..stack.generate.model import load_catalog

    catalog = load_catalog(path)
    names = {p.name for p in catalog.products} | {root_name(p.spec) or p.name for p in catalog.products}
    return sorted(names), sorted(os.path.realpath(r) for r in catalog.repos)


def _read_memo() -> dict:
    try:
        with open(memo_path(), "rb") as f:
            data = marshal.loads(f.read())
        return data if isinstance(data, dict) else {}
    except (OSError, EOFError, ValueError, TypeError):
        return {}


def _write_memo(memo: dict) -> None:
    from ..fsutil import atomic_write

    try:
        atomic_write(memo_path(), marshal.dumps(memo), mode="wb")
    except OSError:
        pass  # a read-only cache only costs speed
