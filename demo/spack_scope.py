"""Write an isolated Spack configuration scope for the demo stack, its tests and benchmark.

Why a scope directory (passed as ``spack -C DIR``) rather than edits to the generated
``spack.yaml``: the generated environment stays exactly what ``stack generate`` rendered,
while everything machine- or run-specific lives here:

- ``config.yaml``: install tree, build stage, test stage and source cache inside the work
  directory, so nothing leaks into the user's ``~/.spack`` or a shared install tree;
- ``packages.yaml``: the host compiler as an external of ``gcc`` (Spack 1.x compilers are
  nodes) plus ``cmake``/``gmake`` externals, written directly: no slow ``compiler find``;
- ``repos.yaml``: the offline ``compiler-wrapper`` overlay (the generated environment
  names the ``peso`` repo itself, from the catalogue's ``repos:``).

Usage: ``python demo/spack_scope.py WORK_DIR [--config-only]`` prints the scope directory;
``python demo/spack_scope.py SCOPE_DIR --curated`` writes the curation-repository scope.
"""

import os
import re
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(HERE)
PESO_REPO = os.path.join(CHECKOUT, "repo", "spack_repo", "peso")
OFFLINE_REPO = os.path.join(HERE, "offline_repo", "spack_repo", "peso_offline")


def _version(cmd, pattern):
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    found = re.search(pattern, out)
    return found.group(1) if found else None


def host_packages() -> dict:
    """``packages:`` config for the host's gcc, cmake and make, detected without Spack."""
    packages = {}
    gcc, gxx = shutil.which("gcc"), shutil.which("g++")
    if gcc:
        version = _version([gcc, "-dumpfullversion"], r"(\d+(?:\.\d+)*)")
        compilers = {"c": gcc}
        languages = ["c"]
        if gxx:
            compilers["cxx"] = gxx
            languages.append("c++")
        packages["gcc"] = {
            "externals": [
                {
                    "spec": "gcc@%s languages:='%s'" % (version, ",".join(languages)),
                    "prefix": os.path.dirname(os.path.dirname(gcc)),
                    "extra_attributes": {"compilers": compilers},
                }
            ],
            "buildable": False,
        }
    for name, exe, pattern in (
        ("cmake", "cmake", r"cmake version (\S+)"),
        ("gmake", "make", r"GNU Make (\S+)"),
    ):
        path = shutil.which(exe)
        if path:
            version = _version([path, "--version"], pattern)
            packages[name] = {
                "externals": [{"spec": "%s@%s" % (name, version), "prefix": os.path.dirname(os.path.dirname(path))}],
                "buildable": False,
            }
    return packages


def write_scope(work_dir: str, with_peso_repo: bool = False, host_externals: bool = True) -> str:
    """Write ``<work_dir>/scope/*.yaml``; return the scope directory.

    ``host_externals=False`` writes only ``config.yaml`` and an empty ``mirrors::``: for a
    stack whose target profile already names every external and whose sources come from a
    ``--mirror`` (the real-product stack on the debian12 target).
    """
    work_dir = os.path.abspath(work_dir)
    scope = os.path.join(work_dir, "scope")
    os.makedirs(scope, exist_ok=True)
    files = {
        "config.yaml": {
            "config": {
                "install_tree": {"root": os.path.join(work_dir, "install")},
                "build_stage": [os.path.join(work_dir, "build-stage")],
                "test_stage": os.path.join(work_dir, "test-stage"),
                "source_cache": os.path.join(work_dir, "source-cache"),
            }
        },
    }
    if host_externals:
        files["packages.yaml"] = {"packages": host_packages()}
        files["repos.yaml"] = {
            "repos": dict({"peso_offline": OFFLINE_REPO}, **({"peso": PESO_REPO} if with_peso_repo else {}))
        }
    for name, content in files.items():
        with open(os.path.join(scope, name), "w") as f:
            yaml.safe_dump(content, f, default_flow_style=False, sort_keys=False)
    # No mirrors at all (``::`` replaces the default spack-public mirror): offline runs
    # should not wait for DNS. PyYAML would quote the ``::`` key, so it is written as text.
    with open(os.path.join(scope, "mirrors.yaml"), "w") as f:
        f.write("mirrors:: {}\n")
    return scope


def write_repo_scope(scope: str) -> str:
    """A scope holding only ``repos.yaml`` with the curation repository: given after the
    other ``-C`` scopes it puts ``repo/spack_repo/peso`` ahead of builtin, so its curated
    recipes replace the builtin ones of the same name."""
    os.makedirs(scope, exist_ok=True)
    with open(os.path.join(scope, "repos.yaml"), "w") as f:
        yaml.safe_dump({"repos": {"peso": PESO_REPO}}, f, default_flow_style=False)
    return scope


def isolated_env(work_dir: str, base=None) -> dict:
    """Process environment keeping Spack away from ``~/.spack`` (config and caches).

    The user cache (repository indexes) is shared between runs on purpose: indexing the
    8,900 builtin recipes takes minutes on a cold cache.
    """
    env = dict(os.environ if base is None else base)
    env["SPACK_DISABLE_LOCAL_CONFIG"] = "1"
    env["SPACK_USER_CONFIG_PATH"] = os.path.join(os.path.abspath(work_dir), "user-config")
    env.setdefault(
        "SPACK_USER_CACHE_PATH",
        os.path.join(os.path.expanduser("~"), ".cache", "spack-peso-tests", "spack-user-cache"),
    )
    return env


if __name__ == "__main__":
    if "--curated" in sys.argv[2:]:
        print(write_repo_scope(sys.argv[1]))
    else:
        print(write_scope(sys.argv[1], host_externals="--config-only" not in sys.argv[2:]))
