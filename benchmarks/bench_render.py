"""Benchmark: render every target from the full E4S catalogue (target: under 1 s).

Reference measured in the same run: YAML-loading the six hand-made E4S stacks
(stacks/e4s*/spack.yaml), i.e. the cost of merely *reading* what the generator replaces.
Prints absolute times and the ratio.

    python benchmarks/bench_render.py [--repeat 5]
"""

import argparse
import glob
import os
import sys
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))

from peso.spackcall import provision  # noqa: E402
from peso.stack.generate.model import (
    find_target,
    load_catalog,
    target_names,  # noqa: E402
)
from peso.stack.generate.render import render  # noqa: E402


def reference_stacks():
    """The hand-made stacks of the spack-packages tree the provisioned Spack reads."""
    install = provision.ensure(with_packages=True)
    return sorted(glob.glob(os.path.join(install.packages or "", "stacks", "e4s*", "spack.yaml")))


def render_all(envdir):
    """Load + validate the catalogue and every profile, render every target."""
    catalog = load_catalog(os.path.join(envdir, "catalog", "e4s.yaml"))
    total = 0
    for name in target_names(envdir):
        text, entries = render(catalog, find_target(name, envdir))
        total += len(text)
    return total


def load_stacks(paths):
    for p in paths:
        with open(p, encoding="utf-8") as f:
            yaml.safe_load(f)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    envdir = os.path.join(ROOT, "environments")
    n = len(target_names(envdir))
    t_render = best_of(lambda: render_all(envdir), args.repeat)
    print(
        "render %d targets from the full catalogue (load+validate+render): %.3f s (best of %d)"
        % (n, t_render, args.repeat)
    )
    stacks = reference_stacks()
    if stacks:
        t_load = best_of(lambda: load_stacks(stacks), args.repeat)
        print("reference: yaml.safe_load of the %d hand-made stacks: %.3f s" % (len(stacks), t_load))
        print("ratio render-all / load-hand-made: %.2fx" % (t_render / t_load))
    else:
        print("reference stacks not found (the Spack in use reads no spack-packages tree): no ratio")
    print("target < 1 s: %s" % ("met" if t_render < 1.0 else "NOT met"))
    return 0 if t_render < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
