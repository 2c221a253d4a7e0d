"""The floor a full-repository lint is measured against: find every recipe, read it and
``ast.parse`` it, in ``--jobs`` forked workers (each taking every jobs-th file, as the
linter's runner does), and nothing else. Any linter must at least do this.

    python benchmarks/parse_floor.py REPO [--jobs N]
"""

import argparse
import ast
import gc
import glob
import os
import sys


def parse_share(paths):
    gc.disable()  # as the recipe model does while parsing
    count = 0
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        try:
            ast.parse(data.decode("utf-8"), filename=path)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            pass
        count += 1
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    paths = sorted(glob.glob(os.path.join(args.repo, "packages", "*", "package.py")))
    pids = []
    for k in range(args.jobs):
        pid = os.fork()
        if pid == 0:
            parse_share(paths[k :: args.jobs])
            os._exit(0)
        pids.append(pid)
    status = 0
    for pid in pids:
        status |= os.waitpid(pid, 0)[1]
    print(len(paths))
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
