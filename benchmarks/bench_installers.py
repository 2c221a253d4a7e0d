"""Benchmark (c): two cooperating installers against one, on the demo stack.

What it measures, with real Spack and the demo recipes (the roots that build; the same
concretized environment, one ``spack.lock``, so the same hashes everywhere), each build
in a NEW install tree (``bench_buildcache.Tree``):

- one installer: ``stack build -j C`` (one ``spack install`` using the C cores);
- two cooperating installers: ``stack build --installers 2 -j C/2`` (two ``spack install``
  sharing the tree through Spack's locks, ``stack/run/installers.py``), the same C cores.

The installers run as local processes (the in-job path under Slurm is the same code with
``srun`` as launcher; a one-node test cluster would add only its scheduling delay). For
each build: wall time, the installer's own seconds (``install_seconds``), and, for the
cooperating one, what each installer built and whether any spec was built twice (read
from their logs). The ratio two/one is printed and written with the rest to
``benchmarks/results/installers-demo-<UTC date>.json``.
Usage: ``python benchmarks/bench_installers.py [--cores 2] [--repeat 1] [--work DIR]``;
exit status 0 when both builds built every root and no spec was built twice.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import bench_buildcache as bench  # noqa: E402

from peso.spackcall.runtime import require_spack  # noqa: E402


def built_twice(out):
    folder = os.path.join(out, "installers")
    counts = Counter()
    for name in sorted(os.listdir(folder)):
        if name.startswith("installer-") and name.endswith(".log"):
            with open(os.path.join(folder, name)) as f:
                counts.update(re.findall(r"Successfully installed (\S+-[a-z0-9]{32})", f.read()))
    return sorted(spec for spec, n in counts.items() if n > 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2, help="cores C shared by the installers (-j)")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of builds (one, two), alternated")
    parser.add_argument("--work", help="work directory (default: a new temporary one)")
    args = parser.parse_args()

    spack = require_spack()
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="peso-bench-installers-"))
    prepared = bench.concretized_stack(spack, work, "demo")
    if prepared is None:
        return 2
    base_env, env_dir, roots = prepared

    per_installer_jobs = max(1, args.cores // 2)
    runs = []
    ok = True
    for i in range(args.repeat):
        one = bench.Tree(work, "one-%d" % i, env_dir, base_env, "demo")
        one_wall, one_rc, one_record = one.build("-j", str(args.cores))
        two = bench.Tree(work, "two-%d" % i, env_dir, base_env, "demo")
        two_wall, two_rc, two_record = two.build("--installers", "2", "-j", str(per_installer_jobs))
        twice = built_twice(two.out)
        statuses = {r["package"]: r["status"] for r in two_record["specs"]}
        ok = ok and one_rc == 0 and two_rc == 0 and not twice and set(statuses.values()) == {"BUILT"}
        runs.append(
            {
                "one_installer_s": round(one_wall, 2),
                "one_install_s": one_record["install_seconds"],
                "two_installers_s": round(two_wall, 2),
                "two_install_s": two_record["install_seconds"],
                "ratio": round(two_wall / one_wall, 3),
                "installer_ratio": round(two_record["install_seconds"] / one_record["install_seconds"], 3),
                "built_by": {t["task"]: t["built"] for t in two_record["installers"]["tasks"]},
                "built_twice": twice,
                "statuses": statuses,
            }
        )
        run = runs[-1]
        print(
            "(c) run %d: one installer (-j %d) %.1f s (spack install %.1f s); two installers (-j %d each) %.1f s "
            "(installers %.1f s): %.3fx, installers alone %.3fx"
            % (i, args.cores, one_wall, run["one_install_s"], per_installer_jobs, two_wall, run["two_install_s"],
               run["ratio"], run["installer_ratio"])
        )  # fmt: skip
        print("    built by: %s; built twice: %s" % (run["built_by"], twice or "none"))

    results = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "stack": "demo",
        "roots": roots,
        "cores": args.cores,
        "machine": "%d cores visible (os.cpu_count)" % (os.cpu_count() or 0),
        "launcher": "local processes",
        "runs": runs,
        "ratio_median": sorted(r["ratio"] for r in runs)[len(runs) // 2],
    }
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", "installers-demo-%s.json" % results["date"][:10])
    with open(path, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    print("ratio two/one (median of %d): %.3f" % (len(runs), results["ratio_median"]))
    print("results: %s" % path)
    print("RESULT: %s (work dir %s)" % ("every root built, no spec built twice" if ok else "FAILED", work))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
