"""Regenerate ``data/gpu_archs.yaml`` and ``data/base_variants.yaml`` from a spack-packages
checkout, statically (AST only: no Spack import, nothing executed).

Why a script and committed data rather than a live import: stack generation and catalogue
lint must work with ``python -m peso`` where Spack is not importable, yet the values must
be Spack's own, not a hand-typed copy that silently drifts. The script records the
checkout, commit and file it read, so every value has provenance.

    python tools/extract_facts.py <spack-packages> spack-peso/peso/stack/data

A maintainer tool kept outside the installed package: it runs when the pinned
spack-packages moves, never at run time.
"""

import ast
import datetime
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "spack-peso"))
from peso.fsutil import atomic_write  # noqa: E402

BUILD_SYSTEMS = os.path.join("repos", "spack_repo", "builtin", "build_systems")
CRAY_MPICH = os.path.join("repos", "spack_repo", "builtin", "packages", "cray_mpich", "package.py")


def _git_commit(checkout):
    try:
        out = subprocess.run(
            ["git", "-C", checkout, "log", "-1", "--format=%H %cs"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _class_tuple(tree, class_name, attr):
    """Literal value of ``class <class_name>: <attr> = (...)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in stmt.targets):
                    return list(ast.literal_eval(stmt.value))
    raise KeyError("%s.%s not found" % (class_name, attr))


def _gtl_values(tree):
    """The ``gtl_kinds`` dict literal in cray-mpich's ``gtl_lib``: backend -> arch set."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "gtl_kinds" for t in node.targets):
            kinds = ast.literal_eval(node.value)
            return {k: sorted(v["values"]) for k, v in kinds.items()}
    raise KeyError("gtl_kinds not found")


def _called_name(call):
    f = call.func
    return f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)


def _variants_in(nodes, helpers):
    """Variant names declared by ``variant(...)`` calls in ``nodes`` (recursing into
    ``with when(...)`` blocks and module-level helper functions such as cmake's
    ``generator()``)."""
    names = set()
    for top in nodes:
        for node in ast.walk(top):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            if name == "variant" and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
            elif name == "build_system":
                names.add("build_system")
            elif name in helpers:
                names |= helpers[name]
    return names


def base_variants(build_systems_dir):
    """class name -> {variants: [...], bases: [...], file: ...} for every build-system class."""
    classes = {}
    for fname in sorted(os.listdir(build_systems_dir)):
        if not fname.endswith(".py") or fname.startswith("_"):
            continue
        path = os.path.join(build_systems_dir, fname)
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        helpers = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                found = _variants_in(node.body, {})
                if found:
                    helpers[node.name] = found
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                body = [s for s in node.body if not isinstance(s, ast.FunctionDef)]
                bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
                classes[node.name] = {
                    "file": "build_systems/" + fname,
                    "bases": bases,
                    "variants": sorted(_variants_in(body, helpers)),
                }
    return classes


def extract(checkout):
    """Return (gpu_archs document, base_variants document) read from ``checkout``."""
    commit = _git_commit(checkout)
    bs = os.path.join(checkout, BUILD_SYSTEMS)
    with open(os.path.join(bs, "cuda.py"), encoding="utf-8") as f:
        cuda_tree = ast.parse(f.read())
    with open(os.path.join(bs, "rocm.py"), encoding="utf-8") as f:
        rocm_tree = ast.parse(f.read())
    with open(os.path.join(checkout, CRAY_MPICH), encoding="utf-8") as f:
        mpich_tree = ast.parse(f.read())
    provenance = {
        "source": "spack/spack-packages",
        "commit": commit,
        "extracted_by": "python tools/extract_facts.py",
        "extracted_on": datetime.date.today().isoformat(),
    }
    gpu = {
        "provenance": dict(
            provenance,
            files=[
                "repos/spack_repo/builtin/build_systems/cuda.py: CudaPackage.cuda_arch_values",
                "repos/spack_repo/builtin/build_systems/rocm.py: ROCmPackage.amdgpu_targets",
                "repos/spack_repo/builtin/packages/cray_mpich/package.py: gtl_lib gtl_kinds",
            ],
        ),
        "cuda_arch": _class_tuple(cuda_tree, "CudaPackage", "cuda_arch_values"),
        "amdgpu_target": _class_tuple(rocm_tree, "ROCmPackage", "amdgpu_targets"),
        "cray_mpich_gtl": _gtl_values(mpich_tree),
    }
    variants = {
        "provenance": dict(provenance, files=["repos/spack_repo/builtin/build_systems/*.py"]),
        "always": ["build_system"],
        "classes": base_variants(bs),
    }
    return gpu, variants


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(
            "usage: python tools/extract_facts.py <spack-packages tree> <data folder>  "
            "('python -m peso bootstrap' prints the provisioned tree)",
            file=sys.stderr,
        )
        return 2
    checkout, data_dir = argv
    gpu, variants = extract(checkout)
    header = "# Generated by `python tools/extract_facts.py`; do not edit by hand.\n"
    for name, doc in (("gpu_archs.yaml", gpu), ("base_variants.yaml", variants)):
        text = header + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
        atomic_write(os.path.join(data_dir, name), text)
        print("wrote", os.path.join(data_dir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
