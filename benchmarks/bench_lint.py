"""Benchmark `peso lint` on a full recipe repository against the parse floor and `spack audit`.

Runs, in one go and on the same machine:

1. the floor: find, read and ``ast.parse`` every recipe in ``--jobs`` forked workers
   (``parse_floor.py``), what any linter must at least do;
2. a cold lint (empty cache) of the whole repository with ``--jobs`` workers,
3. a warm lint (same cache, nothing changed),
4. the floor again (the machine is shared: the two floors bracket the lint runs),
5. ``spack audit packages`` on a fixed random sample of the same recipes,

and prints wall and CPU times, the ratios cold/floor and warm/floor (targets: cold <= 3.3x,
warm <= 0.3x), peak memory of the lint process tree (sum of the RSS of the parent
and its workers, sampled from /proc, plus ``RUSAGE_CHILDREN`` max RSS; target < 300 MiB),
the load average, the number of files seen versus reported on (JUnit test cases), and the
per-recipe speed ratio against audit. The repository defaults to the provisioned
reference builtin repository (``python -m peso bootstrap``).

The machine is usually shared, so the whole cycle (floor, cold, warm, floor) runs
``--repeat`` times and the ratios are printed per round and as min/median/max; targets are
judged on the median. spack-peso runs from a byte-compiled copy, as ``pip install`` leaves
it (``--as-is``: from this checkout, compiling its modules on every start when
``PYTHONDONTWRITEBYTECODE`` is set).

    python benchmarks/bench_lint.py [--repo PATH] [--jobs 2] [--repeat 3] [--sample 20] [--realtime]
"""

import argparse
import compileall
import glob
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = os.path.join(os.path.dirname(HERE), "spack-peso")
FLOOR = os.path.join(HERE, "parse_floor.py")
#: cold and warm wall time as multiples of the parse floor, peak memory of the lint tree
#: (issue 21: the cross-recipe rules may not make a cold run slower than the 3.3x it was)
TARGETS = {"cold_ratio": 3.3, "warm_ratio": 0.3, "peak_mib": 300.0}


def provisioned():
    """The provisioned Spack and reference builtin repository (no machine paths in the project)."""
    sys.path.insert(0, EXT)
    from peso.spackcall import provision

    return provision.locate(with_packages=True)


def default_repo() -> str:
    found = provisioned()
    if found is None or not getattr(found, "builtin", None):
        sys.exit("no reference builtin repository: run 'python -m peso bootstrap' or pass --repo")
    return found.builtin


def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    out = list(kids)
    for k in kids:
        out.extend(_children(k))
    return out


def _rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd, env=None, cwd=None):
    """Run ``cmd``; return (wall s, return code, peak tree RSS MiB, peak tree PSS MiB, CPU s)."""
    peak = {"rss": 0, "pss": 0}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    done = threading.Event()

    def sample():
        while not done.is_set():
            pids = [proc.pid] + _children(proc.pid)
            peak["rss"] = max(peak["rss"], sum(_rss_kib(p) for p in pids))
            peak["pss"] = max(peak["pss"], sum(_pss_kib(p) for p in pids))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode(errors="replace")[-3000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, proc.returncode, peak["rss"] / 1024.0, peak["pss"] / 1024.0, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repo", default=os.environ.get("PESO_BENCH_REPO"), help="default: the provisioned builtin repository"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20, help="recipes for spack audit packages")
    parser.add_argument("--no-audit", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of floor, cold, warm, floor (default 3)")
    parser.add_argument(
        "--as-is", action="store_true", help="run spack-peso from this checkout, not a byte-compiled copy"
    )
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="another spack-peso folder (e.g. `git archive REV spack-peso`) "
        "measured cold and warm in the same rounds, for a before/after comparison",
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run every measured command under `chrt -f 10` (root): on a machine shared with "
        "other jobs this makes wall time measure the command, not the neighbours",
    )
    args = parser.parse_args(argv)
    prefix = ["chrt", "-f", "10"] if args.realtime else []
    args.repo = args.repo or default_repo()

    recipes = sorted(glob.glob(os.path.join(args.repo, "packages", "*", "package.py")))
    if not recipes:
        sys.exit("no recipes under %s" % args.repo)
    work = tempfile.mkdtemp(prefix="peso-bench-")

    def installed(source, name):
        """``source`` as installed: a copy with its bytecode, so imports read .pyc files."""
        if args.as_is:
            return source
        copy = os.path.join(work, name)
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compileall.compile_dir(os.path.join(copy, "peso"), quiet=1)
        return copy

    def env_for(ext):
        return dict(os.environ, PYTHONPATH=ext + os.pathsep + os.environ.get("PYTHONPATH", ""))

    ext = installed(EXT, "spack-peso")
    env = env_for(ext)
    report = os.path.join(work, "lint.xml")
    cache = os.path.join(work, "cache")
    lint_cmd = prefix + [
        sys.executable,
        "-m",
        "peso",
        "lint",
        args.repo,
        "--policy",
        "all",
        "--jobs",
        str(args.jobs),
        "--cache-dir",
        cache,
        "--format",
        "junit",
        "--output",
        report,
    ]
    before_env = env_for(installed(os.path.abspath(args.before), "before")) if args.before else None
    print(
        "repository: %s (%d recipes), %d jobs, %d CPUs, %d rounds%s%s"
        % (
            args.repo,
            len(recipes),
            args.jobs,
            os.cpu_count(),
            args.repeat,
            ", real-time priority" if args.realtime else "",
            ", spack-peso from this checkout" if args.as_is else ", spack-peso byte-compiled (as installed)",
        )
    )

    floor_cmd = prefix + [sys.executable, FLOOR, args.repo, "--jobs", str(args.jobs)]
    rounds = []
    ok = True
    for number in range(1, args.repeat + 1):
        shutil.rmtree(cache, ignore_errors=True)
        load_before = os.getloadavg()[0]
        floor_a = run_measured(floor_cmd)
        cold = run_measured(lint_cmd, env=env)
        tree = ET.parse(report)
        cases = tree.getroot().findall("./testsuite/testcase")
        reported = len({c.get("file") for c in cases if c.get("file", "").endswith("package.py")})
        failures = sum(len(c.findall("failure")) for c in cases)
        crashes = sum(1 for c in cases for f in c.findall("failure") if f.get("type") == "PESO-X005")
        warm = run_measured(lint_cmd, env=env)
        if before_env is not None:
            shutil.rmtree(cache, ignore_errors=True)
            before = (run_measured(lint_cmd, env=before_env), run_measured(lint_cmd, env=before_env))
        floor_b = run_measured(floor_cmd)
        load_after = os.getloadavg()[0]
        floor = min(floor_a[0], floor_b[0])
        print("round %d:" % number)
        for name, m in (("floor", floor_a), ("cold lint", cold), ("warm lint", warm), ("floor", floor_b)):
            print(
                "  %-9s: %6.2f s wall, %6.2f s CPU (exit %d), peak tree RSS %6.1f MiB (PSS %6.1f MiB)"
                % (name, m[0], m[4], m[1], m[2], m[3])
            )
        if before_env is not None:
            for name, m in (("cold, --before", before[0]), ("warm, --before", before[1])):
                print(
                    "  %-14s: %6.2f s wall (%.2fx the floor), %6.2f s CPU, peak tree RSS %6.1f MiB"
                    % (name, m[0], m[0] / min(floor_a[0], floor_b[0]), m[4], m[2])
                )
        print("  load average (1 min): %.2f before, %.2f after, on %d CPUs" % (load_before, load_after, os.cpu_count()))
        ratios = {"cold_ratio": cold[0] / floor, "warm_ratio": warm[0] / floor, "peak_mib": max(cold[2], warm[2])}
        cpu_floor = min(floor_a[4], floor_b[4])
        print(
            "  floor (the faster of the two): %.2f s wall; cold lint %.2fx the floor, warm %.2fx"
            % (floor, ratios["cold_ratio"], ratios["warm_ratio"])
        )
        print(
            "  CPU: floor %.2f s, cold %.2f s (%.2fx), warm %.2f s (%.2fx)"
            % (cpu_floor, cold[4], cold[4] / cpu_floor, warm[4], warm[4] / cpu_floor)
        )
        print(
            "  files seen %d == files reported on %d: %s; findings %d, rule crashes (PESO-X005) %d"
            % (len(recipes), reported, len(recipes) == reported, failures, crashes)
        )
        ok &= len(recipes) == reported and cold[1] in (0, 1) and crashes == 0
        rounds.append(dict(ratios, cold_wall=cold[0], warm_wall=warm[0]))

    children_maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print("largest single process (RUSAGE_CHILDREN maxrss): %.1f MiB" % children_maxrss)
    for name in ("cold_ratio", "warm_ratio", "peak_mib"):
        values = sorted(r[name] for r in rounds)
        median = statistics.median(values)
        met = median <= TARGETS[name]
        ok &= met
        print(
            "target %-10s <= %6.2f: median %6.2f (min %.2f, max %.2f over %d rounds) %s"
            % (name, TARGETS[name], median, values[0], values[-1], len(values), "ok" if met else "MISSED")
        )
    cold_wall = statistics.median(r["cold_wall"] for r in rounds)
    warm_wall = statistics.median(r["warm_wall"] for r in rounds)

    found = provisioned()
    spack = shutil.which("spack") or (found.exe if found is not None else None)
    if spack and not args.no_audit:
        names = [os.path.basename(os.path.dirname(p)).lstrip("_").replace("_", "-") for p in recipes]
        sample = sorted(random.Random(4).sample(names, min(args.sample, len(names))))
        audit = run_measured(prefix + [spack, "audit", "packages", *sample])
        per_audit = audit[0] / len(sample)
        per_peso = cold_wall / len(recipes)
        print(
            "spack audit packages on %d sampled recipes: %.2f s wall (exit %d), %.1f ms/recipe"
            % (len(sample), audit[0], audit[1], per_audit * 1000)
        )
        print(
            "peso lint cold: %.2f ms/recipe; warm: %.3f ms/recipe" % (per_peso * 1000, warm_wall / len(recipes) * 1000)
        )
        print(
            "ratio audit/peso per recipe: cold %.0fx, warm %.0fx"
            % (per_audit / per_peso, per_audit / (warm_wall / len(recipes)))
        )
    else:
        print("spack audit: skipped (%s)" % ("--no-audit" if args.no_audit else "no spack found"))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
