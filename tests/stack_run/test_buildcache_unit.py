"""Binary caches and parallel packages without Spack: the lines they read, the rules they keep."""

import argparse
import os

import pytest

from peso.errors import PesoError
from peso.spackcall import buildcache
from peso.stack import session
from peso.stack.run import binaries, depfile, records
from peso.stack.run.build import InstallOutput
from peso.stack.run.executors.build_job import inner_argv

HASH = "xd2ricsjhv6wlhkdhtmxg7276pqymelu"


def test_a_push_is_signed_with_a_key_or_said_unsigned():
    assert buildcache.signing_args("ABC123", False) == ["--key", "ABC123"]
    assert buildcache.signing_args(None, True) == ["--unsigned"]
    for key, unsigned in ((None, False), ("ABC123", True)):
        with pytest.raises(PesoError):
            buildcache.signing_args(key, unsigned)


def test_cache_locations_become_mirror_urls(tmp_path):
    assert buildcache.cache_url(str(tmp_path)) == "file://" + str(tmp_path)
    assert buildcache.cache_url("relative") == "file://" + os.path.abspath("relative")
    assert buildcache.cache_url("s3://bucket/cache/") == "s3://bucket/cache"
    assert buildcache.local_path("file:///a/b") == "/a/b"
    assert buildcache.local_path("https://x/y") is None


def test_the_cache_scope_adds_a_binary_mirror_and_checks_a_local_folder(tmp_path):
    scope = buildcache.cache_scope("file://" + str(tmp_path), str(tmp_path / "scope"), unsigned=False)
    with open(os.path.join(scope, "mirrors.yaml")) as f:
        text = f.read()
    assert text.startswith("mirrors:\n") and "binary: true" in text and "signed: true" in text
    with pytest.raises(PesoError, match="does not exist"):
        buildcache.cache_scope("file://" + str(tmp_path / "absent"), str(tmp_path / "s2"), unsigned=True)


def test_spack_cache_lines_are_followed():
    # Spack 1.2 installer.py wording
    follower = binaries.CacheOutput()
    follower.feed("==> Extracting peso-demo-lib-1.0-%s from binary cache\n" % HASH)
    follower.feed("==> No binary for peso-demo-app-1.0-%s found: installing from source\n" % HASH)
    follower.feed(
        "==> Error: Failed to install peso-demo-app from binary cache due to bad checksum: "
        "Requeuing to install from source.\n"
    )
    assert follower.extracted == [HASH]
    assert follower.fell_back == {HASH: "peso-demo-app-1.0"}
    assert follower.requeued == {"peso-demo-app": "bad checksum"}


def test_make_failure_lines_name_the_package_and_take_spacks_reason():
    make = depfile.MakeOutput()
    make.feed("make: *** [/o/depfile/Makefile:23: peso/install/peso-demo-broken-1.0-%s] Error 1\n" % HASH)
    make.feed("make: *** [Makefile:9: peso/env] Error 2\n")
    assert make.failed == {HASH: "peso-demo-broken-1.0"}
    follower = InstallOutput()
    follower.feed("==> Error: ProcessError: Command exited with status 2:\n")
    follower.feed("  /s/spack-stage-peso-demo-broken-1.0-%s/spack-build-out.txt\n" % HASH)
    make.merge_into(follower)
    assert follower.failed == {HASH: "ProcessError: Command exited with status 2:"}


def test_rows_get_the_source_of_their_prefix():
    rows = [{"hash": "a"}, {"hash": "b"}, {"hash": "c"}]
    nodes = [
        {"hash": "a", "source": "cache"},
        {"hash": "b", "source": "built", "cache_problem": "could not fetch"},
        {"hash": "c", "source": None},
    ]
    binaries.annotate_rows(rows, nodes)
    assert rows == [
        {"hash": "a", "source": "cache"},
        {"hash": "b", "source": "built", "cache_problem": "could not fetch"},
        {"hash": "c"},
    ]


def test_a_failed_push_fails_the_run():
    record = {"specs": [{"status": "BUILT"}], "buildcache_push": {"url": "file:///c", "ok": False}}
    assert records.exit_status(record) == 1
    record["buildcache_push"]["ok"] = True
    assert records.exit_status(record) == 0


def test_the_batch_build_job_keeps_the_cache_and_parallel_options(tmp_path):
    args = argparse.Namespace(
        target="host", scopes=[], config=[], jobs=None, only=None, mirror=None,
        use_buildcache="cache-in", buildcache="s3://b/c", key="K", unsigned=False, parallel_packages=3,
    )  # fmt: skip
    place = session.resolve("host", env_dir=str(tmp_path), out=str(tmp_path / "out"))
    argv = inner_argv(args, place)
    assert argv[argv.index("--out") + 1] == str(tmp_path / "out")
    assert argv[argv.index("--use-buildcache") + 1] == "file://" + os.path.abspath("cache-in")
    assert argv[argv.index("--buildcache") + 1] == "s3://b/c"
    assert argv[argv.index("--key") + 1] == "K" and "--unsigned" not in argv
    assert argv[argv.index("--parallel-packages") + 1] == "3"
