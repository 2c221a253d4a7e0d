"""Scheduler fields are validated for their scheduler before anything is written: a line
break in ``--partition`` must never end a batch script's header and become a command."""

import os
import subprocess
import sys

import pytest
from peso_testing import ROOT

from peso.errors import PesoError
from peso.stack.run.executors.base import check_script_path, resolve_facts

PROFILE = {"name": "t", "scheduler": {"kind": "slurm", "partition": "batch", "account": "<PROJECT>"}}


@pytest.mark.parametrize(
    "kind, key, value",
    [
        ("slurm", "partition", "debug\ntouch F"),
        ("slurm", "partition", "debug;rm -rf x"),
        ("slurm", "account", "abc$(id)"),
        ("pbs", "partition", "debug extra"),
        ("pbs", "account", "a`b`"),
        ("flux", "partition", "q,r"),  # a list is Slurm's syntax, not Flux's
    ],
)
def test_bad_fields_are_refused_in_one_line(kind, key, value):
    with pytest.raises(PesoError) as refused:
        resolve_facts(PROFILE, {"scheduler": kind, key: value})
    assert "is not a valid %s" % kind in str(refused.value) and "\n" not in str(refused.value).replace(value, "")


@pytest.mark.parametrize(
    "kind, key, value",
    [("slurm", "partition", "batch,debug"), ("pbs", "partition", "prod@polaris-pbs"), ("flux", "account", "csc-0x")],
)
def test_real_names_pass_for_their_scheduler(kind, key, value):
    assert getattr(resolve_facts(PROFILE, {"scheduler": kind, key: value}), key) == value


def test_profile_directives_and_output_folders_are_single_safe_lines(tmp_path):
    profile = {"name": "t", "scheduler": {"kind": "slurm", "directives": ["--constraint=gpu", "--qos=x\n#SBATCH -x"]}}
    with pytest.raises(PesoError, match="no line breaks"):
        resolve_facts(profile, {})
    with pytest.raises(PesoError, match="cannot contain spaces or line breaks"):
        check_script_path(str(tmp_path / "out dir" / "jobs"))


def test_stack_test_refuses_an_injected_partition_before_writing_anything(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "test", "--target", "frontier", "--scheduler", "slurm"]
        + ["--partition", "debug\ntouch F", "--out", "out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), PESO_ENVIRONMENTS=""),
        timeout=300,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "is not a valid slurm partition name" in proc.stderr and "Traceback" not in proc.stderr
    assert os.listdir(tmp_path) == []
