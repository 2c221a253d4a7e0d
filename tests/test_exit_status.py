"""The exit-status contract every command keeps (``peso.errors.EXIT_STATUS_HELP``)."""

import os
import subprocess
import sys
import types

import pytest
from peso_testing import ROOT

from peso.cmd import peso as peso_cmd
from peso.errors import INTERNAL_ERROR, PesoError


def _run_with(monkeypatch, tmp_path, raising, crash_dir=None):
    def run(args):
        raise raising

    monkeypatch.setenv("PESO_CRASH_DIR", crash_dir or str(tmp_path / "crashes"))
    with pytest.raises(SystemExit) as stopped:
        peso_cmd.peso(None, types.SimpleNamespace(peso_command="lint", func=run))
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


def test_a_crash_in_library_code_of_a_real_process_is_exit_3_and_the_traceback_is_kept(tmp_path):
    """The whole path as a user meets it: ``python -m peso``'s boundary, a library function
    deep below the command raising, stderr one line, the saved file the traceback."""
    crash_dir = tmp_path / "crashes"
    script = (
        "import sys\n"
        "from peso.policy import explain\n"
        "def broken(policy_id):\n"
        "    raise ZeroDivisionError('planted in ' + policy_id)\n"
        "explain.text = broken\n"
        "from peso.__main__ import main\n"
        "sys.argv = ['peso', 'policy', 'explain', 'E4S-P2']\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), PESO_CRASH_DIR=str(crash_dir)),
        timeout=120,
    )
    assert proc.returncode == INTERNAL_ERROR, proc.stderr
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "ZeroDivisionError: planted in E4S-P2" in proc.stderr
    (saved,) = os.listdir(crash_dir)
    assert saved.startswith("peso-crash-") and saved.endswith(".txt") and proc.stderr.strip().endswith(saved)
    text = (crash_dir / saved).read_text()
    assert text.startswith("command: peso policy explain E4S-P2")
    assert "Traceback (most recent call last)" in text and "in broken" in text


def test_without_a_writable_crash_folder_the_traceback_goes_to_the_temp_folder(monkeypatch, tmp_path, capsys):
    import tempfile

    (tmp_path / "a-file").write_text("")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    code = _run_with(monkeypatch, tmp_path, RuntimeError("x"), crash_dir=str(tmp_path / "a-file" / "sub"))
    assert code == INTERNAL_ERROR
    (saved,) = os.listdir(tmp_path / "tmp")
    assert capsys.readouterr().err.strip().endswith(os.path.join(str(tmp_path / "tmp"), saved))
    assert "RuntimeError: x" in (tmp_path / "tmp" / saved).read_text()
