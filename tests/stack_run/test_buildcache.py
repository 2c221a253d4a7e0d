"""Binary caches with real Spack: push what ``stack build`` built, install it elsewhere.

The session's demo stack (conftest ``demo_stack``) is pushed to file:// caches; each
"new install tree" is a copy of its environment (same ``spack.lock``, so the same hashes)
with its own scope (install tree, build stage) from ``demo/spack_scope.py``.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
import spack_scope
from peso_testing import load_json

pytestmark = pytest.mark.spack

PAIR = "peso-demo-lib,peso-demo-app"


def peso_build(demo_stack, env_dir, scope, out, *extra):
    return demo_stack.peso(
        "stack", "build", "--target", "host", "--env", env_dir, "-C", scope,
        "-c", "concretizer:unify:true", "--out", out, *extra,
    )  # fmt: skip


def push(demo_stack, tmp, only, *extra):
    """``stack build --buildcache`` of the (already built) demo stack: a fresh cache."""
    cache = os.path.join(str(tmp), "cache")
    proc = peso_build(
        demo_stack, demo_stack.env_dir, demo_stack.scope, os.path.join(str(tmp), "push-out"),
        "--only", only, "--buildcache", cache, *extra,
    )  # fmt: skip
    return proc, cache


class Tree:
    """A new install tree for the demo environment: copied lock, own scope."""

    def __init__(self, demo_stack, folder):
        self.work = str(folder)
        self.scope = spack_scope.write_scope(self.work)
        self.env_dir = os.path.join(self.work, "env")
        os.makedirs(self.env_dir)
        for name in ("spack.yaml", "spack.lock"):
            shutil.copy(os.path.join(demo_stack.env_dir, name), self.env_dir)
        self.out = os.path.join(self.work, "out")
        self.demo_stack = demo_stack

    def build(self, *extra):
        proc = peso_build(self.demo_stack, self.env_dir, self.scope, self.out, "--only", PAIR, *extra)
        return proc, proc.stdout + proc.stderr

    def record(self):
        return load_json(os.path.join(self.out, "build.json"))

    def compiled(self):
        """Packages Spack ran build phases for (its ``Executing phase`` lines), and any
        build stage left behind: what a source build leaves; an extraction has neither."""
        with open(os.path.join(self.out, "install.log")) as f:
            phases = {x.split(":")[0][4:] for x in f if ": Executing phase:" in x}
        stage = os.path.join(self.work, "build-stage")
        left = glob.glob(os.path.join(stage, "**", "spack-stage-*"), recursive=True)
        return phases, left

    def installed(self):
        return sorted(
            os.path.basename(p).rsplit("-", 2)[0] for p in glob.glob(os.path.join(self.work, "install", "*", "*"))
        )


def rows(record):
    return {r["package"]: r for r in record["specs"]}


@pytest.fixture(scope="module")
def pair_cache(demo_stack, tmp_path_factory):
    proc, cache = push(demo_stack, tmp_path_factory.mktemp("pair-cache"), PAIR, "--unsigned")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return cache, proc.stdout + proc.stderr


def test_push_needs_a_key_or_unsigned_said(demo_stack, tmp_path):
    proc, cache = push(demo_stack, tmp_path, PAIR)
    assert proc.returncode == 2
    errors = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(errors) == 1 and "--key KEY" in errors[0] and "--unsigned" in errors[0], proc.stderr
    assert not os.path.exists(cache)
    assert not os.path.exists(os.path.join(str(tmp_path), "push-out", "build.json"))


def test_push_writes_a_cache_with_an_index(pair_cache):
    cache, output = pair_cache
    assert "index updated" in output
    assert "prefixes are not padded" in output  # the demo scope pads nothing: said
    assert glob.glob(os.path.join(cache, "v3", "manifests", "index", "index.manifest.json"))
    for name in ("peso-demo-lib", "peso-demo-app"):
        assert glob.glob(os.path.join(cache, "v3", "manifests", "spec", name, name + "-*.spec.manifest.json"))


def test_new_install_tree_installs_everything_from_the_cache_without_compiling(demo_stack, pair_cache, tmp_path):
    cache, _ = pair_cache
    tree = Tree(demo_stack, tmp_path)
    proc, out = tree.build("--use-buildcache", cache, "--unsigned")
    assert proc.returncode == 0, out
    record = tree.record()
    assert {name: (r["status"], r["source"]) for name, r in rows(record).items()} == {
        "peso-demo-lib": ("BUILT", "cache"),
        "peso-demo-app": ("BUILT", "cache"),
    }
    assert record["buildcache"]["from_source"] == []
    assert {"peso-demo-lib", "peso-demo-app"} <= set(record["buildcache"]["from_cache"])
    assert "built from source: -" in out
    assert tree.compiled() == (set(), [])  # no build phase ran, nothing staged
    assert {"peso-demo-lib", "peso-demo-app"} <= set(tree.installed())
    # relocated into this tree: the app's binary finds the library of this tree
    app = glob.glob(os.path.join(tree.work, "install", "*", "peso-demo-app-*", "bin", "*"))
    assert app
    with open(app[0], "rb") as f:
        binary = f.read()
    assert os.path.join(demo_stack.work, "install").encode() not in binary


def test_a_cache_missing_a_spec_builds_only_that_one_and_says_so(demo_stack, tmp_path):
    proc, cache = push(demo_stack, tmp_path / "cache-lib", "peso-demo-lib", "--unsigned")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tree = Tree(demo_stack, tmp_path / "tree")
    proc, out = tree.build("--use-buildcache", cache, "--unsigned")
    assert proc.returncode == 0, out
    assert "not in it, to build from source: peso-demo-app" in out
    assert {name: r["source"] for name, r in rows(tree.record()).items()} == {
        "peso-demo-lib": "cache",
        "peso-demo-app": "built",
    }
    assert tree.compiled() == ({"peso-demo-app"}, [])


def test_a_corrupt_tarball_is_a_per_spec_status(demo_stack, pair_cache, tmp_path):
    cache = str(tmp_path / "corrupt")
    shutil.copytree(pair_cache[0], cache)
    (manifest,) = glob.glob(os.path.join(cache, "v3", "manifests", "spec", "peso-demo-app", "*.json"))
    with open(manifest) as f:
        tarball = [d for d in json.load(f)["data"] if "tar" in d["mediaType"]][0]["checksum"]
    (blob,) = glob.glob(os.path.join(cache, "blobs", "sha256", tarball[:2], tarball))
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as f:
        f.truncate(1000)
    tree = Tree(demo_stack, tmp_path / "tree")
    proc, out = tree.build("--use-buildcache", cache, "--unsigned")
    assert proc.returncode == 0, out  # built from source instead: true, and said
    app = rows(tree.record())["peso-demo-app"]
    assert app["status"] == "BUILT" and app["source"] == "built"
    assert "built from source" in app["cache_problem"]
    assert "peso-demo-app/" in out and "could not fetch or verify" in out
    assert rows(tree.record())["peso-demo-lib"]["source"] == "cache"


def one_error(proc):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(errors) == 1, proc.stderr
    return errors[0]


def test_unverified_signatures_are_an_error_unless_unsigned(demo_stack, pair_cache, tmp_path):
    tree = Tree(demo_stack, tmp_path)
    proc, _ = tree.build("--use-buildcache", pair_cache[0])
    line = one_error(proc)
    assert "does not verify" in line and "--unsigned" in line
    assert tree.installed() == []
    assert not os.path.exists(os.path.join(tree.out, "build.json"))


@pytest.mark.parametrize("kind", ["missing", "empty", "unreachable"])
def test_an_empty_or_unreachable_cache_is_one_line(demo_stack, tmp_path, kind):
    location = {
        "missing": str(tmp_path / "nothing-here"),
        "empty": str(tmp_path),
        "unreachable": "http://127.0.0.1:9/cache",
    }[kind]
    tree = Tree(demo_stack, tmp_path / "tree")
    line = one_error(tree.build("--use-buildcache", location, "--unsigned")[0])
    assert ("does not exist" if kind == "missing" else "no binary cache index") in line
    assert tree.installed() == []


def test_stack_test_installs_from_the_cache_into_node_local_space(demo_stack, pair_cache, tmp_path):
    tree = Tree(demo_stack, tmp_path / "tree")
    local = str(tmp_path / "node-local")
    proc = demo_stack.peso(
        "stack", "test", "--target", "host", "--env", tree.env_dir, "-C", tree.scope, "-c", "concretizer:unify:true",
        "--out", tree.out, "--only", PAIR, "--use-buildcache", pair_cache[0], "--unsigned", "--install-local", local,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    (run,) = glob.glob(os.path.join(tree.out, "runs", "*", "record.json"))
    record = load_json(run)
    assert {name: r["status"] for name, r in rows(record).items()} == {
        "peso-demo-lib": "PASSED",
        "peso-demo-app": "PASSED",
    }
    assert record["options"]["install_local"] == local
    installed = load_json(os.path.join(tree.out, "cache-install", "build.json"))
    assert {name: r["source"] for name, r in rows(installed).items()} == {
        "peso-demo-lib": "cache",
        "peso-demo-app": "cache",
    }
    assert glob.glob(os.path.join(local, "install", "*", "peso-demo-app-*"))
    assert tree.installed() == []  # the scope's own install tree was not touched


def test_install_local_needs_a_cache(demo_stack, tmp_path):
    tree = Tree(demo_stack, tmp_path)
    proc = demo_stack.peso(
        "stack", "test", "--target", "host", "--env", tree.env_dir, "-C", tree.scope, "--out", tree.out,
        "--install-local", str(tmp_path / "local"),
    )  # fmt: skip
    assert "--use-buildcache" in one_error(proc)


def test_a_killed_install_leaves_nothing_half_installed_registered(demo_stack, spack, tmp_path):
    tree = Tree(demo_stack, tmp_path)
    argv = [sys.executable, "-m", "peso", "stack", "build", "--target", "host", "--env", tree.env_dir]
    argv += ["-C", tree.scope, "-c", "concretizer:unify:true", "--out", tree.out, "--only", PAIR]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=demo_stack.env, start_new_session=True
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "installing peso-demo-lib" in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=300)
    assert any("installing peso-demo-lib" in x for x in seen), "".join(seen)
    record = tree.record()
    assert record["complete"] is False and {r["status"] for r in record["specs"]} == {"PENDING"}
    found = spack(
        "-C", tree.scope, "-e", tree.env_dir, "find", "--format", "{name} {prefix}", check=False, env=demo_stack.env
    )
    for entry in found.stdout.splitlines():
        name, prefix = entry.split()
        if not prefix.startswith(os.path.join(tree.work, "install")):
            continue  # an external
        # whatever Spack registered is whole: its metadata and files are there
        assert os.path.isfile(os.path.join(prefix, ".spack", "spec.json")), entry
    # and the next run installs over what the killed one left
    proc, out = tree.build()
    assert proc.returncode == 0, out
    assert {r["status"] for r in tree.record()["specs"]} == {"BUILT"}
