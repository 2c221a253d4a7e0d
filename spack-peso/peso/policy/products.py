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
from typing import Iterable, List, Sequence

from .. import schema, yamlio
from ..errors import PesoError
from ..fsutil import safe_name
from ..recipe.layout import find_recipe
from ..stack.generate import envfile

PRODUCTS_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "products.schema.yaml")


@dataclasses.dataclass
class Product:
    name: str
    package: str
    recipe: str = ""  # path of package.py; "" when not found
    compat: str = ""  # the product's own compatibility document, if any


def recipe_path(package: str, repos: Sequence[str]) -> str:
    """package.py of ``package`` in the first repository (folder with ``packages/``) holding it."""
    return find_recipe(package, [os.path.join(repo, "packages") for repo in repos])


# --------------------------------------------------------------------------------------
# the three sources


def from_names(names: Iterable[str], repos: Sequence[str], source=None) -> List[Product]:
    products = []
    for name in names:
        products.append(Product(safe_name(name, "product", source), name, recipe_path(name, repos)))
    return products


def from_products_file(path: str, repos: Sequence[str]) -> List[Product]:
    data = yamlio.load(path)
    if isinstance(data, list):
        data = {"products": data}
    schema.validate(data, PRODUCTS_SCHEMA, path)
    base = os.path.dirname(os.path.abspath(path))
    products = []
    for entry in data["products"]:
        if isinstance(entry, str):
            entry = {"name": entry}
        safe_name(entry["name"], "product", path)
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


def from_stack(path: str, repos: Sequence[str]) -> List[Product]:
    return from_names(envfile.root_names(envfile.load_environment(path)), repos, path)


def select(
    repos: Sequence[str], products_file: str = "", stack: str = "", names: Sequence[str] = (), compat_dir: str = ""
) -> List[Product]:
    """The products a report covers (a products file, an environment's roots, or names),
    each with its own compatibility document when ``compat_dir`` holds one."""
    if products_file:
        chosen = from_products_file(products_file, repos)
    elif stack:
        chosen = from_stack(stack, repos)
    elif names:
        chosen = from_names(names, repos)
    else:
        raise PesoError("name products: PKG..., --products FILE or --stack SPACK_YAML")
    if compat_dir:
        attach_documents(chosen, compat_dir)
    return chosen


def attach_documents(chosen: Sequence[Product], folder: str) -> None:
    """``DIR/<product>.yaml``, else an xSDK table ``DIR/<product>-policy-compatibility.md``
    (as ``xsdk-project/xsdk-policy-compatibility`` names them, the misspelling included),
    else a ``.e4s/*compat*.yaml`` in ``DIR/<product>/``, for products that do not name
    their document already."""
    from .compat import find_product_document
    from .xsdk_doc import document_paths

    if not os.path.isdir(folder):
        raise PesoError("no such folder", path=folder, key="--compat-dir")
    for product in chosen:
        if product.compat:
            continue
        direct = os.path.join(folder, product.name + ".yaml")
        xsdk = document_paths(folder, product.name)
        if os.path.isfile(direct):
            product.compat = direct
        elif any(os.path.isfile(p) for p in xsdk):
            product.compat = next(p for p in xsdk if os.path.isfile(p))
        else:
            product.compat = find_product_document(os.path.join(folder, product.name)) or ""
