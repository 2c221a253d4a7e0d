"""The ``host`` target: a profile synthesised from the machine we run on.

No library detects GPUs for Spack yet (spack/spack#31581, archspec PR #247), so we ask
the vendor tools: ``nvidia-smi --query-gpu=compute_cap`` (NVIDIA), ``rocm_agent_enumerator``
or ``rocminfo`` (AMD), ``sycl-ls`` / ``ze_info`` (Intel Level Zero), and fall back to a
CPU-only profile with a note saying why. Compilers found on PATH are written as Spack 1.x
``gcc`` externals so an offline build needs no ``spack compiler find``.
"""

import os
import re
import shutil
import subprocess

from .model import check_target

PROBE_TIMEOUT = 20


def _run(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def detect_gpu(which=shutil.which, run=_run):
    """``{vendor, backend, arch, note}`` for the first GPU the vendor tools report."""
    if which("nvidia-smi"):
        out = run(["nvidia-smi", "--query-gpu=compute_cap,name", "--format=csv,noheader"])
        if out and out.strip():
            cap, _, model = out.strip().splitlines()[0].partition(",")
            arch = cap.strip().replace(".", "")
            return {
                "vendor": "nvidia",
                "backend": "cuda",
                "arch": arch,
                "model": model.strip(),
                "note": "nvidia-smi compute_cap %s" % cap.strip(),
            }
    for tool in ("rocm_agent_enumerator", "rocminfo"):
        if which(tool):
            out = run([tool])
            gfx = sorted(set(re.findall(r"\b(gfx[0-9a-f]{3,4})\b", out or "")) - {"gfx000"})
            if gfx:
                return {
                    "vendor": "amd",
                    "backend": "rocm",
                    "arch": gfx[0],
                    "note": "%s reports %s" % (tool, ", ".join(gfx)),
                }
    for tool in ("sycl-ls", "ze_info"):
        if which(tool):
            out = run([tool]) or ""
            if re.search(r"level_zero:gpu|Intel\(R\) Data Center GPU|Intel\(R\) .*Graphics", out):
                return {
                    "vendor": "intel",
                    "backend": "sycl",
                    "arch": None,
                    "note": "%s reports a Level Zero GPU" % tool,
                }
    return {
        "vendor": "none",
        "backend": "none",
        "arch": None,
        "note": "no GPU found (nvidia-smi, rocm_agent_enumerator/rocminfo, sycl-ls/ze_info absent or silent): CPU-only",
    }


def detect_os():
    """Spack-style OS name (``debian12``, ``ubuntu22.04``, ``rhel8``, ``sles15``)."""
    info = {}
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                info[k] = v.strip('"')
    except OSError:
        return "unknown"
    ident = info.get("ID", "unknown")
    version = info.get("VERSION_ID", "")
    if ident in ("ubuntu",):
        return ident + version
    if ident in ("rhel", "centos", "rocky", "almalinux", "sles", "opensuse-leap"):
        ident = {"opensuse-leap": "opensuse", "sles": "sles"}.get(ident, ident)
        return ident + version.split(".")[0]
    return ident + version.split(".")[0]


def detect_compilers(which=shutil.which):
    """gcc found on PATH as a Spack 1.x compiler external (or ``{}``)."""
    gcc = which("gcc")
    if not gcc:
        return {}
    version = (_run([gcc, "-dumpfullversion", "-dumpversion"]) or "").strip()
    if not version:
        return {}
    bindir = os.path.dirname(gcc)
    prefix = os.path.dirname(bindir)
    exes = {"c": gcc}
    languages = ["c"]
    for lang, exe in (("cxx", "g++"), ("fortran", "gfortran")):
        path = os.path.join(bindir, exe)
        found = path if os.access(path, os.X_OK) else which(exe)
        if found:
            exes[lang] = found
            languages.append({"cxx": "c++"}.get(lang, lang))
    return {"gcc": {"spec": "gcc@%s languages:='%s'" % (version, ",".join(languages)), "prefix": prefix, "exes": exes}}


def host_target():
    """The validated ``host`` profile."""
    import archspec.cpu

    cpu = archspec.cpu.host()
    gpu = detect_gpu()
    compilers = detect_compilers()
    if not compilers:
        compilers = {"gcc": {"spec": "gcc", "prefix": "/usr", "exes": {}}}
    archs = None
    from .model import data_file

    known = data_file("gpu_archs.yaml")
    if gpu["backend"] == "cuda" and gpu["arch"] not in known["cuda_arch"]:
        archs = gpu["arch"]
    if gpu["backend"] == "rocm" and gpu["arch"] not in known["amdgpu_target"]:
        archs = gpu["arch"]
    if archs:
        gpu = {
            "vendor": gpu["vendor"],
            "backend": "none",
            "arch": None,
            "note": "GPU arch %s is not one Spack accepts: CPU-only" % archs,
        }
    doc = {
        "schema": "peso-target/v1",
        "name": "host",
        "description": "this machine, detected at run time",
        "status": "detected",
        "arch": {"platform": "linux", "os": detect_os(), "target": cpu.name},
        "gpu": gpu,
        "compilers": compilers,
        "default_compiler": "gcc",
        "mpi": {"provider": "mpich"},
        "blas": {"provider": "openblas"},
        "packages_extra": {"mpich": {"require": ["~wrapperrpath ~hwloc"]}},
        "provenance": [
            {
                "fact": "arch.target",
                "source": "archspec.cpu.host() (archspec %s)" % getattr(__import__("archspec"), "__version__", "?"),
            },
            {"fact": "arch.os", "source": "/etc/os-release"},
            {"fact": "gpu", "source": gpu.get("note", "")},
            {"fact": "compilers", "source": "gcc/g++/gfortran on PATH"},
        ],
    }
    if gpu["backend"] == "none":
        doc["gpu"] = {"vendor": "none", "backend": "none", "arch": None, "note": gpu.get("note", "")}
    return check_target(doc, "<host>")
