"""One-time import: seed a product catalogue from the six hand-maintained E4S stacks.

The catalogue (``environments/catalog/e4s.yaml``) is hand-edited since; this tool is kept
outside the installed package for two uses only: importing the stacks of another
spack-packages once, and ``tools/catalog_drift.py``, which reports how the hand-edited
catalogue differs from what the stacks of a spack-packages checkout would give.

It reads ``stacks/e4s*/spack.yaml`` (the YAML for live specs, the raw text for the
commented-out ones that record "broken here") and makes one product per root package:

- ``spec``: the CPU flavour, taken from the first stack that builds it in this order:
  e4s, e4s-oneapi, e4s-neoverse-v2, e4s-cray-rhel, e4s-cray-sles. Other stacks' different
  CPU spellings become ``overrides`` scoped to that stack's context.
- ``gpu``: per backend (cuda, rocm, sycl) the base spec with the backend tokens removed,
  and whether the stack gave an arch (``tokens: full``), only the switch (``switch``:
  the NOARCH sections) or a spelling that already selects the backend (``none``).
  Tokens inside dependencies become ``{gpu}`` placeholders.
- ``known_issues``: one per commented-out spec, with the reason (trailing comment, the
  comment line above, or the section header), the stack as source and the checkout's
  commit date as date.
- ``packages``: per-product ``packages:`` preferences from ``stacks/e4s``; the rest go to
  ``defaults``.
- ``tags``: taken from an existing catalogue (``--tags-from``), else ``uncategorized``.

    python tools/seed_catalog.py <spack-packages> OUT [--tags-from CATALOG]
"""

import os
import re
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "spack-peso"))
from peso import yamlio  # noqa: E402
from peso.fsutil import atomic_write  # noqa: E402
from peso.stack.generate import envfile  # noqa: E402
from peso.stack.generate.model import BACKENDS  # noqa: E402
from peso.stack.generate.plan import split_root  # noqa: E402
from peso.yamlio import load as load_yaml  # noqa: E402

#: stack dir -> (known-issue context, backend the whole stack is about or None)
STACK_CONTEXT = {
    "e4s": ({"target": ["x86_64_v3"]}, None),
    "e4s-oneapi": ({"compiler": ["intel-oneapi-compilers"]}, None),
    "e4s-neoverse-v2": ({"target": ["neoverse_v2"]}, None),
    "e4s-cray-rhel": ({"target": ["cray-rhel"]}, None),
    "e4s-cray-sles": ({"target": ["cray-sles"]}, None),
    "e4s-rocm-external": ({"runtime": ["rocm@7.2"]}, "rocm"),
}
CPU_ORDER = ["e4s", "e4s-oneapi", "e4s-neoverse-v2", "e4s-cray-rhel", "e4s-cray-sles"]
GPU_ORDER = {
    "cuda": ["e4s-neoverse-v2", "e4s"],
    "rocm": ["e4s-rocm-external", "e4s"],
    "sycl": ["e4s-oneapi"],
}
#: packages.yaml keys of stacks/e4s that belong to the target profile, not the catalogue
PROFILE_KEYS = {"all", "c", "cxx", "fortran", "mpi", "blas", "lapack", "mpich", "rccl"}

_ARCH_TOKENS = {
    "cuda": re.compile(r"\s*\+cuda\s+cuda_arch=\w+|\s*cuda_arch=\w+\s+\+cuda(?![\w-])"),
    "rocm": re.compile(r"\s*\+rocm\s+amdgpu_target=[\w:+-]+|\s*amdgpu_target=[\w:+-]+\s+\+rocm(?![\w-])"),
}
_SWITCH = {b: re.compile(r"\s*\+%s(?![\w-])" % b) for b in BACKENDS}
_TARGET_TOKEN = re.compile(r"\s*\btarget=[\w]+")
_COMMENTED_SPEC = re.compile(r"^\s*#\s*-\s*([a-z][\w.+-]*(?:@[\w.:-]+)?(?:[ ~+^%@]|$).*)$")


def _strip_trailing_comment(text):
    # a spec never contains " #"; a trailing comment always does
    parts = re.split(r"\s+#", text, maxsplit=1)
    reason = parts[1].strip(" #") if len(parts) > 1 else ""
    return parts[0].strip(), reason


def classify(spec, stack_backend=None):
    """Backend of one stack spec and its catalogue form.

    Returns ``(backend or 'cpu', base spec, tokens)`` with tokens in full/switch/none.
    """
    root, deps = split_root(spec)
    for backend in ("cuda", "rocm"):
        if _ARCH_TOKENS[backend].search(root):
            root = _ARCH_TOKENS[backend].sub("", root)
            deps = _ARCH_TOKENS[backend].sub(" {gpu}", deps)
            return backend, (root + " " + deps).strip(), "full"
        if _SWITCH[backend].search(root):
            root = _SWITCH[backend].sub("", root)
            return backend, (root + " " + deps).strip(), "switch"
    if _SWITCH["sycl"].search(root):
        root = _SWITCH["sycl"].sub("", root)
        deps = re.sub(r"\+sycl(?![\w-])", "{gpu}", deps)
        return "sycl", (root + " " + deps).strip(), "switch"
    if re.search(r"\+level_zero\b", root):
        return "sycl", spec.strip(), "none"
    # the root carries no backend tokens; a dependency may (``kokkos-fft ^kokkos +cuda ...``)
    for backend in ("cuda", "rocm"):
        if _ARCH_TOKENS[backend].search(deps):
            deps = _ARCH_TOKENS[backend].sub(" {gpu}", deps)
            return backend, (root + " " + deps).strip(), "none"
    if re.search(r"\+sycl(?![\w-])", deps):
        deps = re.sub(r"\+sycl(?![\w-])", "{gpu}", deps)
        return "sycl", (root + " " + deps).strip(), "none"
    if stack_backend:
        return stack_backend, spec.strip(), "full"
    return "cpu", spec.strip(), None


def read_stack(path, stack_backend=None):
    """Live and commented-out specs of one stack, each as ``(backend, spec)``."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    env = envfile.environment_of(yaml.safe_load(text), path)
    live = []
    for group, spec in envfile.grouped_specs(env):
        if group is not None:  # group names say the backend
            backend = "rocm" if "rocm" in group else "cuda" if "cuda" in group else None
            b, base, tokens = classify(spec, backend)
            live.append((b, base, tokens if backend is None else "full", spec))
        else:
            b, base, tokens = classify(spec, stack_backend)
            live.append((b, base, tokens, spec))
    return env, live, _commented(text, stack_backend)


def _commented(text, stack_backend):
    """Commented-out specs with their reason and the section they sit in."""
    lines = text.splitlines()
    out = []
    section = stack_backend or "cpu"
    header = ""
    previous_comment = ""
    in_specs = False
    for line in lines:
        stripped = line.strip()
        if re.match(r"^  (definitions|specs):", line):
            in_specs = True
        elif re.match(r"^  \w", line):
            in_specs = False
        if not in_specs:
            continue
        if re.match(r"^\s*- (cuda_specs|cpu_specs):", line) or re.match(r'^\s*- group: "?cuda', line):
            section = "cuda"
        elif re.match(r'^\s*- group: "?rocm', line):
            section = "rocm"
        elif re.match(r"^\s*override:", line):
            section = "override"
        elif re.match(r"^  specs:", line):
            section = stack_backend or "cpu"
        if section == "override" or not stripped.startswith("#"):
            if stripped and not stripped.startswith("#"):
                previous_comment = ""
            continue
        m = _COMMENTED_SPEC.match(line)
        if not m:
            comment = stripped.lstrip("#").strip()
            lowered = comment.lower()
            if lowered.startswith(("cuda", "rocm", "cpu", "sycl", "included", "python")):
                header, previous_comment = "", ""
                if "cuda" in lowered:
                    section = "cuda"
                elif "rocm" in lowered:
                    section = "rocm"
            elif re.match(r"^[A-Z][A-Za-z ]*:?$", comment) or comment.isupper() or "error" in lowered[:20]:
                header, previous_comment = comment.rstrip(":"), ""
            else:
                previous_comment = comment
            continue
        spec, reason = _strip_trailing_comment(m.group(1))
        if not reason and not previous_comment and header:
            reason = "commented out under '%s'" % header
        reason = reason or previous_comment
        backend, base, tokens = classify(spec, None if section in ("cpu", "cuda", "rocm") else None)
        if backend == "cpu" and section in ("cuda", "rocm"):
            backend = section
        out.append((backend, base, tokens, spec, reason))
    return out


def _clean_require(value):
    """Drop ``target=`` and ``%gcc`` tokens: the profile owns target and compiler."""
    items = value if isinstance(value, list) else [value]
    cleaned = []
    for item in items:
        s = _TARGET_TOKEN.sub("", str(item))
        s = re.sub(r"\s*%gcc\b", "", s).strip()
        if s:
            cleaned.append(s)
    return cleaned


def _clean_package_entry(entry):
    out = {}
    for key, value in entry.items():
        if key in ("require", "prefer"):
            cleaned = _clean_require(value)
            if cleaned:
                out[key] = cleaned
        elif key == "target":
            continue
        else:
            out[key] = value
    return out


def _git_commit(checkout):
    from peso.spackcall.provision import tree_commit

    return tree_commit(checkout) or "unknown"


def _commit_date(commit):
    """``1e8cf059e3 2026-07-01`` -> ``2026-07-01`` (the date the stacks said so)."""
    match = re.search(r"\d{4}-\d{2}-\d{2}", commit)
    return match.group(0) if match else "unknown"


def seed(checkout, tags=None):
    """Build the catalogue document (a dict) from the stacks in ``checkout``;
    ``tags`` maps product names to their tags."""
    commit = _git_commit(checkout)
    date = _commit_date(commit)
    stacks = {}
    for name, (context, backend) in STACK_CONTEXT.items():
        path = os.path.join(checkout, "stacks", name, "spack.yaml")
        stacks[name] = read_stack(path, backend)

    products = {}

    def product(name):
        return products.setdefault(name, {"name": name})

    cpu_specs = {}  # name -> {stack: spec}
    gpu_specs = {}  # (name, backend) -> {stack: (base, tokens)}
    for stack, (env, live, commented) in stacks.items():
        for backend, base, tokens, spec in live:
            name = envfile.root_name(spec)
            product(name)
            if backend == "cpu":
                cpu_specs.setdefault(name, {}).setdefault(stack, _TARGET_TOKEN.sub("", base).strip())
            else:
                slot = gpu_specs.setdefault((name, backend), {})
                # an arch-carrying spelling beats a NOARCH one from the same stack
                if stack not in slot or (slot[stack][1] != "full" and tokens == "full"):
                    slot[stack] = (base, tokens)

    for name, per_stack in cpu_specs.items():
        canonical_stack = next(s for s in CPU_ORDER if s in per_stack)
        p = product(name)
        p["spec"] = per_stack[canonical_stack]
        p["provenance"] = "stacks/" + canonical_stack
        overrides = []
        for stack in CPU_ORDER:
            spec = per_stack.get(stack)
            if spec and spec != p["spec"] and stack != canonical_stack:
                overrides.append({"when": dict(STACK_CONTEXT[stack][0]), "spec": spec, "ref": "stacks/" + stack})
        if overrides:
            p["overrides"] = overrides

    for (name, backend), per_stack in sorted(gpu_specs.items()):
        p = product(name)
        stack = next((s for s in GPU_ORDER[backend] if s in per_stack and per_stack[s][1] == "full"), None)
        stack = stack or next(s for s in GPU_ORDER[backend] if s in per_stack)
        base, tokens = per_stack[stack]
        entry = {}
        if base != p.get("spec"):
            entry["spec"] = base
        if tokens != "full":
            entry["tokens"] = tokens
        entry["ref"] = "stacks/" + stack
        p.setdefault("gpu", {})[backend] = entry

    # commented-out specs -> known issues (and products that exist only as comments)
    for stack, (env, live, commented) in stacks.items():
        context = STACK_CONTEXT[stack][0]
        for backend, base, tokens, spec, reason in commented:
            name = envfile.root_name(spec)
            p = product(name)
            if "spec" not in p and backend == "cpu":
                p["spec"] = _TARGET_TOKEN.sub("", base).strip()
                p["provenance"] = "stacks/%s (commented out)" % stack
            if backend != "cpu" and backend not in p.get("gpu", {}):
                entry = {"spec": base} if base != p.get("spec") else {}
                if tokens and tokens != "full":
                    entry["tokens"] = tokens
                entry["ref"] = "stacks/%s (commented out)" % stack
                p.setdefault("gpu", {})[backend] = entry
            when = dict(context)
            if backend != "cpu":
                when["backend"] = [backend]
            elif any(envfile.root_name(item[3]) == name and item[0] != "cpu" for item in live):
                # only the CPU flavour is commented out; the same stack builds a GPU one
                when["backend"] = ["cpu"]
            issue = {
                "when": when,
                "reason": reason or "commented out in stacks/%s (no reason given)" % stack,
                "source": "stacks/%s/spack.yaml" % stack,
                "date": date,
                "action": "skip",
            }
            if issue not in p.setdefault("known_issues", []):
                p["known_issues"].append(issue)

    # a product that no stack builds at all on the CPU: skip its CPU flavour everywhere
    for name, p in products.items():
        if "spec" not in p:
            gpu = p.get("gpu", {})
            first = next(iter(gpu.values()))
            p["spec"] = first.get("spec", name).replace("{gpu}", "").strip()
            p["cpu"] = False
        elif name not in cpu_specs:
            reasons = "; ".join(sorted({i["reason"] for i in p.get("known_issues", [])}))[:200]
            p.setdefault("known_issues", []).append(
                {
                    "when": {"backend": ["cpu"]},
                    "reason": "no hand-made stack builds it: " + reasons,
                    "source": "stacks/e4s*/spack.yaml",
                    "date": date,
                    "action": "skip",
                }
            )

    # packages: preferences of stacks/e4s, per product where the key is a product
    defaults = {}
    e4s_packages = stacks["e4s"][0].get("packages", {})
    for key, entry in e4s_packages.items():
        if key in PROFILE_KEYS:
            continue
        cleaned = _clean_package_entry(entry)
        if not cleaned:
            continue
        if key in products:
            products[key].setdefault("packages", {})[key] = cleaned
        else:
            defaults[key] = cleaned

    _fix_tokens(checkout, products)
    # products whose recipe no longer exists (only ever commented out) are dropped
    dropped = sorted(n for n in products if not _recipe_text(checkout, n))
    for name in dropped:
        del products[name]
    tags = tags or {}
    ordered = []
    for name in sorted(products):
        p = products[name]
        p["tags"] = sorted(tags.get(name, [])) or ["uncategorized"]
        key_order = ["name", "spec", "cpu", "tags", "gpu", "overrides", "packages", "known_issues", "provenance"]
        ordered.append({k: p[k] for k in key_order if k in p})

    return {
        "schema": "peso-catalog/v1",
        "name": "e4s",
        "description": "E4S product catalogue seeded from the hand-maintained spack-packages stacks",
        "provenance": {
            "source": "spack/spack-packages stacks/e4s*/spack.yaml",
            "commit": commit,
            "generated_by": "python tools/seed_catalog.py, then edited by hand",
            "dropped_without_recipe": dropped,
        },
        "defaults": {"packages": defaults},
        "products": ordered,
    }


def _recipe_text(checkout, name):
    path = os.path.join(checkout, "repos", "spack_repo", "builtin", "packages", name.replace("-", "_"), "package.py")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def _has_backend_variant(text, backend):
    """Quick static check used only while seeding (the catalogue lint does it properly):
    does the recipe declare the backend switch variant, itself or via its base class?"""
    base = {"cuda": "CudaPackage", "rocm": "ROCmPackage", "sycl": None}[backend]
    if base and re.search(r"class \w+\([^)]*\b%s\b" % base, text):
        return True
    return bool(re.search(r"variant\(\s*[\"']%s[\"']" % backend, text))


def _fix_tokens(checkout, products):
    """A spec taken from a group (no inline tokens) gets ``tokens: none`` when its recipe
    has no backend switch: inline ``+cuda`` on such a root would not concretize."""
    for p in products.values():
        for backend, entry in p.get("gpu", {}).items():
            if entry.get("tokens", "full") == "none":
                continue
            text = _recipe_text(checkout, p["name"])
            if text and not _has_backend_variant(text, backend):
                entry["tokens"] = "none"


def dump(doc):
    """The catalogue's YAML, written the way every spack-peso file is."""
    return yamlio.dump(doc)


def tags_of(catalog_path):
    """``{product: tags}`` of an existing catalogue (the curated tags to keep)."""
    doc = load_yaml(catalog_path) or {}
    return {p["name"]: p.get("tags", []) for p in doc.get("products") or []}


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python tools/seed_catalog.py", description=__doc__.split("\n")[0])
    parser.add_argument("checkout", help="a spack-packages tree ('python -m peso bootstrap' prints one)")
    parser.add_argument("out", help="the catalogue file to write")
    parser.add_argument("--tags-from", default=None, help="keep the tags of this catalogue")
    args = parser.parse_args(argv)
    doc = seed(args.checkout, tags_of(args.tags_from) if args.tags_from else None)
    text = ("# E4S product catalogue, seeded once by `python tools/seed_catalog.py`; edit by hand.\n") + dump(doc)
    atomic_write(args.out, text)
    print("wrote %s: %d products" % (args.out, len(doc["products"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
