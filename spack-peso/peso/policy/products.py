"""Which products a policy report covers, and where their recipes are.

Three ways to name them (``spack peso policy report``):

* package names on the command line;
* ``--products FILE``: YAML, either a list or ``{products: [...]}``; each entry a
  package name or a mapping ``{name, package?, recipe?, compat?}`` where ``compat`` is
  the product's own compatibility document (relative paths are relative to FILE);
* ``--stack environments/<t>/spack.yaml``: the root specs of a Spack environment
  (``definitions``, ``$refs`` and ``{matrix: ...}`` expanded), one product per root
  package name.

Recipes are found in repository folders (``<repo>/packages/<name>/package.py``, Spack 1.x
layout): the ``--repo`` folders if given, else the repositories Spack is configured with.
"""

import dataclasses
import os
import re
import subprocess
from typing import Dict, Iterable, List, Optional, Sequence

import yaml

from ..errors import PesoError
from ..recipe import find_recipe


@dataclasses.dataclass
class Product:
    name: str
    package: str
    recipe: str = ""  # path of package.py; "" when not found
    compat: str = ""  # the product's own compatibility document, if any


_NAME = re.compile(r"^\s*([a-z0-9][a-z0-9._-]*)")


def root_name(spec: str) -> Optional[str]:
    """Package name at the start of a spec string (``hypre +cuda`` -> ``hypre``)."""
    m = _NAME.match(spec or "")
    return m.group(1) if m else None


def recipe_path(package: str, repos: Sequence[str]) -> str:
    """package.py of ``package`` in the first repository (folder with ``packages/``) holding it."""
    return find_recipe(package, [os.path.join(repo, "packages") for repo in repos])


def configured_repos() -> List[str]:
    """Repository folders Spack is configured with (inside Spack, or via ``spack repo list``)."""
    from ..spackenv import find_spack, in_spack

    if in_spack():
        import spack.repo

        return [r.root for r in spack.repo.PATH.repos]
    exe = find_spack()
    if not exe:
        return []
    try:
        out = subprocess.run([exe, "repo", "list"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    repos = []
    for line in out.splitlines():
        parts = line.split()
        if parts and os.path.isdir(parts[-1]):
            repos.append(parts[-1])
    return repos


# --------------------------------------------------------------------------------------
# the three sources


def from_names(names: Iterable[str], repos: Sequence[str]) -> List[Product]:
    products = []
    for name in names:
        products.append(Product(name, name, recipe_path(name, repos)))
    return products


def from_products_file(path: str, repos: Sequence[str]) -> List[Product]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise PesoError("cannot read products file: %s" % str(e).splitlines()[0], path=path)
    entries = data.get("products") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise PesoError("expected a list of products (or a 'products:' list)", path=path)
    base = os.path.dirname(os.path.abspath(path))
    products = []
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not entry.get("name"):
            raise PesoError("entry %d needs a 'name'" % i, path=path, key="products")
        package = entry.get("package") or entry["name"]
        recipe = entry.get("recipe")
        recipe = os.path.join(base, recipe) if recipe else recipe_path(package, repos)
        compat = entry.get("compat") or ""
        if compat:
            compat = os.path.join(base, compat)
            if not os.path.isfile(compat):
                raise PesoError("compatibility document %s does not exist" % compat, path=path, key=entry["name"])
        products.append(Product(entry["name"], package, recipe, compat))
    return products


def stack_roots(path: str) -> List[str]:
    """Root package names of a Spack environment file, in first-seen order."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise PesoError("cannot read environment: %s" % str(e).splitlines()[0], path=path)
    env = doc.get("spack") if isinstance(doc, dict) else None
    if not isinstance(env, dict):
        raise PesoError("not a Spack environment (no top-level 'spack:' mapping)", path=path)
    definitions: Dict[str, List[str]] = {}
    for block in env.get("definitions") or ():
        for key, value in (block or {}).items():
            if key == "when":
                continue
            definitions.setdefault(key, []).extend(expand_specs(value, definitions))
    names = []
    for spec in expand_specs(env.get("specs") or [], definitions):
        name = root_name(spec)
        if name and name not in names:
            names.append(name)
    return names


def expand_specs(items, definitions) -> List[str]:
    out: List[str] = []
    for item in items or ():
        if isinstance(item, str):
            if item.startswith("$"):
                out.extend(definitions.get(item[1:].lstrip("{").rstrip("}"), []))
            else:
                out.append(item)
        elif isinstance(item, dict):
            if "matrix" in item:
                rows = item["matrix"] or []
                if rows:
                    out.extend(expand_specs(rows[0], definitions))  # the first row names the roots
            elif "specs" in item:  # {group: ..., specs: [...]}
                out.extend(expand_specs(item["specs"], definitions))
        elif isinstance(item, list):
            out.extend(expand_specs(item, definitions))
    return out


def from_stack(path: str, repos: Sequence[str]) -> List[Product]:
    return from_names(stack_roots(path), repos)
