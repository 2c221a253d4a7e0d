"""Run by ``spack python`` (never imported by spack-peso): one worker of
``peso.stack.generate.check.concretize_each``, printing a ``PESO-SPEC {...}`` line per root.

Roots are solved in batches the way ``unify: when_possible`` does (Spack's
``Solver.solve_in_rounds``): one setup and one grounding per batch instead of one per
root, about ten times less solver time for E4S-sized roots. A root solved in a batch has a
valid concretization under the stack's configuration, which is all ``unify: false`` asks
of each root.

A verdict needs a model, not the best one: a batch's solve stops improving after
``PESO_BATCH_TIMEOUT`` seconds (Spack's ``concretizer:timeout`` with
``error_on_timeout: false``) and keeps the best model found, which, when Spack accepts it
(no error atoms, each root's candidate satisfies the root), is a valid concretization.

A root the rounds leave unsolved is concretized alone, without a time limit, so its
verdict and error message are Spack's own ``concretize_one``; a batch that raises early
(one root failing the solver's setup) is halved until the culprit stands alone.

Each root is given the stack's ``all: require: target=T`` explicitly: the same constraint
for Spack, but only targets named in root specs join the solver's candidates when they are
of another family than the host's (neoverse_v2 checked from an x86_64 machine).

Worker ``PESO_OFFSET`` takes every ``PESO_STRIDE``-th batch of ``PESO_BATCH`` roots;
``PESO_SKIP`` names a JSON list of roots already recorded (``--resume``); worker 0 also
prints ``PESO-ROOTS [...]``, the stack's roots as Spack spells them, and every worker
prints ``PESO-BATCH {"batches": m}`` when it finishes a batch (progress: n of m).
"""

import json
import os
import re
import time

import spack.concretize
import spack.config
import spack.environment as ev
import spack.spec
from spack.solver.asp import Solver

env = ev.Environment(os.environ["PESO_CHECK_DIR"])
ev.activate(env)
required = spack.config.get("packages:all:require", [])
required = [
    r
    for r in (required if isinstance(required, list) else [required])
    if isinstance(r, str) and re.match(r"^target=[\w.]+$", r)
]


def abstract(text):
    spec = spack.spec.Spec(text)
    if required and not (spec.architecture and spec.architecture.target):
        spec.constrain(required[0])
    return spec


skip = set()
if os.environ.get("PESO_SKIP"):
    with open(os.environ["PESO_SKIP"]) as f:
        skip = set(json.load(f))
roots = [str(s) for s in env.user_specs]
if os.environ["PESO_OFFSET"] == "0":
    print("PESO-ROOTS " + json.dumps(roots), flush=True)
specs = [s for s in roots if s not in skip]
size = max(1, int(os.environ["PESO_BATCH"]))
offset, stride = int(os.environ["PESO_OFFSET"]), int(os.environ["PESO_STRIDE"])
batches = [specs[i : i + size] for i in range(0, len(specs), size)][offset::stride]
deprecated = spack.config.get("config:deprecated", False)
timeout = int(os.environ["PESO_BATCH_TIMEOUT"])
version = spack.get_version()


def emit(spec, ok, error, seconds, mode, concrete=None):
    facts = {"target": str(concrete.target), "nodes": len(list(concrete.traverse()))} if concrete else {}
    print(
        "PESO-SPEC "
        + json.dumps(
            dict(
                {"spec": spec, "ok": ok, "error": error, "mode": mode, "seconds": round(seconds, 1), "spack": version},
                **facts,
            )
        ),
        flush=True,
    )


def alone(spec):
    start = time.time()
    try:
        concrete = spack.concretize.concretize_one(abstract(spec))
        emit(spec, True, "", time.time() - start, "alone", concrete)
    except Exception as e:
        emit(spec, False, " ".join(str(e).split())[:600], time.time() - start, "alone")


def solve(batch):
    if len(batch) == 1:
        return alone(batch[0])
    start, raised = time.time(), False
    solved: dict = {}
    inputs = {str(abstract(s)): s for s in batch}
    try:
        with (
            spack.config.override("concretizer:timeout", timeout),
            spack.config.override("concretizer:error_on_timeout", False),
        ):
            rounds = Solver().solve_in_rounds([spack.spec.Spec(s) for s in inputs], allow_deprecated=deprecated)
            for result in rounds:
                solved.update((inputs.get(str(s)), c) for s, c in result.specs_by_input.items())
    except Exception:
        raised = True  # the roots left unsolved are retried alone below
    if raised and not solved and time.time() - start < timeout:
        # e.g. one root fails the solver setup: halve the batch until it stands alone
        solve(batch[: len(batch) // 2])
        return solve(batch[len(batch) // 2 :])
    share = (time.time() - start) / len(batch)
    for spec in batch:
        if spec in solved:
            emit(spec, True, "", share, "batch", solved[spec])
        else:
            alone(spec)


every = len(range(0, len(specs), size))  # this run's batches, all workers together
for batch in batches:
    solve(batch)
    print("PESO-BATCH " + json.dumps({"batches": every}), flush=True)
