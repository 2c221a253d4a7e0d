"""Refresh the committed extract of E4S's own environments (E4S-Project/e4s).

``stack diff --e4s`` and the fidelity test read this extract, so they run offline and a
test fails on drift nobody explained. A curator refreshes it on purpose, when E4S moves:

    python tools/e4s_extract.py <E4S-Project/e4s checkout or git dir> [--rev REV] \\
        [-o environments/reference/e4s-roots.yaml]

then reviews ``git diff`` of the extract and of ``stack diff --e4s`` for every target.
Only the environments our target profiles map to are kept.
"""

import argparse
import os
import sys

import yaml

from peso.fsutil import atomic_write
from peso.stack.generate.e4s_release import extract
from peso.stack.generate.model import environments_dir, find_target, target_names

HEADER = (
    "# E4S's own environments (E4S-Project/e4s), the root specs and commented-out specs\n"
    "# of each environment our target profiles map to. Written by tools/e4s_extract.py;\n"
    "# refresh it with that tool, never by hand.\n"
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("e4s", help="an E4S-Project/e4s checkout or git repository")
    parser.add_argument("--rev", default="HEAD", help="with a git repository: the revision")
    parser.add_argument(
        "-o", "--out", default=os.path.join(environments_dir(), "reference", "e4s-roots.yaml"), help="extract file"
    )
    args = parser.parse_args(argv)
    targets = [find_target(name) for name in target_names()]
    doc = extract(args.e4s, targets, args.rev)
    text = HEADER + yaml.safe_dump(doc, sort_keys=False, width=120)
    atomic_write(args.out, text)
    print(
        "wrote %s: %d environments of E4S-Project/e4s %s (%s)"
        % (args.out, len(doc["environments"]), doc["commit"], doc["date"])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
