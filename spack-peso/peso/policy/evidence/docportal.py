"""E4S DocPortal metadata (``e4s.yaml``) as evidence for E4S P5.

Why: P5 asks each product to provide "key product information via metadata that is
organized in the E4S DocPortal format". The DocPortal generator (E4S-Project's
E4S-Documenter) reads that metadata from the product repository's ``.e4s/e4s.yaml`` or
``e4s.yaml``, else from its own copy, ``data/<product>/e4s.yaml``. So an ``e4s.yaml`` in
that format, in a product's tree or in an E4S-Documenter checkout passed to
``--evidence``, is the metadata P5 names: it is observed as ``docportal.metadata:
present`` with the file and line of the product's entry.

The format: a YAML list of mappings, each with ``e4s_product`` (the product's name) and
``docs``; ``spack_name`` optionally names the Spack package. A file that does not have
that shape is another tool's ``e4s.yaml`` and is left alone. A product is matched by
its ``spack_name``, its ``e4s_product`` or the folder holding the file, compared
without case; no other guessing, so a product the DocPortal names differently stays
undecided rather than matched by a hunch. An entry whose name is another package than
the one it describes (``docportal_names.yaml``: the "superlu" entry is superlu_dist's)
matches only the package it describes.
"""

import os
from functools import lru_cache
from typing import Dict, Iterable, List

import yaml

from . import Observation, display_path, evidence_date

NAMES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "docportal_names.yaml")


def entries(path: str) -> List[dict]:
    """The DocPortal entries of one ``e4s.yaml`` (empty when it is not DocPortal metadata)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    if not isinstance(data, list):
        return []
    found = [e for e in data if isinstance(e, dict) and e.get("e4s_product") and "docs" in e]
    lines = text.splitlines()
    for entry in found:
        entry["_line"] = next(
            (n for n, line in enumerate(lines, 1) if "e4s_product" in line and str(entry["e4s_product"]) in line), 1
        )
    return found


@lru_cache(maxsize=1)
def folder_packages() -> Dict[str, str]:
    with open(NAMES, encoding="utf-8") as f:
        return yaml.safe_load(f)["folders"]


def names_of(entry: dict, path: str) -> List[str]:
    folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
    if folder in folder_packages():
        return [folder_packages()[folder]]
    names = [entry.get("spack_name"), entry.get("e4s_product")]
    if folder not in (".e4s", "data"):
        names.append(folder)
    return [str(n).strip().lower() for n in names if n and str(n).strip()]


def read(paths: Iterable[str], packages: Dict[str, str]) -> List[Observation]:
    """One ``docportal.metadata: present`` per product of ``packages`` an ``e4s.yaml`` describes."""
    wanted = {p.lower(): p for p in packages}
    seen = set()
    observations = []
    for path in sorted(paths):
        for entry in entries(path):
            for name in names_of(entry, path):
                package = wanted.get(name)
                if not package or package in seen:
                    continue
                seen.add(package)
                docs = entry.get("docs") or []
                listed = (
                    ", ".join(d if isinstance(d, str) else str(d.get("doc", d)) for d in docs[:4])
                    if isinstance(docs, list)
                    else ""
                )
                observations.append(
                    Observation(
                        package,
                        "docportal.metadata",
                        "present",
                        "%s:%d" % (display_path(path), entry["_line"]),
                        evidence_date(path)[0],
                        "E4S DocPortal metadata for %r (docs: %s)" % (entry["e4s_product"], listed or "none listed"),
                        date_kind=evidence_date(path)[1],
                    )
                )
    return observations
