"""Benchmark: `stack generate --check --each`, batched solves against one solve per root.

Both runs give every root its own verdict with the real Spack, on the same roots of one
rendered target, one worker each, in the same run: the reference is ``--batch 1`` (each
root concretized alone, Spack's ``concretize_one``, what ``unify: false`` does per root),
the candidate ``--batch N`` (Spack's ``solve_in_rounds``). Prints wall times, the ratio,
and checks that both give the same verdicts.

    python benchmarks/bench_check.py [--target x86_64_v3] [--roots 8]
"""

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "spack-peso"))

from peso.stack.generate.check import concretize_each  # noqa: E402
from peso.stack.generate.environment import generate  # noqa: E402
from peso.stack.generate.model import (
    find_target,
    load_catalog,  # noqa: E402
)
from peso.stack.generate.plan import (
    BUILT,
    make_plan,  # noqa: E402
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="x86_64_v3")
    parser.add_argument("--roots", type=int, default=8, help="how many products (first in the plan)")
    args = parser.parse_args(argv)

    envdir = os.path.join(ROOT, "environments")
    plan = make_plan(load_catalog(os.path.join(envdir, "catalog", "e4s.yaml")), find_target(args.target, envdir))
    products = []
    for e in plan:
        if e.status == BUILT and e.product not in products:
            products.append(e.product)
    products = products[: args.roots]
    env = {"SPACK_DISABLE_LOCAL_CONFIG": "1"}
    with tempfile.TemporaryDirectory(prefix="peso-bench-check-") as tmp:
        generate(args.target, envdir=envdir, only=products, out_dir=tmp, fmt="definitions")
        times, verdicts = {}, {}
        for label, batch in (("alone (reference)", 1), ("batched", len(products) * 2)):
            start = time.time()
            results = concretize_each(tmp, jobs=1, batch=batch, env=env)
            times[label] = time.time() - start
            verdicts[label] = {r["spec"]: r["ok"] for r in results}
            print(
                "%-18s %3d roots %7.1f s  (%d ok)" % (label, len(results), times[label], sum(verdicts[label].values()))
            )
    same = verdicts["alone (reference)"] == verdicts["batched"]
    print("products: %s" % ", ".join(products))
    print(
        "batched / alone: %.2f (%.1fx faster); same verdicts: %s"
        % (times["batched"] / times["alone (reference)"], times["alone (reference)"] / times["batched"], same)
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
