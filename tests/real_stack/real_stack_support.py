"""What the real-product tests compare against: plain ``spack test run``."""

import glob
import os

PRODUCTS = ["darshan-runtime", "hypre", "py-pytest", "superlu", "swig", "tasmanian"]


def plain_statuses(stack, record):
    """``{package: status}`` from a plain ``spack test run /HASH`` per root, each with its
    own test stage, read from the results.txt Spack writes."""
    statuses = {}
    for row in record["specs"]:
        stage = os.path.join(stack.work, "plain-test-stage", row["package"])
        proc = stack.spack_cmd(
            "-c", "config:test_stage:" + stage, "test", "run", "--alias", "plain-" + row["package"], "/" + row["hash"]
        )
        results = glob.glob(os.path.join(stage, "*", "results.txt"))
        assert results, proc.stdout[-2000:] + proc.stderr[-2000:]
        with open(results[0]) as f:
            fields = f.read().split()
        statuses[row["package"]] = fields[1] if len(fields) == 2 else "?"
    return statuses
