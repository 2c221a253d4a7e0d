"""Benchmark `peso lint` on a full recipe repository against `spack audit packages`.

Runs, in one go and on the same machine:

1. a cold lint (empty cache) of the whole repository with ``--jobs`` workers,
2. a warm lint (same cache, nothing changed),
3. ``spack audit packages`` on a fixed random sample of the same recipes,

and prints wall times, peak memory of the lint process tree (sum of the RSS of the parent
and its workers, sampled from /proc, plus ``RUSAGE_CHILDREN`` max RSS), the number of files
seen versus reported on (JUnit test cases), and the per-recipe speed ratio against audit.
Targets (issue 2): cold <= 6 s on 2 cores, warm <= 1.5 s, peak <= 300 MiB, no crash.

    python benchmarks/bench_lint.py [--repo PATH] [--jobs 2] [--sample 20]
"""

import argparse
import glob
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = os.path.join(os.path.dirname(HERE), "spack-peso")
DEFAULT_REPO = "/work/ref/spack-packages/repos/spack_repo/builtin"
TARGETS = {"cold_s": 6.0, "warm_s": 1.5, "peak_mib": 300.0}


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
    parser.add_argument("--repo", default=os.environ.get("PESO_BENCH_REPO", DEFAULT_REPO))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20, help="recipes for spack audit packages")
    parser.add_argument("--no-audit", action="store_true")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run every measured command under `chrt -f 10` (root): on a machine shared with "
        "other jobs this makes wall time measure the command, not the neighbours",
    )
    args = parser.parse_args(argv)
    prefix = ["chrt", "-f", "10"] if args.realtime else []

    recipes = sorted(glob.glob(os.path.join(args.repo, "packages", "*", "package.py")))
    if not recipes:
        sys.exit("no recipes under %s" % args.repo)
    work = tempfile.mkdtemp(prefix="peso-bench-")
    env = dict(os.environ, PYTHONPATH=EXT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    report = os.path.join(work, "lint.xml")
    lint_cmd = prefix + [
        sys.executable, "-m", "peso", "lint", args.repo, "--policy", "all", "--jobs", str(args.jobs),
        "--cache-dir", os.path.join(work, "cache"), "--format", "junit", "--output", report,
    ]
    print(
        "repository: %s (%d recipes), %d jobs, %d CPUs%s"
        % (args.repo, len(recipes), args.jobs, os.cpu_count(), ", real-time priority" if args.realtime else "")
    )

    cold = run_measured(lint_cmd, env=env)
    tree = ET.parse(report)
    cases = tree.getroot().findall("./testsuite/testcase")
    reported = len({c.get("file") for c in cases if c.get("file", "").endswith("package.py")})
    failures = sum(len(c.findall("failure")) for c in cases)
    crashes = sum(1 for c in cases for f in c.findall("failure") if f.get("type") == "PESO-X005")
    warm = run_measured(lint_cmd, env=env)
    children_maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0

    for name, m in (("cold", cold), ("warm", warm)):
        print(
            "%s lint : %6.2f s wall, %6.2f s CPU (exit %d), peak tree RSS %6.1f MiB (PSS %6.1f MiB)"
            % (name, m[0], m[4], m[1], m[2], m[3])
        )
    print("load average (1 min) during the run: %.2f on %d CPUs" % (os.getloadavg()[0], os.cpu_count()))
    # On a shared machine wall time mostly measures the neighbours. The warm run is almost
    # all serial parent work; the rest of the cold run's CPU is spread over the workers.
    estimate = warm[4] + max(cold[4] - warm[4], 0.0) / args.jobs
    print("idle-machine estimate of the cold wall time (warm CPU + rest of cold CPU / jobs): %.2f s" % estimate)
    print("largest single process (RUSAGE_CHILDREN maxrss): %.1f MiB" % children_maxrss)
    print("files seen %d == files reported on %d: %s" % (len(recipes), reported, len(recipes) == reported))
    print("findings %d, rule crashes (PESO-X005) %d" % (failures, crashes))

    ok = True
    for name, value in (("cold_s", cold[0]), ("warm_s", warm[0]), ("peak_mib", max(cold[2], warm[2]))):
        met = value <= TARGETS[name]
        ok &= met
        print("target %-8s <= %6.1f: %6.2f %s" % (name, TARGETS[name], value, "ok" if met else "MISSED"))
    ok &= len(recipes) == reported and cold[1] in (0, 1) and crashes == 0

    spack = shutil.which("spack") or (os.path.join(os.environ["SPACK_ROOT"], "bin", "spack") if os.environ.get("SPACK_ROOT") else None)
    if spack and not args.no_audit:
        names = [os.path.basename(os.path.dirname(p)).lstrip("_").replace("_", "-") for p in recipes]
        sample = sorted(random.Random(4).sample(names, min(args.sample, len(names))))
        audit = run_measured(prefix + [spack, "audit", "packages", *sample])
        per_audit = audit[0] / len(sample)
        per_peso = cold[0] / len(recipes)
        print("spack audit packages on %d sampled recipes: %.2f s wall (exit %d), %.1f ms/recipe" % (len(sample), audit[0], audit[1], per_audit * 1000))
        print("peso lint cold: %.2f ms/recipe; warm: %.3f ms/recipe" % (per_peso * 1000, warm[0] / len(recipes) * 1000))
        print("ratio audit/peso per recipe: cold %.0fx, warm %.0fx" % (per_audit / per_peso, per_audit / (warm[0] / len(recipes))))
    else:
        print("spack audit: skipped (%s)" % ("--no-audit" if args.no_audit else "no spack found"))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
