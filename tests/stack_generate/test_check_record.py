"""The ``--record`` file that lets a long ``--check --each`` run resume across sessions."""

import json
import subprocess
import sys

from peso.stack.check import read_record, stack_fingerprint


def test_record_keeps_only_this_stack_and_survives_a_cut_line(tmp_path):
    (tmp_path / "spack.yaml").write_text("spack:\n  specs: [zfp]\n")
    mine = stack_fingerprint(str(tmp_path))
    record = tmp_path / "each.jsonl"
    lines = [
        {"spec": "zfp", "ok": False, "error": "first try", "stack": mine},
        {"spec": "zfp", "ok": True, "error": "", "stack": mine},  # the later verdict wins
        {"spec": "papi", "ok": True, "error": "", "stack": "another-stack"},
    ]
    record.write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"spec": "hyp')
    known = read_record(str(record), mine)
    assert list(known) == ["zfp"] and known["zfp"]["ok"] is True
    assert read_record(str(tmp_path / "missing.jsonl"), mine) == {}

    (tmp_path / "spack.yaml").write_text("spack:\n  specs: [zfp, papi]\n")
    assert stack_fingerprint(str(tmp_path)) != mine


def test_resume_needs_a_record(repo_root, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "peso", "stack", "generate", "--target=x86_64_v3",
                           "--only", "zfp", "-o", str(tmp_path / "x"), "--check", "--each",
                           "--resume"], capture_output=True, text=True, cwd=repo_root)
    assert proc.returncode != 0
    assert "--resume needs --record" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
