"""The installed prefix as evidence: where headers and libraries went and what they are called.

Why read prefixes: xSDK M13 (headers under include/, libraries under lib/, no version in
library names except sonames), M9 / E4S FLP3 (namespaced names, symbols and macros,
no top-level ``utils.h`` or ``libutil``), R5 (pkg-config or CMake package files export
the dependency list), R8 (version macros), M8 (a runtime version call), FLP1 (libraries
do not call ``exit``/``abort`` themselves) and M6 (libraries do not change signal or
floating-point exception settings) are facts of the installation, not of the recipe. A prefix is any folder with Spack's ``.spack/spec.json``, so the install tree
(or a single prefix) passed as ``--evidence`` is enough; the package, version, hash
and CPU target come from that file.

Values the ladders read: ``nothing`` (the prefix installs no header or library, so a
library policy has no subject), ``not-native`` (a Python package: the header/library
checks do not apply and decide nothing). Symbols are read with binutils ``nm`` and
instructions with ``objdump``; without them those facts are simply not observed.
"""

import json
import os
import re
from functools import lru_cache
from typing import Dict, List, Optional

import yaml

from ...errors import PesoError
from . import Observation, display_path, file_date

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "prefix_names.yaml")
_LIB = re.compile(r"^lib(?P<stem>.+?)\.(?P<kind>so(\.\d+)*|a|dylib)$")


def _lib_stem(path: str) -> str:
    """``libHYPRE-2.26.0.so`` -> ``HYPRE-2.26.0`` (the file name itself when not a library name)."""
    found = _LIB.match(os.path.basename(path))
    return found.group("stem") if found else os.path.basename(path)


_VERSIONED = re.compile(r"[-_.]?\d+(\.\d+)+$")
#: a version or release macro, and one whose value is a number (comparable with #if)
_VERSION_MACRO = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+(\w*(?:VERSION|RELEASE)\w*)[ \t]+(\S[^\n]*)", re.MULTILINE | re.IGNORECASE
)
_NUMERIC = re.compile(r"^\(?\s*\d+[uUlL]*\s*\)?\s*(/[*/].*)?$")
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)\b", re.MULTILINE)
_PY_VERSION = re.compile(r"^__version__\s*[:=]|^from\s+\S*version\S*\s+import|^version\s*[:=]", re.MULTILINE)


@lru_cache(maxsize=1)
def names() -> dict:
    with open(DATA, encoding="utf-8") as f:
        return yaml.safe_load(f)


def spec_of(prefix: str) -> dict:
    """name, version, hash and target of the prefix's root spec (Spack's spec.json)."""
    path = os.path.join(prefix, ".spack", "spec.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        node = data["spec"]["nodes"][0]
        arch = node.get("arch") or {}
        target = arch.get("target")
        if isinstance(target, dict):
            target = target.get("name")
        if not isinstance(node["name"], str) or not isinstance(arch, dict):
            raise TypeError(node["name"])
    except ValueError as e:  # not JSON, or not UTF-8
        raise PesoError("not a Spack spec.json (%s)" % " ".join(str(e).split())[:120], path=path)
    except (LookupError, TypeError, AttributeError):
        raise PesoError("not a Spack spec.json (needs spec.nodes[0] with a name)", path=path)
    return {
        "name": node["name"],
        "version": str(node.get("version", "")),
        "hash": node.get("hash", ""),
        "target": target or "",
        "os": (node.get("arch") or {}).get("platform_os", ""),
    }


def family_of(target: str) -> str:
    try:
        import archspec.cpu

        return str(archspec.cpu.TARGETS[target].family)
    except Exception:
        return target if target in ("x86_64", "aarch64", "ppc64le", "ppc64", "riscv64") else ""


def tokens_of(package: str) -> List[str]:
    """Namespace words of a package: ``darshan-runtime`` -> ``darshan``, ``py-foo-bar`` -> ``foobar, foo, bar``."""
    parts = [p for p in re.split(r"[-_]", package.lower()) if p and p not in names()["name_noise"]]
    found = ["".join(parts)] + [p for p in parts if len(p) >= 3]
    return [t for t in dict.fromkeys(found) if len(t) >= 3]


class Contents:
    """Headers, libraries and Python modules of one prefix (relative paths)."""

    def __init__(self, prefix: str):
        n = names()
        self.headers: List[str] = []
        self.libs: List[str] = []
        self.python = False
        for folder, subdirs, files in os.walk(prefix):
            rel = os.path.relpath(folder, prefix)
            first = rel.split(os.sep)[0]
            if first == ".spack":
                subdirs[:] = []
                continue
            if re.match(r"lib(64)?$", first) and re.search(r"(^|/)python[\d.]*(/|$)", rel.replace(os.sep, "/")):
                self.python = True
                subdirs[:] = []
                continue
            for name in files:
                path = os.path.join(rel, name) if rel != "." else name
                if _LIB.match(name):
                    self.libs.append(path)
                elif os.path.splitext(name)[1] in n["header_suffixes"]:
                    if not set(path.split(os.sep)[:-1]) & set(n["not_api_dirs"]):
                        self.headers.append(path)
        self.headers.sort()
        self.libs = sorted(set(self.libs))


def layout(c: Contents):
    """xSDK M13: headers under include/, libraries under lib/, no version in their names
    (sonames such as ``libfoo.so.1.2`` are allowed); lib64/ is not what M13 names."""
    misplaced = [h for h in c.headers if not h.startswith("include" + os.sep)]
    misplaced += [lib for lib in c.libs if not re.match(r"lib(64)?/", lib.replace(os.sep, "/"))]
    if misplaced:
        return "misplaced", "outside include/ or lib/: " + ", ".join(misplaced[:5]), misplaced[0]
    versioned = [lib for lib in c.libs if _VERSIONED.search(_lib_stem(lib))]
    versioned += [h for h in c.headers if _VERSIONED.search(os.path.splitext(os.path.basename(h))[0])]
    if versioned:
        return "versioned-name", "version in the name (not a soname suffix): " + ", ".join(versioned[:5]), versioned[0]
    if not c.headers and not c.libs:
        return ("not-native" if c.python else "nothing"), "no header and no library installed", ""
    lib64 = [lib for lib in c.libs if lib.replace(os.sep, "/").startswith("lib64/")]
    if lib64:
        return "lib64", "libraries under lib64/, not lib/: " + ", ".join(lib64[:3]), lib64[0]
    return "ok", "%d headers under include/, %d libraries under lib/" % (len(c.headers), len(c.libs)), ""


def namespacing(prefix: str, c: Contents, package: str):
    """Header and library names (and generic macro names in headers) against M9/FLP3.

    Exported symbols are not judged here, so "namespaced" only supports the policy; a
    generic name found is a real violation."""
    n = names()
    tokens = tokens_of(package)
    if not c.headers and not c.libs:
        return ("not-native" if c.python else "nothing"), "no header and no library installed", ""

    def named(word):
        word = word.lower().replace("-", "").replace("_", "")
        return any(t in word for t in tokens)

    generic: list = []
    unclear: list = []
    for h in c.headers:
        parts = h.split(os.sep)[1:]  # below include/
        if len(parts) > 1:  # in a folder: the folder is the namespace
            if parts[0].lower() in n["generic_headers"] and not named(parts[0]):
                generic.append(h)
            continue
        stem = os.path.splitext(parts[0])[0] if parts else ""
        if named(stem):
            continue
        (generic if stem.lower() in n["generic_headers"] else unclear).append(h)
    for lib in c.libs:
        stem = _lib_stem(lib)
        if named(stem):
            continue
        (generic if stem.lower() in n["generic_libraries"] else unclear).append(lib)
    generic_macros = set(n["generic_macros"])
    for h in c.headers:
        with open(os.path.join(prefix, h), "rb") as f:
            text = f.read(200_000).decode("utf-8", "replace")
        hits = sorted({m.group(1) for m in _DEFINE.finditer(text)} & generic_macros)
        if hits:
            generic.append("%s defines %s" % (h, ", ".join(hits)))
    if generic:
        return "generic", "generic names any product could install: " + ", ".join(generic[:6]), generic[0].split(" ")[0]
    if unclear:
        return (
            "unclear",
            "%d names without the product's name (%s): %s" % (len(unclear), "/".join(tokens), ", ".join(unclear[:6])),
            unclear[0],
        )
    return "namespaced", "every header is in a folder or carries %s, every library too" % "/".join(tokens), ""


def export(prefix: str, c: Contents):
    if not c.libs:
        return ("not-native" if c.python else "nothing"), "no library installed", ""
    found = []
    for folder, subdirs, files in os.walk(prefix):
        subdirs[:] = [d for d in subdirs if d != ".spack"]
        for name in files:
            rel = os.path.relpath(os.path.join(folder, name), prefix)
            if (
                name.endswith(".pc")
                and os.path.basename(folder) == "pkgconfig"
                or re.search(r"(Config|-config)\.cmake$", name)
                or rel.startswith("bin" + os.sep)
                and name.endswith("-config")
                or name.endswith((".mk", "Makefile.inc", "Makefile.export"))
            ):
                found.append(rel)
    if found:
        return "present", "exports its link line: " + ", ".join(sorted(found)[:4]), sorted(found)[0]
    return "absent", "libraries but no pkg-config .pc, CMake package config, bin/*-config script or make include", ""


def version_macros(prefix: str, c: Contents):
    """R8: a numeric version/release macro lets ``#if`` compare versions; a string one does not."""
    if not c.headers:
        return ("not-native" if c.python else "nothing"), "no header installed", ""
    string_only = None
    for h in c.headers:
        with open(os.path.join(prefix, h), "rb") as f:
            text = f.read(200_000).decode("utf-8", "replace")
        for m in _VERSION_MACRO.finditer(text):
            line = text[: m.start()].count("\n") + 1
            if _NUMERIC.match(m.group(2).strip()):
                return "present", "#define %s %s" % (m.group(1), m.group(2).strip()[:40]), "%s:%d" % (h, line)
            string_only = string_only or ("#define %s %s" % (m.group(1), m.group(2).strip()[:40]), "%s:%d" % (h, line))
    if string_only:
        return "string-only", "only non-numeric version macros (%s)" % string_only[0], string_only[1]
    return "absent", "no version or release macro in %d installed headers" % len(c.headers), ""


def observe(prefix: str) -> List[Observation]:
    spec = spec_of(prefix)
    package = spec["name"]
    date = file_date(os.path.join(prefix, ".spack", "spec.json"))
    where = display_path(prefix)
    c = Contents(prefix)
    out = [Observation(package, "prefix.hash", spec["hash"], where, date, spec["version"])]
    family = family_of(spec["target"])
    if family:
        out.append(
            Observation(
                package,
                "prefix.arch_family",
                family,
                where + "/.spack/spec.json",
                date,
                "installed for %s (%s family)" % (spec["target"], family),
            )
        )
    from . import prefix_binaries as binaries  # it reads this module's Contents and names

    checks = {
        "prefix.layout": layout(c),
        "prefix.namespacing": namespacing(prefix, c, package),
        "prefix.symbols": binaries.symbols(prefix, c, package),
        "prefix.export": export(prefix, c),
        "prefix.version_macros": version_macros(prefix, c),
        "prefix.terminate": binaries.terminate(prefix, c),
        "prefix.settings": binaries.settings(prefix, c),
        "prefix.version_api": binaries.version_api(prefix, c),
    }
    for fact, result in checks.items():
        if result is None:
            continue
        value, detail, rel = result
        out.append(Observation(package, fact, value, where + ("/" + rel if rel else ""), date, detail))
    return out


def read(prefixes: List[str], hashes: Optional[Dict[str, set]] = None) -> List[Observation]:
    """Facts of every prefix; with ``hashes`` (package -> built hashes) only those builds' prefixes."""
    out = []
    for prefix in prefixes:
        try:
            spec = spec_of(prefix)
        except (OSError, ValueError, KeyError, IndexError):
            continue
        if hashes and spec["name"] in hashes and spec["hash"] not in hashes[spec["name"]]:
            continue
        out += observe(prefix)
    return out
