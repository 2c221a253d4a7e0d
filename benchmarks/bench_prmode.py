"""Benchmark PR mode (`peso lint --new-since REV`) on a 3-recipe change of the builtin repository.

What a maintainer's pre-commit hook or a pull request's CI job does: a copy of the
repository is committed in a temporary git repository and linted once (the lint cache
is warm, as on a machine that has linted the tree before), then three recipes get a
version bump written the way spack-packages pull requests write one (a new
``version(...)`` line above the newest release). Measured, as whole processes (Python
start-up included) from a byte-compiled copy of spack-peso (as ``pip install`` leaves
it):

1. ``python -c pass``: the start-up floor on this machine, now;
2. the first PR-mode run after the edit (the changed recipes are linted, their old
   versions come from the cache) - the number the target (< 0.5 s) is judged on;
3. the same run again (everything cached);
4. the first run with an empty cache (a CI job without a cache: both sides linted).

Each run must report 0 findings and exit 0 (a version bump introduces nothing); then a
duplicated version line is added to one recipe and the run must report exactly that
finding and exit 1. The median of ``--repeat`` rounds is printed, with the load average.

    python benchmarks/bench_prmode.py [--repo PATH] [--repeat 5] [--as-is]
"""

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from lint_same import EXT, default_repo

TARGET_S = 0.5
#: recipes a change touches: a version bump each (packages with branch versions and
#: findings of their own, so PR mode has old findings to leave out; bazel depends on a
#: version of a virtual, java, so its providers across the repository are read too)
CHANGED = ("zlib", "hdf5", "bazel")


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args], cwd=cwd, check=True)


def bump(path: str) -> str:
    """Add a release above the newest numbered version (what a version-bump PR does);
    returns the line added."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'^(\s*)version\(\s*"(\d[^"]*)"', text, re.M)
    if m is None:
        sys.exit("no numbered version in %s" % path)
    line = '%sversion("%s", sha256="%s")\n' % (m.group(1), "999." + m.group(2), "ab" * 32)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[: m.start()] + line + text[m.start() :])
    return line


def timed(cmd, env, cwd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="a Spack repository folder (default: the provisioned builtin one)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5); the median is judged")
    parser.add_argument("--as-is", action="store_true", help="run spack-peso from this checkout, not a compiled copy")
    args = parser.parse_args(argv)
    repo = os.path.abspath(args.repo or default_repo())
    namespace = os.path.basename(repo)
    work = tempfile.mkdtemp(prefix="peso-bench-prmode-")
    try:
        ext = EXT
        if not args.as_is:
            ext = os.path.join(work, "spack-peso")
            shutil.copytree(EXT, ext, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            compileall.compile_dir(os.path.join(ext, "peso"), quiet=1)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=ext, XDG_CACHE_HOME=os.path.join(work, "xdg"))
        tree = os.path.join(work, "tree")
        target = os.path.join("spack_repo", namespace)
        shutil.copytree(repo, os.path.join(tree, target), ignore=shutil.ignore_patterns("__pycache__"))
        git(tree, "init", "-q")
        git(tree, "add", "-A")
        git(tree, "commit", "-q", "-m", "base")
        cache = os.path.join(work, "cache")
        base = [sys.executable, "-m", "peso", "lint", target, "--cache-dir", cache]
        pr = base + ["--new-since", "HEAD", "--format", "json"]
        recipes = [os.path.join(tree, target, "packages", name, "package.py") for name in CHANGED]

        def check(proc, expect_rc, expect_rules):
            found = json.loads(proc.stdout or "[]")
            rules = sorted(f["rule"] for f in found)
            if proc.returncode != expect_rc or rules != expect_rules:
                sys.exit("unexpected PR-mode result: exit %d, %s\n%s" % (proc.returncode, rules, proc.stderr))

        floors, first, again, uncached = [], [], [], []
        for _ in range(args.repeat):
            git(tree, "checkout", "-q", "--", ".")
            shutil.rmtree(cache, ignore_errors=True)
            subprocess.run(base + ["--format", "json"], env=env, cwd=tree, capture_output=True)  # warm
            for path in recipes:
                bump(path)
            floors.append(timed([sys.executable, "-c", "pass"], env, tree)[0])
            seconds, proc = timed(pr, env, tree)
            check(proc, 0, [])
            first.append(seconds)
            seconds, proc = timed(pr, env, tree)
            check(proc, 0, [])
            again.append(seconds)
            shutil.rmtree(cache, ignore_errors=True)
            seconds, proc = timed(pr, env, tree)
            check(proc, 0, [])
            uncached.append(seconds)
        added = bump(recipes[0])
        with open(recipes[0], encoding="utf-8") as f:
            text = f.read()
        with open(recipes[0], "w", encoding="utf-8") as f:
            f.write(text.replace(added, added + added, 1))  # a duplicated version: a real defect
        _, proc = timed(pr, env, tree)
        check(proc, 1, ["PESO-S009"])

        print(
            "repository: %s (namespace %s), change: a version bump in %s; %d rounds, %d CPUs%s"
            % (
                repo,
                namespace,
                ", ".join(CHANGED),
                args.repeat,
                os.cpu_count(),
                ", spack-peso from this checkout" if args.as_is else ", spack-peso byte-compiled (as installed)",
            )
        )
        print("load average (1 min): %.2f" % os.getloadavg()[0])
        for name, values in (
            ("python start-up (python -c pass)", floors),
            ("PR mode, first run after the edit", first),
            ("PR mode, run again", again),
            ("PR mode, empty cache (both sides linted)", uncached),
        ):
            print(
                "  %-42s median %.3f s (min %.3f, max %.3f)"
                % (name, statistics.median(values), min(values), max(values))
            )
        median = statistics.median(first)
        print("  every version-bump run: 0 findings, exit 0; a duplicated version: exactly PESO-S009, exit 1")
        print(
            "target first run < %.1f s: median %.3f s (%.2fx the target, %.1fx python start-up) %s"
            % (
                TARGET_S,
                median,
                median / TARGET_S,
                median / statistics.median(floors),
                "ok" if median < TARGET_S else "MISSED",
            )
        )
        return 0 if median < TARGET_S else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
