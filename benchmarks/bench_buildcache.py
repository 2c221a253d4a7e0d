"""Benchmark: build once, install anywhere; package-level parallel builds.

What it measures, in one run on this machine, with real Spack and the demo recipes
(``environments/catalog/demo.yaml``; the roots that build, ``peso-demo-broken`` and the
``peso-demo-docs`` bundle left out), each install in a NEW install tree (own scope from
``demo/spack_scope.py``) of the same concretized environment (one ``spack.lock``, so the
same hashes everywhere):

(a) ``stack build`` from source, then ``stack build --buildcache C --unsigned`` (the push,
    timed apart), then a fresh tree with ``stack build --use-buildcache C --unsigned``:
    the ratio cache/source (goal <= 0.15) and that nothing was compiled there (no
    ``Executing phase`` line in its install log, every root's record says ``source: cache``);
(b) ``stack build -j N`` (today: one ``spack install``) against ``stack build
    --parallel-packages N`` (Spack's depfile under ``make -k -j N``) on the same N cores:
    the ratio, and where the time goes (per package, from the ``install_times.json``
    Spack writes into each prefix: the sum of package times against the wall time).

Results are printed and written to ``benchmarks/results/buildcache-<UTC date>.json``.
Usage: ``python benchmarks/bench_buildcache.py [--cores 2] [--work DIR]``; exit status 0
when the cache goal is met and nothing was compiled from the cache.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "demo"))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))

import make_tarballs  # noqa: E402
import spack_scope  # noqa: E402

from peso.spackcall.runtime import require_spack  # noqa: E402

#: name -> (target, catalogue, roots or None for every root, host externals in the scope)
#: (the demo is concretized together, unify:true, as its tests do: one solve, not seven)
STACKS = {
    "demo": (
        "host",
        "demo.yaml",
        ["peso-demo-lib", "peso-demo-app", "peso-demo-data", "peso-demo-fail", "peso-demo-hang"],
        True,
    ),
    "real": ("debian12", "e4s-real.yaml", None, False),
}
CACHE_GOAL = 0.15
PADDED = ["config:install_tree:padded_length:128"]


def unify(target):
    return ["-c", "concretizer:unify:true"] if target == "host" else []


class Tree:
    """A new install tree for the concretized environment: its own scope and out dir."""

    def __init__(self, work, name, env_dir, base_env, stack):
        self.target, _, self.roots, externals = STACKS[stack]
        self.folder = os.path.join(work, name)
        self.scope = spack_scope.write_scope(self.folder, host_externals=externals)
        self.mirror = os.environ.get("PESO_SOURCE_MIRROR") or os.path.join(
            os.path.dirname(ROOT), "shared", "spack", "mirror"
        )
        self.env_dir = os.path.join(self.folder, "env")
        os.makedirs(self.env_dir)
        for file in ("spack.yaml", "spack.lock"):
            shutil.copy(os.path.join(env_dir, file), self.env_dir)
        self.out = os.path.join(self.folder, "out")
        self.env = dict(base_env, SPACK_USER_CONFIG_PATH=os.path.join(self.folder, "user-config"))

    def build(self, *extra, config=()):
        """``stack build`` of the roots: (wall seconds, exit status, record)."""
        argv = [sys.executable, "-m", "peso", "stack", "build", "--target", self.target, "--env", self.env_dir]
        argv += ["-C", self.scope, *unify(self.target), *[x for c in config for x in ("-c", c)], "--out", self.out]
        argv += ["--only", ",".join(self.roots)] if self.roots else ["--mirror", self.mirror]
        started = time.monotonic()
        proc = subprocess.run([*argv, *extra], capture_output=True, text=True, env=self.env)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
        with open(os.path.join(self.out, "build.json")) as f:
            return wall, proc.returncode, json.load(f)

    def compiled(self):
        with open(os.path.join(self.out, "install.log")) as f:
            return sorted({x.split(":")[0][4:] for x in f if ": Executing phase:" in x})

    def package_times(self):
        """Seconds per package from the ``install_times.json`` of each prefix this tree built."""
        times = {}
        for path in glob.glob(os.path.join(self.folder, "install", "*", "*", ".spack", "install_times.json")):
            with open(path) as f:
                data = json.load(f)
            name = os.path.basename(os.path.dirname(os.path.dirname(path))).rsplit("-", 2)[0]
            times[name] = round(float(data.get("total", 0.0)), 2)
        return times


def concretized_stack(spack, work, stack):
    """``(base_env, env_dir, roots)``: the stack generated and concretized once in
    ``work`` for every install tree a benchmark builds (None when generating fails)."""
    make_tarballs.build_all()
    base_env = spack_scope.isolated_env(work)
    base_env["SPACK_ROOT"] = os.path.dirname(os.path.dirname(os.path.realpath(spack)))
    base_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.path.join(ROOT, "spack-peso"), base_env.get("PYTHONPATH")) if p
    )
    target, catalog, roots, externals = STACKS[stack]
    env_dir = os.path.join(work, "env")
    gen = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "generate", "--target=" + target, "--catalog",
         os.path.join(ROOT, "environments", "catalog", catalog), "-o", env_dir],
        capture_output=True, text=True, env=base_env,
    )  # fmt: skip
    if gen.returncode != 0:
        print(gen.stdout, gen.stderr)
        return None
    scope = spack_scope.write_scope(os.path.join(work, "concretize"), host_externals=externals)
    subprocess.run(
        [spack, "-C", scope, *unify(target), "-e", env_dir, "concretize"],
        check=True, capture_output=True, env=base_env,
    )  # fmt: skip
    return base_env, env_dir, roots


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2, help="N for -j N and --parallel-packages N")
    parser.add_argument("--work", help="work directory (default: a new temporary one)")
    parser.add_argument(
        "--stack", choices=sorted(STACKS), default="demo", help="demo, or real (debian12, source mirror)"
    )
    parser.add_argument("--parts", default="a,b", help="a (cache), b (parallel packages), or both")
    args = parser.parse_args()

    spack = require_spack()
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="peso-bench-cache-"))
    prepared = concretized_stack(spack, work, args.stack)
    if prepared is None:
        return 2
    base_env, env_dir, roots = prepared
    results = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "stack": args.stack,
        "roots": roots or "all",
        "cores": args.cores,
    }
    parts = set(args.parts.split(","))
    ok = True

    if "a" in parts:
        results["cache"] = part_a(work, env_dir, base_env, args)
        cache = results["cache"]
        ok = cache["ratio"] <= CACHE_GOAL and not cache["compiled_from_cache_tree"]
        ok = ok and set(cache["root_sources"].values()) == {"cache"}
    if "b" in parts:
        results["parallel"] = part_b(work, env_dir, base_env, args)

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", "buildcache-%s-%s.json" % (args.stack, results["date"][:10]))
    with open(path, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    print("results: %s" % path)
    print("RESULT: %s (work dir %s)" % ("cache goal met, nothing compiled" if ok else "CACHE GOAL MISSED", work))
    return 0 if ok else 1


def part_a(work, env_dir, base_env, args):
    """Source build, push, then a fresh install tree from the cache."""
    cache = os.path.join(work, "cache")
    source = Tree(work, "source", env_dir, base_env, args.stack)
    # a cache producer pads its install prefixes (as Spack CI does): binaries that embed
    # their prefix as a string relocate only into a prefix no longer than the original
    source_wall, rc, built = source.build("-j", str(args.cores), config=PADDED)
    push_wall, push_rc, pushed = source.build("--buildcache", cache, "--unsigned", config=PADDED)
    from_cache = Tree(work, "from-cache", env_dir, base_env, args.stack)
    cache_wall, cache_rc, record = from_cache.build("--use-buildcache", cache, "--unsigned")
    sources = {r["package"]: r.get("source") for r in record["specs"]}
    compiled = from_cache.compiled()
    ratio = cache_wall / source_wall
    installer_ratio = record["install_seconds"] / built["install_seconds"]
    print("(a) source build %.1f s (spack install %.1f s; exit %d); push %.1f s (exit %d, %d specs)"
          % (source_wall, built["install_seconds"], rc, push_wall, push_rc,
             len(pushed.get("buildcache_push", {}).get("pushed", []))))  # fmt: skip
    print("    fresh install tree from the cache %.1f s (spack install %.1f s; exit %d): %.3fx the source build "
          "(goal <= %.2fx); installer alone %.3fx"
          % (cache_wall, record["install_seconds"], cache_rc, ratio, CACHE_GOAL, installer_ratio))  # fmt: skip
    print("    roots' source: %s; packages compiled there: %s" % (sources, compiled or "none"))
    return {
        "source_build_s": round(source_wall, 2),
        "source_install_s": built["install_seconds"],
        "push_s": round(push_wall, 2),
        "pushed": pushed.get("buildcache_push", {}).get("pushed", []),
        "install_from_cache_s": round(cache_wall, 2),
        "cache_install_s": record["install_seconds"],
        "ratio": round(ratio, 3),
        "installer_ratio": round(installer_ratio, 3),
        "goal": CACHE_GOAL,
        "root_sources": sources,
        "compiled_from_cache_tree": compiled,
        "source_package_s": source.package_times(),
    }


def part_b(work, env_dir, base_env, args):
    """One ``spack install -j N`` against the depfile under ``make -j N``, same cores."""
    serial = Tree(work, "one-installer", env_dir, base_env, args.stack)
    serial_wall, serial_rc, serial_record = serial.build("-j", str(args.cores))
    parallel = Tree(work, "parallel-packages", env_dir, base_env, args.stack)
    parallel_wall, parallel_rc, parallel_record = parallel.build("--parallel-packages", str(args.cores))
    for name, tree, wall, record in (
        ("one installer", serial, serial_wall, serial_record),
        ("parallel packages", parallel, parallel_wall, parallel_record),
    ):
        times = tree.package_times()
        print("(b) %s: %.1f s wall, installer %.1f s; package times summed %.1f s: %s"
              % (name, wall, record["install_seconds"], sum(times.values()), times))  # fmt: skip
    ratio = parallel_wall / serial_wall
    installer_ratio = parallel_record["install_seconds"] / serial_record["install_seconds"]
    print("    --parallel-packages %d / -j %d: %.3fx wall, %.3fx installer alone (exit %d / %d)"
          % (args.cores, args.cores, ratio, installer_ratio, parallel_rc, serial_rc))  # fmt: skip
    return {
        "one_installer_s": round(serial_wall, 2),
        "one_installer_install_s": serial_record["install_seconds"],
        "parallel_packages_s": round(parallel_wall, 2),
        "parallel_packages_install_s": parallel_record["install_seconds"],
        "ratio": round(ratio, 3),
        "installer_ratio": round(installer_ratio, 3),
        "one_installer_package_s": serial.package_times(),
        "parallel_package_s": parallel.package_times(),
    }


if __name__ == "__main__":
    sys.exit(main())
