"""One real build of the demo stack per test session, shared by the stack_run tests.

The demo stack (environments/catalog/demo.yaml) is rendered for ``--target=host``, built
with real Spack in an isolated work directory (own install tree, stage, test stage, user
config; see demo/spack_scope.py) and kept for the session. ``peso-demo-docs`` is left out
of the build on purpose (``--only``) so that one root is NOT_INSTALLED.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

sys.path.insert(0, os.path.join(ROOT, "demo"))

import make_tarballs  # noqa: E402
import spack_scope  # noqa: E402

DEMO_ROOTS = [
    "peso-demo-lib",
    "peso-demo-app",
    "peso-demo-fail",
    "peso-demo-hang",
    "peso-demo-data",
    "peso-demo-broken",
    "peso-demo-docs",
]
NOT_BUILT = "peso-demo-docs"


class DemoStack:
    def __init__(self, spack, work):
        self.work = str(work)
        self.env_dir = os.path.join(self.work, "env")
        self.out = os.path.join(self.work, "out")
        self.scope = spack_scope.write_scope(self.work)
        self.env = dict(spack.env, SPACK_ROOT=spack.root)
        self.env["SPACK_USER_CONFIG_PATH"] = os.path.join(self.work, "user-config")

    def peso(self, *args, check=False, timeout=900):
        return subprocess.run(
            [sys.executable, "-m", "peso", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.work,
            timeout=timeout,
        )

    def popen(self, *args):
        return subprocess.Popen(
            [sys.executable, "-m", "peso", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            cwd=self.work,
        )

    def stack_args(self, command, *extra):
        # unify:true: the demo's seven tiny roots in one solve instead of seven (CI time)
        return [
            "stack",
            command,
            "--target",
            "host",
            "--env",
            self.env_dir,
            "-C",
            self.scope,
            "-c",
            "concretizer:unify:true",
            "--out",
            self.out,
            *extra,
        ]


def generate_env(stack: DemoStack):
    """The demo environment comes from the real ``stack generate`` (the catalogue's
    ``repos:`` puts the ``peso`` repo into it; the offline overlay comes from the scope)."""
    proc = stack.peso(
        "stack",
        "generate",
        "--target=host",
        "--catalog",
        os.path.join(ROOT, "environments", "catalog", "demo.yaml"),
        "-o",
        stack.env_dir,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert os.path.isfile(os.path.join(stack.env_dir, "spack.yaml")), os.listdir(stack.env_dir)


@pytest.fixture(scope="session")
def demo_stack(spack, tmp_path_factory):
    make_tarballs.build_all()
    stack = DemoStack(spack, tmp_path_factory.mktemp("demo-stack"))
    generate_env(stack)
    only = ",".join(r for r in DEMO_ROOTS if r != NOT_BUILT)
    proc = stack.peso(*stack.stack_args("build", "--only", only, "-j", "2"))
    stack.build_output = proc.stdout + proc.stderr
    stack.build_exit = proc.returncode
    return stack


class SlurmCluster:
    """A running one-node Slurm cluster: its folder and the environment that reaches it."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.env = {"SLURM_CONF": os.path.join(self.folder, "slurm.conf"), "PESO_BATCH_POLL": "1"}

    def run(self, *argv, check=True):
        proc = subprocess.run(list(argv), capture_output=True, text=True, env=dict(os.environ, **self.env), timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError("%s failed: %s" % (" ".join(argv), proc.stderr))
        return proc


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A real Slurm (slurmctld + slurmd + munged from Debian's slurm-wlm and munge),
    started by ``scripts/slurm-local.sh`` for the session: no mock of sbatch/squeue."""
    import shutil

    from peso_testing import missing

    absent = [
        exe
        for exe in ("munged", "slurmctld", "slurmd", "sbatch", "scontrol")
        if not shutil.which(exe) and not os.path.exists(os.path.join("/usr/sbin", exe))
    ]
    if absent:
        missing("NO SLURM: %s not installed (apt-get install slurm-wlm munge)" % ", ".join(absent))
    folder = tmp_path_factory.mktemp("slurm")
    script = os.path.join(ROOT, "scripts", "slurm-local.sh")
    cluster = SlurmCluster(folder)
    try:
        proc = subprocess.run(["bash", script, "start", str(folder)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, "slurm-local.sh start failed:\n%s%s" % (proc.stdout, proc.stderr)
        yield cluster
    finally:
        subprocess.run(["bash", script, "stop", str(folder)], capture_output=True, text=True, timeout=60)
