"""Copy a builtin recipe into the curation repository, with where it came from.

A curated recipe is a builtin recipe with the smallest change that makes its stand-alone
test meaningful. Keeping it as a copy in its own repository (namespace ``peso``, put ahead
of builtin) lets the stack be built and tested with the fix today, while the provenance
file beside it (``curation.yaml``: builtin path, commit and the original's sha256, plus the
curator's summary and reasons) turns the difference into a patch for spack-packages
(:mod:`peso.curate.upstream`).
"""

import datetime
import hashlib
import os
import shutil
from dataclasses import dataclass
from typing import List, Optional

import yaml

from .. import schema, yamlio
from ..errors import PesoError
from ..fsutil import atomic_write, safe_name
from ..recipe.layout import find_recipe

PROVENANCE = "curation.yaml"
SCHEMA = "peso-curation/v1"
PROVENANCE_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "curation.schema.yaml")


def sha256_of(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@dataclass
class Overlay:
    """One curated recipe and the builtin recipe it overlays."""

    package: str
    folder: str  # the curated package folder
    provenance: dict

    @property
    def recipe(self) -> str:
        return os.path.join(self.folder, "package.py")

    @property
    def upstream_path(self) -> str:
        """The recipe's path inside spack-packages (what the patch names)."""
        return self.provenance["builtin"]["path"]

    def original(self, builtin_packages: str) -> str:
        """The builtin recipe this overlay was copied from, checked against its sha256."""
        folder = os.path.basename(os.path.dirname(self.upstream_path))
        path = os.path.join(builtin_packages, folder, "package.py")
        if not os.path.isfile(path):
            raise PesoError("builtin recipe %s no longer exists" % self.upstream_path, builtin_packages)
        if sha256_of(path) != self.provenance["builtin"]["sha256"]:
            raise PesoError(
                "builtin %s changed since it was curated (commit %s): re-curate or rebase the overlay"
                % (self.upstream_path, self.provenance["builtin"]["commit"][:12]),
                path,
            )
        return path


class _ProvenanceDumper(yaml.SafeDumper):
    """Multi-line reasons as literal blocks: curators edit this file by hand."""


_ProvenanceDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)

HEADER = (
    "# Provenance of this curated recipe (spack peso curate); the patch for spack-packages\n"
    "# is made from it: spack peso curate --patch DIR\n"
)


def dump_provenance(doc: dict) -> str:
    return HEADER + yaml.dump(doc, Dumper=_ProvenanceDumper, sort_keys=False, width=100)


def load_overlay(folder: str) -> Overlay:
    path = os.path.join(folder, PROVENANCE)
    doc = yamlio.load(path)
    schema.validate(doc, PROVENANCE_SCHEMA, path)
    if ".." in doc["builtin"]["path"].split("/"):
        raise PesoError("%r leaves the builtin repository" % doc["builtin"]["path"], path, "builtin.path")
    return Overlay(doc["package"], folder, doc)


def overlays(repo: str, names: Optional[List[str]] = None) -> List[Overlay]:
    """The curated recipes of ``repo`` (those with a ``curation.yaml``), all or by name."""
    packages = os.path.join(repo, "packages")
    found = []
    for entry in sorted(os.listdir(packages)) if os.path.isdir(packages) else []:
        if os.path.isfile(os.path.join(packages, entry, PROVENANCE)):
            found.append(load_overlay(os.path.join(packages, entry)))
    if names:
        by_name = {o.package: o for o in found}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise PesoError("not curated here: %s (run 'curate PKG' first)" % ", ".join(unknown), repo)
        found = [by_name[n] for n in names]
    return found


def curate(package: str, repo: str, builtin_packages: str, builtin_commit: str, packages_root_relative: str) -> Overlay:
    """Copy the builtin recipe folder of ``package`` into ``repo`` with provenance.

    ``packages_root_relative`` is the builtin ``packages`` folder's path inside
    spack-packages (``repos/spack_repo/builtin/packages``). An existing overlay is never
    overwritten: curated work is not thrown away by a second call.
    """
    source = find_recipe(safe_name(package, "package"), [builtin_packages])
    if not source:
        raise PesoError("no builtin recipe named %r" % package, builtin_packages)
    folder_name = os.path.basename(os.path.dirname(source))
    target = os.path.join(repo, "packages", folder_name)
    if os.path.exists(target):
        raise PesoError("already curated (edit it, or remove the folder to start again)", target)
    if not os.path.isfile(os.path.join(repo, "repo.yaml")):
        raise PesoError("not a Spack repository (no repo.yaml)", repo)
    tmp = target + ".curating"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(os.path.dirname(source), tmp, ignore=shutil.ignore_patterns("__pycache__"))
    provenance = {
        "schema": SCHEMA,
        "package": package,
        "builtin": {
            "path": "%s/%s/package.py" % (packages_root_relative, folder_name),
            "commit": builtin_commit,
            "sha256": sha256_of(source),
        },
        "curated": datetime.date.today().isoformat(),
        "summary": "%s: (one line for the upstream commit title)" % package,
        "why": "(what was wrong, how it showed, why this is the smallest fix)\n",
    }
    atomic_write(os.path.join(tmp, PROVENANCE), dump_provenance(provenance))
    os.rename(tmp, target)
    return load_overlay(target)
