"""``version_key`` (the version-order rule and ``--fix``) orders versions exactly as Spack's
own ``spack.version.Version`` does, checked on the version strings of the builtin recipes."""

import glob
import os
import re

from peso_testing import spack_python_answers

from peso.lint.rules._common import BRANCH_NAMES, version_key
from peso.recipe.parse import load_recipe

_GIT = re.compile(r"^(git\.|[0-9a-f]{40}$)|=")  # Spack parses these as GitVersion


def _builtin_versions(spack, limit=4000):
    out = spack("repo", "list")
    folder = next(line.split()[-1] for line in out.stdout.splitlines() if "builtin" in line.split())
    names = set()
    for path in sorted(glob.glob(os.path.join(folder, "packages", "*", "package.py")))[::3]:
        recipe = load_recipe(path)
        for cls in recipe.classes:
            for d in cls.directives:
                name = d.arg_str(0) if d.name == "version" else None
                if name and not _GIT.search(name) and re.match(r"^[A-Za-z0-9_.-]+$", name):
                    names.add(name)
        if len(names) >= limit:
            break
    return sorted(names)


def _dense_ranks(items, key):
    ordered = sorted(items, key=key)
    ranks, rank, last = {}, -1, object()
    for item in ordered:
        k = key(item)
        if k != last:
            rank, last = rank + 1, k
        ranks[item] = rank
    return [ranks[i] for i in items]


def test_version_key_orders_like_spack(spack, tmp_path):
    names = _builtin_versions(spack)
    assert len(names) > 2000
    names = sorted(set(names) | set(BRANCH_NAMES))  # the one branch list, ordered as Spack does
    spack_ranks = spack_python_answers(
        spack,
        tmp_path,
        names,
        "from spack.version import Version\n"
        "order = sorted(DATA, key=Version)\n"
        "ranks, rank, last = {}, -1, None\n"
        "for n in order:\n"
        "    v = Version(n)\n"
        "    if last is None or v != last:\n"
        "        rank, last = rank + 1, v\n"
        "    ranks[n] = rank\n"
        "print(json.dumps([ranks[n] for n in DATA]))\n",
    )
    ours = _dense_ranks(names, version_key)
    differ = [(n, a, b) for n, a, b in zip(names, ours, spack_ranks) if a != b]
    assert not differ, differ[:10]
