"""Render a plan (catalogue x target profile) into a Spack environment ``spack.yaml``.

Shape of the output, and why:

- ``packages: all: require: [target=<t>]`` with ``variants: +mpi <gpu arch variant>``:
  the variant line keeps dependencies from defaulting to another GPU arch
  (spack/spack#28714).
- Profile-owned pieces (compilers, MPI, BLAS, GPU runtime) are externals with
  ``buildable: false`` under *override keys* (``'gcc:'``): a site or host external of the
  same package in a lower scope would otherwise make ``%gcc`` ambiguous.
- Every per-package ``require`` on a real package gets ``target=<t>`` appended, because
  a per-package ``require`` replaces ``all: require``.
- ``concretizer: targets: host_compatible: false`` so a stack concretizes off-target.
- Spec groups (``group:``/``override:``) only when the Spack that will read the file
  supports them; otherwise ``definitions`` with inline backend tokens.
- Skipped products are listed with their reason in the header comment.

Output is deterministic: the same inputs give byte-identical text.
"""

import copy
import os
from typing import Any, Dict, List

from ... import yamlio
from .model import BACKENDS, Catalog, Target, data_file
from .plan import BUILT, EXCLUDED, SKIPPED, UNSUPPORTED, backend_tokens, make_plan, with_tokens_before_compiler

FORMATS = ("definitions", "groups")


def _abs(prefix, path):
    return path if os.path.isabs(path) else prefix.rstrip("/") + "/" + path


def _external(entry, tokens=""):
    out = {"spec": with_tokens_before_compiler(entry["spec"], tokens), "prefix": entry["prefix"]}
    if entry.get("modules"):
        out["modules"] = list(entry["modules"])
    return out


def _compiler_externals(target: Target):
    owned = {}
    for name, comp in sorted(target.doc["compilers"].items()):
        ext = {"spec": comp["spec"], "prefix": comp["prefix"]}
        if comp.get("exes"):
            ext["extra_attributes"] = {
                "compilers": {lang: _abs(comp["prefix"], exe) for lang, exe in comp["exes"].items()}
            }
        if comp.get("modules"):
            ext["modules"] = list(comp["modules"])
        entry: Dict[str, Any] = {"externals": [ext]}
        if target.doc.get("status") != "detected":
            entry["buildable"] = False
        owned[name] = entry
    return owned


def _major_minor(version):
    return tuple(int(x) for x in version.split(".")[:2] if x.isdigit())


def rocm_externals(version, prefix, components="auto", arch=None):
    """One ``buildable: false`` external per ROCm component from ``(version, prefix)``;
    components with an ``amdgpu_target`` variant get ``arch``."""
    owned = {}
    known = data_file("rocm_components.yaml")["components"]
    wanted = None if components == "auto" else set(components)
    major = version.split(".")[0]
    for comp in known:
        name = comp["name"]
        if wanted is not None and name not in wanted:
            continue
        if comp.get("since") and _major_minor(version) < _major_minor(comp["since"]):
            continue
        sub = (comp.get("subdir") or {}).get(major, "")
        where = prefix.rstrip("/") + ("/" + sub if sub else "")
        spec = "%s@%s" % (name, version)
        if arch and comp.get("gpu_arch"):
            spec += " amdgpu_target=" + arch
        ext = {"spec": spec, "prefix": where}
        if comp.get("compiler"):
            ext["extra_attributes"] = {"compilers": {lang: where + "/" + exe for lang, exe in comp["compiler"].items()}}
        owned[name] = {"buildable": False, "externals": [ext]}
    return owned


def _runtime_externals(target: Target):
    runtimes = target.doc.get("runtimes") or {}
    owned = {}
    rocm = runtimes.get("rocm")
    if rocm:
        prefix = rocm["prefix"].format(version=rocm["version"])
        owned.update(rocm_externals(rocm["version"], prefix, rocm.get("components", "auto"), target.gpu_arch))
    cuda = runtimes.get("cuda")
    if cuda:
        owned["cuda"] = {
            "buildable": False,
            "externals": [
                {"spec": "cuda@%s" % cuda["version"], "prefix": cuda["prefix"].format(version=cuda["version"])}
            ],
        }
    oneapi = runtimes.get("oneapi")
    if oneapi and oneapi.get("level_zero_prefix"):
        owned["oneapi-level-zero"] = {
            "buildable": False,
            "externals": [
                {
                    "spec": "oneapi-level-zero@%s" % oneapi.get("level_zero_version", oneapi["version"]),
                    "prefix": oneapi["level_zero_prefix"],
                }
            ],
        }
    return owned


def _provider(target: Target, key, virtuals):
    """``(virtual requirements, owned externals)`` for the profile's MPI or BLAS."""
    section = target.doc[key]
    provider = section["provider"]
    reqs = {v: {"require": [provider]} for v in virtuals}
    owned = {}
    if section.get("externals"):
        tokens = ""
        if section.get("gpu_aware") and target.backend in ("cuda", "rocm"):
            tokens = backend_tokens(target.backend, target.gpu_arch)
        owned[provider] = {"buildable": False, "externals": [_external(e, tokens) for e in section["externals"]]}
    return reqs, owned


def _merge(into, extra):
    for name, entry in extra.items():
        into[name] = copy.deepcopy(entry) if name not in into else {**into[name], **copy.deepcopy(entry)}


def _add_target(entry, cpu_target):
    """Re-give ``target=`` to a per-package ``require`` (it replaces ``all: require``)."""
    req = entry.get("require")
    if req is None:
        return entry
    items = [req] if isinstance(req, (str, dict)) else list(req)
    if not any(isinstance(i, str) and "target=" in i for i in items):
        items.append("target=%s" % cpu_target)
    return dict(entry, require=items)


def build_packages(catalog: Catalog, target: Target, entries):
    """The ``packages:`` section as an ordered dict."""
    rules = data_file("render_rules.yaml")
    virtuals = set(rules["virtuals"])
    t = target.cpu_target
    variants = ["+mpi"]
    if target.backend == "cuda":
        variants.append("cuda_arch=%s" % target.gpu_arch)
    elif target.backend == "rocm":
        variants.append("amdgpu_target=%s" % target.gpu_arch)
    packages = {"all": {"require": ["target=%s" % t], "variants": " ".join(variants)}}

    owned = _compiler_externals(target)
    policy = target.doc.get("compiler_policy", "require")
    default = target.doc["compilers"][target.doc["default_compiler"]]
    for lang in ("c", "cxx", "fortran"):
        # a compiler without (say) Fortran must not be required for it
        if not default.get("exes") or lang in default["exes"]:
            packages[lang] = {policy: [target.doc["default_compiler"]]}
    mpi_reqs, mpi_owned = _provider(target, "mpi", ["mpi"])
    blas_reqs, blas_owned = _provider(target, "blas", ["blas", "lapack"])
    packages.update(mpi_reqs)
    packages.update(blas_reqs)
    owned.update(mpi_owned)
    owned.update(blas_owned)
    owned.update(_runtime_externals(target))

    prefs: dict = {}
    _merge(prefs, catalog.default_packages)
    built = {e.product for e in entries if e.status == BUILT}
    built_flavors = {(e.product, e.flavor) for e in entries if e.status == BUILT}
    for product in catalog.products:
        if product.name in built:
            _merge(prefs, product.packages)
        for backend, entry in product.gpu.items():
            if (product.name, backend) in built_flavors and entry.get("packages"):
                _merge(prefs, entry["packages"])
    _merge(prefs, target.doc.get("packages_extra") or {})

    for name in sorted(prefs):
        if name in owned or name in packages:
            continue
        entry = prefs[name]
        packages[name] = entry if name in virtuals else _add_target(entry, t)
    for name in sorted(owned):
        packages[name + ":"] = owned[name]  # override key: lower scopes cannot shadow it
    return packages


#: the order of the spec lists in a rendered stack
FLAVOR_ORDER = ("cpu",) + BACKENDS


def _header(catalog: Catalog, target: Target, entries, fmt, argv_note):
    built = [e for e in entries if e.status == BUILT]
    lines = [
        "# Generated by spack-peso (`spack peso stack generate`): do not edit by hand.",
        "# %s" % argv_note,
        "# target: %s (%s, %s, gpu %s %s)"
        % (target.name, target.doc["arch"]["os"], target.cpu_target, target.backend, target.gpu_arch or "-"),
        "# catalogue: %s (%d products); format: %s" % (catalog.name, len(catalog.products), fmt),
        "# specs: %d built, %d skipped, %d excluded, %d unsupported (product x flavour)"
        % (
            len(built),
            sum(e.status == SKIPPED for e in entries),
            sum(e.status == EXCLUDED for e in entries),
            sum(e.status == UNSUPPORTED for e in entries),
        ),
    ]
    skipped = [e for e in entries if e.status in (SKIPPED, EXCLUDED)]
    if skipped:
        lines.append("# skipped:")
        for e in skipped:
            reason = " ".join(e.reason.split())
            if len(reason) > 140:
                reason = reason[:137] + "..."
            ref = " [%s]" % e.ref if e.ref else ""
            lines.append("#   %s (%s): %s%s" % (e.product, e.flavor, reason, ref))
    if fmt == "definitions":
        repeats = _repeated(built)
        if repeats:
            lines.append(
                "# listed once (same root as an earlier flavour): %s"
                % ", ".join("%s (%s)" % (e.product, e.flavor) for e in repeats)
            )
    warned = [e for e in built if e.reason]
    if warned:
        lines.append("# built with known issues (action: warn):")
        for e in warned:
            lines.append("#   %s (%s): %s" % (e.product, e.flavor, " ".join(e.reason.split())[:140]))
    return "\n".join(lines) + "\n"


def _repeated(built):
    """Built entries whose spec an earlier flavour already lists (a GPU flavour without GPU
    tokens, e.g. hdf5 in the hand-made ROCm stacks). In ``definitions`` format the lists carry
    no configuration of their own, so the repeat is the same root: it is listed once. Spec
    groups keep it, because their ``override`` makes it another concretization."""
    seen, repeats = set(), []
    for e in sorted(built, key=lambda e: FLAVOR_ORDER.index(e.flavor)):
        if e.spec in seen:
            repeats.append(e)
        seen.add(e.spec)
    return repeats


def render_doc(catalog: Catalog, target: Target, entries, fmt="definitions"):
    """The ``{'spack': ...}`` document for a plan."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    rules = data_file("render_rules.yaml")
    spack: Dict[str, Any] = {}
    if catalog.repos:
        spack["repos"] = list(catalog.repos)
    spack.update(
        {
            "view": False,
            "concretizer": copy.deepcopy(rules["concretizer"]),
            "packages": build_packages(catalog, target, entries),
        }
    )
    built = [e for e in entries if e.status == BUILT]
    repeats = [id(e) for e in _repeated(built)] if fmt == "definitions" else []
    by_flavor: dict = {}
    for e in built:
        if id(e) not in repeats:
            by_flavor.setdefault(e.flavor, []).append(e.spec)
    order = [f for f in FLAVOR_ORDER if by_flavor.get(f)]
    if fmt == "definitions":
        spack["definitions"] = [{"%s_specs" % f: by_flavor[f]} for f in order]
        spack["specs"] = ["$%s_specs" % f for f in order]
    else:
        groups: List[Dict[str, Any]] = []
        for f in order:
            group = {"group": f if f == "cpu" else "%s-%s" % (f, target.gpu_arch or "any"), "specs": by_flavor[f]}
            if f != "cpu":
                prefer = ["+%s" % f]
                if target.gpu_arch and f in ("cuda", "rocm"):
                    prefer.append(backend_tokens(f, target.gpu_arch).split(" ", 1)[1])
                group["override"] = {"packages": {"all": {"prefer": prefer}}}
            groups.append(group)
        spack["specs"] = groups
    ci = target.doc.get("ci") or {}
    if ci.get("image"):
        spack["ci"] = {"pipeline-gen": [{"build-job": {"image": ci["image"]}}]}
    if ci.get("cdash_group"):
        spack["cdash"] = {"build-group": ci["cdash_group"]}
    return {"spack": spack}


def render(catalog: Catalog, target: Target, tags=None, only=None, fmt="definitions", argv_note=None):
    """``(text, entries)``: the ``spack.yaml`` text and the plan it was made from."""
    entries = make_plan(catalog, target, tags=tags, only=only)
    note = argv_note or "spack peso stack generate --target=%s --catalog %s" % (
        target.name,
        os.path.basename(catalog.path),
    )
    text = _header(catalog, target, entries, fmt, note) + yamlio.dump(render_doc(catalog, target, entries, fmt))
    return text, entries
