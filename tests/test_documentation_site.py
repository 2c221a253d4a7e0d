"""The documentation cannot drift from the program: console examples that need no Spack
are run and their shown output must appear in the real output; the references are
generated from the parser and the rule docs (``docs/_ext/peso_reference.py``)."""

import os
import re
import shlex
import subprocess
import sys

import pytest
from peso_testing import ROOT, missing

PAGES = [os.path.join(ROOT, "README.md")] + [
    os.path.join(ROOT, "docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs"))) if name.endswith(".md")
]
#: commands a console example may show that run here, read-only, in seconds
RUNNABLE = re.compile(r"^python3? -m peso (lint( --explain \S+| --list-rules)?|stack targets|policy explain \S+)$")
_FENCE = re.compile(r"^```console\n(.*?)^```", re.M | re.S)


def examples():
    """(page, command, shown output lines) for every runnable ``$`` line of a console block."""
    found = []
    for page in PAGES:
        with open(page, encoding="utf-8") as f:
            text = f.read()
        for block in _FENCE.findall(text):
            command, shown = None, []
            for line in block.splitlines() + ["$ end"]:
                if line.startswith("$ "):
                    if command and RUNNABLE.match(command):
                        found.append((os.path.relpath(page, ROOT), command, shown))
                    command, shown = line[2:].split("  #", 1)[0].strip(), []
                elif command is not None and line.strip():
                    shown.append(line.rstrip())
    return found


EXAMPLES = examples()


def test_the_readme_and_the_lint_guide_show_runnable_examples():
    pages = {page for page, _, _ in EXAMPLES}
    assert "README.md" in pages and os.path.join("docs", "lint.md") in pages, pages


@pytest.mark.parametrize("page, command, shown", EXAMPLES, ids=["%s: %s" % (p, c) for p, c, _ in EXAMPLES])
def test_console_example_output_is_what_the_program_prints(page, command, shown, tmp_path):
    argv = shlex.split(command)
    proc = subprocess.run(
        [sys.executable, *argv[1:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), XDG_CACHE_HOME=str(tmp_path)),
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    real = (proc.stdout + proc.stderr).splitlines()
    position = 0
    for line in shown:
        if line.strip() == "...":
            continue
        pattern = re.compile(r"\s*".join(re.escape(part) for part in line.strip().split()).replace(r"\.\.\.", ".*"))
        for index in range(position, len(real)):
            if pattern.fullmatch(real[index].strip()):
                position = index + 1
                break
        else:
            raise AssertionError("%s shows a line '%s' does not print:\n%s" % (page, command, line))


def test_the_docs_build_with_warnings_as_errors(tmp_path):
    try:
        import myst_parser  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError:
        missing("NO SPHINX: pip install -e '.[docs]'")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(tmp_path / "html")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for page in ("index", "own-stack", "reference/cli", "reference/rules"):
        assert (tmp_path / "html" / (page + ".html")).is_file()
    cli = (tmp_path / "html" / "reference" / "cli.html").read_text()
    assert "stack generate" in cli and "exit status" in cli
    assert "PESO-T001" in (tmp_path / "html" / "reference" / "rules.html").read_text()
