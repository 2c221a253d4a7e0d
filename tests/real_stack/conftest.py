"""The real-product stack (environments/catalog/e4s-real.yaml) built and tested once per
test session, as a user runs it: ``stack generate --target=debian12``, ``stack build
--mirror <source mirror>``, ``stack test``. Real upstream sources (the offline source
mirror in ../shared/spack/mirror, or $PESO_SOURCE_MIRROR), real Spack, Debian externals;
about 10 minutes on 2 cores."""

import json
import os
import subprocess
import sys

import pytest
from peso_testing import missing

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "demo"))

import spack_scope  # noqa: E402

CATALOG = os.path.join(ROOT, "environments", "catalog", "e4s-real.yaml")


def source_mirror():
    mirror = os.environ.get("PESO_SOURCE_MIRROR") or os.path.join(os.path.dirname(ROOT), "shared", "spack", "mirror")
    if not os.path.isdir(os.path.join(mirror, "_source-cache")):
        missing("NO SOURCE MIRROR at %s (set PESO_SOURCE_MIRROR)" % mirror)
    return mirror


class RealStack:
    """One work folder: scope (install tree, stages), environment, results."""

    def __init__(self, spack, work, name="real", curated=False):
        self.work = str(work)
        self.name = name
        self.env_dir = os.path.join(self.work, "env-" + name)
        self.out = os.path.join(self.work, "out-" + name)
        # one install tree per work folder: a curated run rebuilds only what it overlays
        self.scopes = [spack_scope.write_scope(self.work, host_externals=False)]
        if curated:
            self.scopes.append(spack_scope.write_repo_scope(os.path.join(self.work, "curated-scope")))
        self.env = dict(
            spack.env,
            SPACK_ROOT=spack.root,
            SPACK_USER_CONFIG_PATH=os.path.join(self.work, "user-config"),
            OMPI_ALLOW_RUN_AS_ROOT="1",
            OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        )
        self.spack = spack

    def scope_args(self):
        return [arg for scope in self.scopes for arg in ("-C", scope)]

    def peso(self, *args, timeout=3600):
        return subprocess.run(
            [sys.executable, "-m", "peso", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.work,
            timeout=timeout,
        )

    def args(self, command, *extra):
        return [
            "stack",
            command,
            "--target",
            "debian12",
            "--env",
            self.env_dir,
            *self.scope_args(),
            "--out",
            self.out,
            *extra,
        ]

    def spack_cmd(self, *args, timeout=1800):
        return self.spack(*self.scope_args(), "-e", self.env_dir, *args, env=self.env, timeout=timeout, check=False)

    def generate(self):
        proc = self.peso("stack", "generate", "--target=debian12", "--catalog", CATALOG, "-o", self.env_dir)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def build(self, mirror):
        proc = self.peso(*self.args("build", "-j", "2", "--mirror", mirror))
        assert os.path.isfile(os.path.join(self.out, "build.json")), proc.stdout + proc.stderr
        return proc

    def test(self):
        proc = self.peso(*self.args("test", "-j", "2", "--timeout", "600"))
        run = [
            line.split("run record: ", 1)[1].strip()
            for line in proc.stdout.splitlines() + proc.stderr.splitlines()
            if "run record: " in line
        ]
        assert run, proc.stdout + proc.stderr
        with open(run[0]) as f:
            return proc, run[0], json.load(f)


@pytest.fixture(scope="session")
def real_mirror():
    return source_mirror()


@pytest.fixture(scope="session")
def real_stack(spack, tmp_path_factory, real_mirror):
    """The builtin recipes, built from the mirror and tested: ``(stack, build_proc,
    test_proc, record_path, record)``."""
    stack = RealStack(spack, tmp_path_factory.mktemp("real-stack"))
    stack.generate()
    build = stack.build(real_mirror)
    test, path, record = stack.test()
    return stack, build, test, path, record


@pytest.fixture(scope="session")
def curated_stack(real_stack, real_mirror):
    """The same stack with the curation repository (repo/spack_repo/peso) ahead of
    builtin, in the same install tree: only the curated products are rebuilt."""
    builtin = real_stack[0]
    stack = RealStack(builtin.spack, builtin.work, name="curated", curated=True)
    stack.generate()
    build = stack.build(real_mirror)
    test, path, record = stack.test()
    return stack, build, test, path, record
