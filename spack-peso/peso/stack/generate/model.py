"""Load and validate product catalogues and target profiles.

Both are plain YAML checked against JSON schemas kept as data (``data/*.schema.yaml``), then
against facts the schema cannot express: archspec knows the CPU target, Spack's
CudaPackage/ROCmPackage accept the GPU arch (``data/gpu_archs.yaml``), cray-mpich has a
GTL for it, product names are unique. Every problem is one ``PesoError`` line naming the
file, the key and the problem, raised before anything is rendered or written.
"""

import functools
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import yaml

from ... import CHECKOUT, schema, yamlio
from ...errors import PesoError

HERE = os.path.dirname(os.path.abspath(__file__))
BACKENDS = ("cuda", "rocm", "sycl")


@functools.lru_cache(maxsize=None)
def data_file(name):
    """A YAML file from ``peso/stack/generate/data`` (data and schemas)."""
    path = os.path.join(HERE, "data", name)
    if not os.path.exists(path):
        raise FileNotFoundError(name)
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def validate(doc, schema_file, path):
    """Raise a one-line PesoError for the most relevant schema violation, if any."""
    schema.validate(doc, os.path.join(HERE, "data", schema_file), path)


def as_list(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass
class Product:
    """One catalogue entry: a root package, its CPU spec and its GPU flavours."""

    name: str
    spec: str
    cpu: bool = True
    tags: List[str] = field(default_factory=list)
    gpu: Dict[str, dict] = field(default_factory=dict)
    overrides: List[dict] = field(default_factory=list)
    packages: Dict[str, dict] = field(default_factory=dict)
    known_issues: List[dict] = field(default_factory=list)
    provenance: str = ""
    #: where the catalogue differs from E4S's own environments on purpose (``stack diff --e4s``)
    deviations: List[dict] = field(default_factory=list)


@dataclass
class Catalog:
    path: str
    name: str
    products: List[Product]
    default_packages: Dict[str, dict]
    repos: List[str] = field(default_factory=list)

    def product(self, name) -> Optional[Product]:
        return next((p for p in self.products if p.name == name), None)


def provenance_kind(text: str) -> str:
    """The kind of reference a provenance names (``data/provenance_kinds.yaml``), or
    ``unknown``."""
    for entry in data_file("provenance_kinds.yaml"):
        if (text or "").startswith(entry["prefix"]):
            return entry["kind"]
    return "unknown"


def _dates_as_text(doc):
    """A hand-typed ``date: 2026-11-29`` is a date to YAML; the schema wants the text."""
    import datetime

    products = doc.get("products") if isinstance(doc, dict) else None
    for product in products if isinstance(products, list) else []:  # else the schema says why
        for key in ("known_issues", "deviations"):
            issues = product.get(key) if isinstance(product, dict) else None
            for issue in issues if isinstance(issues, list) else []:
                if isinstance(issue, dict) and isinstance(issue.get("date"), datetime.date):
                    issue["date"] = issue["date"].isoformat()


def load_catalog(path) -> Catalog:
    """Read, schema-check and model a product catalogue."""
    path = os.fspath(path)
    doc = yamlio.load(path)
    _dates_as_text(doc)
    validate(doc, "catalog.schema.yaml", path)
    seen = set()
    products = []
    for i, entry in enumerate(doc["products"]):
        if entry["name"] in seen:
            raise PesoError("duplicate product %r" % entry["name"], path=path, key="products.%d.name" % i)
        seen.add(entry["name"])
        products.append(Product(**entry))
    name = doc.get("name") or os.path.splitext(os.path.basename(path))[0]
    folder = os.path.dirname(os.path.abspath(path))
    repos = [r if os.path.isabs(r) else os.path.normpath(os.path.join(folder, r)) for r in doc.get("repos") or []]
    return Catalog(path, name, products, (doc.get("defaults") or {}).get("packages") or {}, repos)


@dataclass
class Target:
    """A validated target profile (the YAML document plus where it came from)."""

    path: str
    doc: dict

    @property
    def name(self):
        return self.doc["name"]

    @property
    def cpu_target(self):
        return self.doc["arch"]["target"]

    @property
    def backend(self):
        return self.doc["gpu"].get("backend", "none")

    @property
    def gpu_arch(self):
        return self.doc["gpu"].get("arch")

    def runtime_version(self, name):
        return ((self.doc.get("runtimes") or {}).get(name) or {}).get("version")


def check_target(doc, path):
    """Schema plus semantic checks of one profile document."""
    validate(doc, "target.schema.yaml", path)
    import archspec.cpu

    target = doc["arch"]["target"]
    if target not in archspec.cpu.TARGETS:
        raise PesoError("unknown archspec CPU target %r" % target, path=path, key="arch.target")
    gpu = doc["gpu"]
    backend = gpu.get("backend", "none")
    arch = gpu.get("arch")
    archs = data_file("gpu_archs.yaml")
    if backend == "cuda" and str(arch) not in archs["cuda_arch"]:
        raise PesoError("cuda_arch %r is not one CudaPackage accepts" % arch, path=path, key="gpu.arch")
    if backend == "rocm" and str(arch) not in archs["amdgpu_target"]:
        raise PesoError("amdgpu_target %r is not one ROCmPackage accepts" % arch, path=path, key="gpu.arch")
    if backend == "none" and arch:
        raise PesoError("a GPU arch needs a backend (cuda, rocm or sycl)", path=path, key="gpu.arch")
    if doc["default_compiler"] not in doc["compilers"]:
        raise PesoError(
            "default_compiler %r is not among compilers" % doc["default_compiler"], path=path, key="default_compiler"
        )
    mpi = doc["mpi"]
    if mpi.get("gpu_aware") and mpi["provider"] == "cray-mpich" and backend in ("cuda", "rocm"):
        gtl = archs["cray_mpich_gtl"].get(backend, [])
        if str(arch) not in gtl:
            raise PesoError(
                "cray-mpich has no GTL for %s arch %r (known: %s)" % (backend, arch, ", ".join(gtl)),
                path=path,
                key="mpi.gpu_aware",
            )
    return Target(path, doc)


def load_target(path) -> Target:
    path = os.fspath(path)
    return check_target(yamlio.load(path), path)


def environments_dir(start=None):
    """The ``environments/`` folder: ``$PESO_ENVIRONMENTS``, else the nearest one above
    ``start`` (default: the working directory), else the one of this source checkout."""
    env = os.environ.get("PESO_ENVIRONMENTS")
    if env:
        return env
    here = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(here, "environments", "targets")
        if os.path.isdir(candidate):
            return os.path.dirname(candidate)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return os.path.join(CHECKOUT, "environments")


def names_a_file(text: str) -> bool:
    """Whether a ``--target`` or ``--catalog`` value is a path rather than a name.

    One rule for both, so a folder of the same name in the working directory (the
    checkout's ``demo/``) never shadows a name: a value is a path only when it holds a
    path separator or ends in ``.yaml``/``.yml``; ``./demo.yaml`` or ``demo.yaml`` name the
    file, ``demo`` the profile or catalogue under ``environments/``.
    """
    return os.sep in text or (os.altsep is not None and os.altsep in text) or text.endswith((".yaml", ".yml"))


def stack_dir(target_name: str, envdir=None) -> str:
    """Where a target's stack lives: ``environments/<profile name>`` (``$PESO_ENVIRONMENTS``
    honoured). ``stack generate`` writes there; ``stack build``/``test`` read there."""
    return os.path.join(envdir or environments_dir(), target_name)


def target_names(envdir=None):
    folder = os.path.join(envdir or environments_dir(), "targets")
    if not os.path.isdir(folder):
        return []
    return sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".yaml"))


def find_target(name, envdir=None) -> Target:
    """A profile by name or alias (``host`` is synthesised by :mod:`.hostprobe`)."""
    if name == "host":
        from .hostprobe import host_target

        return host_target()
    if names_a_file(name):
        return load_target(name)
    envdir = envdir or environments_dir()
    folder = os.path.join(envdir, "targets")
    path = os.path.join(folder, name + ".yaml")
    if os.path.exists(path):
        return load_target(path)
    for other in target_names(envdir):
        doc = yamlio.load(os.path.join(folder, other + ".yaml")) or {}
        if name in (doc.get("aliases") or []):
            return load_target(os.path.join(folder, other + ".yaml"))
    raise PesoError("unknown target %r (known: %s, host)" % (name, ", ".join(target_names(envdir))))
