"""The exit-status contract every command keeps (``peso.errors.EXIT_STATUS_HELP``)."""

import os
import subprocess
import sys
import types

import pytest
from peso_testing import ROOT

from peso.cmd import peso as peso_cmd
from peso.errors import INTERNAL_ERROR, PesoError


def _run_with(monkeypatch, tmp_path, raising):
    def run(args):
        raise raising

    monkeypatch.setitem(peso_cmd.SUBCOMMANDS, "lint", types.SimpleNamespace(run=run))
    monkeypatch.setenv("PESO_CRASH_DIR", str(tmp_path / "crashes"))
    with pytest.raises(SystemExit) as stopped:
        peso_cmd.peso(None, types.SimpleNamespace(peso_command="lint"))
    return stopped.value.code


def test_a_bug_is_exit_3_with_one_line_naming_the_saved_traceback(monkeypatch, tmp_path, capsys):
    code = _run_with(monkeypatch, tmp_path, KeyError("products"))
    err = capsys.readouterr().err
    assert code == INTERNAL_ERROR == 3
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "internal error" in err and "KeyError" in err
    (saved,) = os.listdir(tmp_path / "crashes")
    assert err.strip().endswith(saved)
    text = (tmp_path / "crashes" / saved).read_text()
    assert "Traceback (most recent call last)" in text and "KeyError: 'products'" in text


def test_a_user_error_is_exit_2_and_an_unwritable_file_names_it(monkeypatch, tmp_path, capsys):
    assert _run_with(monkeypatch, tmp_path, PesoError("bad key", "x.yaml")) == 2
    assert capsys.readouterr().err.strip().endswith("x.yaml: bad key")
    denied = PermissionError(13, "Permission denied", str(tmp_path / "out.json"))
    assert _run_with(monkeypatch, tmp_path, denied) == 2
    err = capsys.readouterr().err
    assert "out.json: Permission denied" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "crashes").exists()


@pytest.mark.parametrize(
    "argv",
    [[], ["lint"], ["stack", "generate"], ["stack", "test"], ["policy", "report"], ["policy", "explain"], ["curate"]],
)
def test_every_help_states_the_exit_status_contract(argv):
    proc = subprocess.run(
        [sys.executable, "-m", "peso", *argv, "--help"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "exit status:" in proc.stdout and "3    internal error" in proc.stdout
    usage_and_description = proc.stdout.split("\n\n")[:2]
    assert len(usage_and_description) == 2 and not usage_and_description[1].startswith(("positional", "options"))
