"""Where a full-repository lint spends its time: the breakdown table of the README's lint
section, measured in CPU time (``time.process_time``, robust to a shared machine) in one
process on every recipe of a repository.

    python benchmarks/profile_lint.py [--repo PATH] [--rules 8]

Rows: start-up and imports (a fresh interpreter, measured as a child), then per recipe
the work of a cold run's worker (read, hash, ``ast.parse``, freeing the tree, the recipe
model, each rule; the parse floor is read + parse + free), then the parent's share of a
cold run (result transport, cache write, findings, JUnit/JSON writers) and of a warm run
(discovery, cache read, stat validation). Per-recipe rows are in microseconds, the others
in milliseconds for the whole repository.
"""

import argparse
import ast
import gc
import os
import pickle
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = os.path.join(os.path.dirname(HERE), "spack-peso")
sys.path.insert(0, EXT)
clock = time.process_time


def startup_ms() -> float:
    """CPU of a fresh interpreter importing what ``peso lint`` imports before forking."""
    code = (
        "import time, resource; import peso.__main__; from peso.cmd import peso; "
        "from peso.lint import engine; engine.known_rules(); "
        "from peso.report import junit, lint_json; "
        "r = resource.getrusage(resource.RUSAGE_SELF); print(r.ru_utime + r.ru_stime)"
    )
    # byte-compiled, as an installed package runs: bytecode kept in a temporary prefix
    prefix = tempfile.mkdtemp(prefix="peso-pyc-")
    env = dict(os.environ, PYTHONPATH=EXT + os.pathsep + os.environ.get("PYTHONPATH", ""), PYTHONPYCACHEPREFIX=prefix)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs = [
        float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
        for _ in range(4)
    ][1:]
    import shutil

    shutil.rmtree(prefix, ignore_errors=True)
    bare = [
        float(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import resource; r = resource.getrusage(resource.RUSAGE_SELF); print(r.ru_utime + r.ru_stime)",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(3)
    ]
    return min(bare) * 1000, min(runs) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=os.environ.get("PESO_BENCH_REPO"))
    parser.add_argument("--rules", type=int, default=8, help="costliest rules listed one by one")
    args = parser.parse_args(argv)
    if not args.repo:
        from peso.spackcall import provision

        found = provision.locate(with_packages=True)
        if found is None or not getattr(found, "builtin", None):
            sys.exit("no reference builtin repository: run 'python -m peso bootstrap' or pass --repo")
        args.repo = found.builtin

    from peso.lint import engine, runner
    from peso.lint.cache import LintCache, file_digest, stat_signature
    from peso.lint.config import LintConfig
    from peso.recipe.parse import parse_recipe
    from peso.report import junit, lint_json

    bare, started = startup_ms()
    rules = engine.known_rules()
    checks = [r for r in rules.values() if r.kind == "static"]  # what workers run (as the engine)
    paths = engine.discover([args.repo])
    n = len(paths)
    gc.disable()
    per = {
        "read": 0.0,
        "hash (cache key)": 0.0,
        "ast.parse": 0.0,
        "free the tree": 0.0,
        "recipe model (decode, lines, classes)": 0.0,
    }
    by_rule = dict.fromkeys((r.id for r in checks), 0.0)
    for path in paths:
        t0 = clock()
        with open(path, "rb") as f:
            data = f.read()
            stat_signature(os.fstat(f.fileno()))
        t1 = clock()
        file_digest(data, path)
        t2 = clock()
        try:
            tree = ast.parse(data.decode("utf-8"), filename=path)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            tree = None
        t3 = clock()
        del tree
        t4 = clock()
        recipe = parse_recipe(path, data)
        t5 = clock()
        per["read"] += t1 - t0
        per["hash (cache key)"] += t2 - t1
        per["ast.parse"] += t3 - t2
        per["free the tree"] += t4 - t3
        per["recipe model (decode, lines, classes)"] += (t5 - t4) - (t3 - t2)  # its parse counted above
        for r in checks:
            t = clock()
            try:
                for _ in r.check(recipe) or ():
                    pass
            except Exception:
                pass
            by_rule[r.id] += clock() - t
        del recipe
    rules_total = sum(by_rule.values())
    floor = per["read"] + per["ast.parse"] + per["free the tree"]

    # the parent's side of a cold and a warm run (in this process, one worker)
    work = tempfile.mkdtemp(prefix="peso-profile-")
    config = LintConfig().override(policy="all", jobs=1, cache_dir=os.path.join(work, "cache"))
    runner._RULES = tuple(c for c in checks)
    results = runner._lint_chunk(paths[: max(1, n // 10)])
    t = clock()
    blob = pickle.dumps(results, pickle.HIGHEST_PROTOCOL)
    pickle.loads(blob)
    transport = (clock() - t) * 10
    engine.lint([args.repo], config)  # fills the cache for the warm rows
    t = clock()
    cache = LintCache(config.cache_dir)
    t_cache_read = clock() - t
    cache.dirty = True
    t = clock()
    cache.save()
    t_cache_write = clock() - t
    t = clock()
    stats = {}
    engine.discover([args.repo], None, stats)
    t_discover = clock() - t
    t = clock()
    for p in paths:
        cache.get_unchanged(p, stats.get(p))  # with discovery's stat, as the engine does
    t_validate = clock() - t
    t = clock()
    result = engine.lint([args.repo], config)
    t_warm_engine = clock() - t
    t = clock()
    junit.render(result, os.getcwd())
    t_junit = clock() - t
    t = clock()
    lint_json.render(result, os.getcwd())
    t_json = clock() - t

    us = lambda seconds: seconds * 1e6 / n  # noqa: E731
    print("%d recipes of %s, %d rules; CPU time in one process\n" % (n, args.repo, len(checks)))
    print("| Where | per recipe (us) | whole repository (ms) |")
    print("|---|---:|---:|")
    print("| interpreter start-up (bare `python`) | | %.0f |" % bare)
    print("| start-up + imports of `peso lint` (rules, YAML docs), byte-compiled | | %.0f |" % started)
    for name, seconds in per.items():
        print("| %s | %.0f | %.0f |" % (name, us(seconds), seconds * 1000))
    print("| **parse floor** (read + parse + free) | **%.0f** | **%.0f** |" % (us(floor), floor * 1000))
    print("| rules, all %d | %.0f | %.0f |" % (len(checks), us(rules_total), rules_total * 1000))
    for rid, seconds in sorted(by_rule.items(), key=lambda kv: -kv[1])[: args.rules]:
        print("| &nbsp; %s %s | %.0f | %.0f |" % (rid, rules[rid].name, us(seconds), seconds * 1000))
    print("| result transport (pickle out and in) | | %.0f |" % (transport * 1000))
    print("| cache write (one marshal file) | | %.0f |" % (t_cache_write * 1000))
    print("| warm: discovery (scandir, one stat per recipe) | | %.0f |" % (t_discover * 1000))
    print("| warm: cache read | | %.0f |" % (t_cache_read * 1000))
    print("| warm: validation (discovery's stat against the cache) | | %.0f |" % (t_validate * 1000))
    print("| warm: whole engine (discovery, cache, findings) | | %.0f |" % (t_warm_engine * 1000))
    print("| writer: JUnit / JSON | | %.0f / %.0f |" % (t_junit * 1000, t_json * 1000))
    worker = floor + per["hash (cache key)"] + per["recipe model (decode, lines, classes)"] + rules_total
    print(
        "\ncold worker CPU / parse floor: %.2fx (model %.2fx, rules %.2fx of the floor)"
        % (worker / floor, per["recipe model (decode, lines, classes)"] / floor, rules_total / floor)
    )
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
