"""``spack peso stack report`` works under a Python that only has Spack's vendored libs."""

import os
import subprocess
import sys

from peso.stack.run import records

EXT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "spack-peso")


def test_html_report_renders_with_spacks_vendored_jinja2(spack, tmp_path):
    record = records.new_record("test", "host", str(tmp_path), {}, "R1")
    record["specs"] = [records.spec_row({"package": "zlib", "hash": "a" * 32}, "host", "PASSED")]
    path = tmp_path / "record.json"
    records.write_record(record, str(path))
    venv = tmp_path / "venv"  # no jinja2, no spack-peso: only what Spack brings
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    html = tmp_path / "report.html"
    spack(
        "-c",
        "config:extensions:[%s]" % EXT,
        "peso",
        "stack",
        "report",
        str(path),
        "--html",
        str(html),
        env={"SPACK_PYTHON": str(venv / "bin" / "python"), "PYTHONPATH": ""},
    )
    assert 'data-status="PASSED"' in html.read_text()
