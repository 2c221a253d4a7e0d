"""What an installed prefix's binaries say: their symbols (``nm``) and instructions (``objdump``).

Why apart from :mod:`.prefix`: that module reads names and files (layout, headers,
export files); this one runs binutils over the libraries, for the facts only the
compiled code shows: exported symbols (M9/FLP3), process-ending calls (FLP1), calls and
instructions changing signal or floating-point settings (M6) and version calls (M8).
Each function returns ``(value, detail, path in the prefix)``, or None when binutils is
missing (the fact is then not observed).
"""

import os
import re
import shutil
import subprocess
from typing import List, Optional

from .prefix import _DEFINE, _PY_VERSION, Contents, names, tokens_of

#: linker and runtime names every shared library defines, and what C++ adds around a name
_TOOLCHAIN = re.compile(r"^(_init|_fini|_edata|_end|__bss_start|_ITM_\w+|__gmon_start__|__cxa_\w+|__dso_handle)$")
_CXX_WRAPPERS = re.compile(
    r"^(typeinfo name for|typeinfo for|vtable for|VTT for|construction vtable for|"
    r"guard variable for|non-virtual thunk to|virtual thunk to|covariant return thunk to)\s+"
)


def exported_names(prefix: str, c: Contents) -> Optional[List[str]]:
    """Names the libraries define for their users (strong globals; a C++ name by its
    outermost namespace or class), and every macro the installed headers define."""
    nm = shutil.which("nm")
    if not nm:
        return None
    found = set()
    for library in _real_libs(prefix, c):
        dynamic = ["-D"] if ".so" in library else []
        proc = subprocess.run(
            [nm, *dynamic, "-C", "--defined-only", os.path.join(prefix, library)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        for line in proc.stdout.splitlines():
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[1] not in "TDBRGSC":  # weak (W/V/u) names are inline instances
                continue
            name = _CXX_WRAPPERS.sub("", parts[2].split("@")[0].strip())
            name = name.split("(")[0].split("<")[0].split("::")[0].strip()
            if name and not _TOOLCHAIN.match(name):
                found.add(name)
    for h in c.headers:
        with open(os.path.join(prefix, h), "rb") as f:
            text = f.read(200_000).decode("utf-8", "replace")
        found |= {m.group(1) for m in _DEFINE.finditer(text)}
    return sorted(found)


def symbols(prefix: str, c: Contents, package: str):
    """M9/FLP3 name the symbols and macros too: each exported symbol (C name, or C++
    outermost namespace or class) and each macro of the installed headers must carry the
    product's name for the namespace to be "limited and well-defined"."""
    if not c.headers and not c.libs:
        return ("not-native" if c.python else "nothing"), "no header and no library installed", ""
    names_found = exported_names(prefix, c)
    if names_found is None:
        return None
    tokens = tokens_of(package)
    other = [n for n in names_found if not any(t in n.lower().replace("_", "").replace("-", "") for t in tokens)]
    if other:
        return (
            "unclear",
            "%d of %d exported symbols and macros without %s: %s"
            % (len(other), len(names_found), "/".join(tokens), ", ".join(other[:8])),
            "",
        )
    return "namespaced", "all %d exported symbols and macros carry %s" % (len(names_found), "/".join(tokens)), ""


def _nm(args: List[str]) -> Optional[List[str]]:
    nm = shutil.which("nm")
    if not nm:
        return None
    proc = subprocess.run([nm, *args], capture_output=True, text=True, timeout=120)
    return [line.split()[-1].split("@")[0] for line in proc.stdout.splitlines() if line.split()]


def _real_libs(prefix: str, c: Contents) -> List[str]:
    seen, libs = set(), []
    for library in c.libs:
        real = os.path.realpath(os.path.join(prefix, library))
        if real not in seen and os.path.isfile(real):
            seen.add(real)
            libs.append(library)
    return libs


def _imports(prefix: str, c: Contents, symbols):
    """``[(library, path, sorted wanted symbols it imports)]`` for every real library,
    or ``None`` when ``nm`` cannot read one."""
    wanted = set(symbols)
    found = []
    for lib in _real_libs(prefix, c):
        path = os.path.join(prefix, lib)
        undefined = _nm((["-D"] if ".so" in lib else []) + ["--undefined-only", path])
        if undefined is None:
            return None
        found.append((lib, path, sorted(wanted & set(undefined))))
    return found


def terminate(prefix: str, c: Contents):
    if not c.libs:
        return ("not-native" if c.python else "nothing"), "no library installed", ""
    imported = _imports(prefix, c, names()["terminate_symbols"])
    if imported is None:
        return None
    calls = ["%s imports %s" % (lib, ", ".join(hit)) for lib, _path, hit in imported if hit]
    if calls:
        return "calls", "; ".join(calls[:4]), calls[0].split(" ")[0]
    return "clean", "no library imports exit, abort, MPI_Abort or Fortran STOP", ""


def settings(prefix: str, c: Contents):
    """xSDK M6: a library that imports no call changing signal or floating-point exception
    handlers (or the like, ``settings_symbols``) and sets no floating-point control register
    itself (``settings_instructions``, read with ``objdump -d``) cannot override what another
    package decided. One that does may still offer a way to prevent it: that needs review."""
    if not c.libs:
        return ("not-native" if c.python else "nothing"), "no library installed", ""
    objdump = shutil.which("objdump")
    if not objdump:
        return None
    instructions = re.compile("|".join(names()["settings_instructions"]))
    imported = _imports(prefix, c, names()["settings_symbols"])
    if imported is None:
        return None
    found = []
    for library, path, hit in imported:
        proc = subprocess.run([objdump, "-d", "--no-show-raw-insn", path], capture_output=True, text=True, timeout=300)
        hit += sorted({m.group(0) for m in instructions.finditer(proc.stdout)})
        if hit:
            found.append("%s uses %s" % (library, ", ".join(hit)))
    if found:
        return "changes", "; ".join(found[:4]), found[0].split(" ")[0]
    return (
        "untouched",
        "no library imports a call that changes signal, FPE or similar settings, or sets a floating-point control register",
        "",
    )


def version_api(prefix: str, c: Contents):
    if c.libs:
        for library in _real_libs(prefix, c):
            if ".so" not in library:
                continue
            symbols = _nm(["-D", "--defined-only", os.path.join(prefix, library)])
            if symbols is None:
                return None
            hits = sorted(s for s in symbols if "version" in s.lower())
            if hits:
                return "found", "%s exports %s" % (library, ", ".join(hits[:3])), library
        return "not-found", "no exported symbol with 'version' in its name", ""
    if c.python:
        for folder, _, files in os.walk(prefix):
            for name in ("__init__.py", "version.py", "_version.py", "__about__.py"):
                if name in files and "site-packages" in folder:
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8", errors="replace") as f:
                        if _PY_VERSION.search(f.read(100_000)):
                            return "found", "Python module with __version__", os.path.relpath(path, prefix)
        return "not-found", "no __version__ in the installed Python modules", ""
    return "nothing", "no library installed", ""
