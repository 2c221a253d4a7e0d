"""Build once, install anywhere (issue 25), on the real-product stack: the roots ``stack
build`` built from the source mirror are pushed to a file:// binary cache, and a fresh
install tree installs them from that cache with nothing built from source."""

import json
import os

import pytest

pytestmark = [pytest.mark.e2e]

#: products whose binaries relocate into any install tree; swig and tasmanian embed their
#: prefix and relocate only into a prefix no longer than a padded one (the benchmark's
#: producer pads, as Spack CI does)
RELOCATABLE = ["darshan-runtime", "hypre", "py-pytest", "superlu"]


def test_the_real_products_round_trip_through_a_binary_cache(real_stack, tmp_path):
    stack = real_stack[0]
    cache = "file://" + str(tmp_path / "cache")
    only = ",".join(RELOCATABLE)
    # the session's stack is shared: this run writes its own results folder, not stack.out
    pushed_out = str(tmp_path / "pushed")
    args = stack.args("build", "-j", "2", "--only", only, "--buildcache", cache, "--unsigned")
    args[args.index("--out") + 1] = pushed_out
    push = stack.peso(*args)
    assert push.returncode == 0, push.stdout[-3000:] + push.stderr[-3000:]
    pushed = json.load(open(os.path.join(pushed_out, "build.json")))["buildcache_push"]
    assert pushed["ok"] and pushed["signed"] is False
    assert {entry.split("@")[0] for entry in pushed["pushed"]} >= set(RELOCATABLE)
    assert os.listdir(tmp_path / "cache")

    # a fresh install tree (another root, another results folder) from the cache alone
    out = str(tmp_path / "from-cache")
    args = stack.args("build", "-j", "2", "--only", only, "--use-buildcache", cache, "--unsigned")
    args[args.index("--out") + 1] = out
    tree = str(tmp_path / "t")
    install = stack.peso(*args, "-c", "config:install_tree:root:" + tree)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    record = json.load(open(os.path.join(out, "build.json")))
    rows = {row["package"]: row for row in record["specs"]}
    assert {name: rows[name]["status"] for name in RELOCATABLE} == dict.fromkeys(RELOCATABLE, "BUILT")
    assert {name: rows[name].get("source") for name in RELOCATABLE} == dict.fromkeys(RELOCATABLE, "cache")
    assert record["buildcache"]["from_source"] == [], record["buildcache"]
    # installed where the new tree is, not in the tree that built them
    prefixes = [os.path.join(root, name) for root, dirs, _ in os.walk(tree) for name in dirs if name == ".spack"]
    assert len(prefixes) >= len(RELOCATABLE)
