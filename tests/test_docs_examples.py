"""Console examples in the README and the docs cannot drift from the program.

The convention, stated in CONTRIBUTING.md: a ```` ```console ```` block right after a
``<!-- checked -->`` line is *checked*. Each ``$ `` line in it must be a command that needs
no Spack and writes nothing (``RUNNABLE``); it is run from the checkout, and every output
line shown under it must appear in the real output, in order (other lines may come
between; ``...`` stands for any text, or on a line of its own for any lines). An
unmarked block may not show the output of a runnable command: that output would be
unchecked and could drift.
"""

import os
import re
import shlex
import subprocess
import sys

import pytest
from peso_testing import ROOT

PAGES = [os.path.join(ROOT, "README.md")] + [
    os.path.join(ROOT, "docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs"))) if name.endswith(".md")
]
#: commands a checked example may run: read-only, no Spack, seconds
RUNNABLE = re.compile(
    r"^python3? -m peso (lint( repo/?)?( --explain \S+| --list-rules)?( --profile \w+)?|stack targets|policy explain \S+)$"
)
MARKER = "<!-- checked -->"
_FENCE = re.compile(r"^(?P<marker><!-- checked -->\n)?```console\n(?P<body>.*?)^```", re.M | re.S)


def console_blocks():
    """(page, checked?, [(command, shown output lines)]) for every console block."""
    blocks = []
    for page in PAGES:
        with open(page, encoding="utf-8") as f:
            text = f.read()
        for match in _FENCE.finditer(text):
            commands = []
            for line in match.group("body").splitlines():
                if line.startswith("$ "):
                    commands.append((line[2:].split("  #", 1)[0].strip(), []))
                elif commands and line.strip():
                    commands[-1][1].append(line.rstrip())
            blocks.append((os.path.relpath(page, ROOT), bool(match.group("marker")), commands))
    return blocks


BLOCKS = console_blocks()
EXAMPLES = [(page, command, shown) for page, checked, commands in BLOCKS if checked for command, shown in commands]


def test_the_readme_and_the_guides_have_checked_examples():
    pages = {page for page, _, _ in EXAMPLES}
    commands = {command for _, command, _ in EXAMPLES}
    assert "README.md" in pages and os.path.join("docs", "lint.md") in pages, sorted(pages)
    for wanted in ("lint", "lint --explain", "lint --list-rules", "policy explain", "stack targets"):
        assert any(re.match(r"python3? -m peso %s\b" % wanted, c) for c in commands), wanted


def test_a_checked_block_runs_only_what_needs_no_spack_and_shows_output():
    for page, checked, commands in BLOCKS:
        if not checked:
            continue
        for command, shown in commands:
            assert RUNNABLE.match(command), "%s: checked block runs %r, which is not read-only without Spack" % (
                page,
                command,
            )
            assert [line for line in shown if line.strip() != "..."], "%s: %r shows no output to check" % (
                page,
                command,
            )


def test_no_unchecked_block_shows_the_output_of_a_runnable_command():
    for page, checked, commands in BLOCKS:
        for command, shown in commands:
            if not checked and RUNNABLE.match(command):
                assert not shown, "%s: %r shows output in a block not marked %s" % (page, command, MARKER)


def _pattern(line: str):
    """A shown line as a regex: runs of blanks are any blanks, ``...`` any text."""
    parts = [re.escape(part).replace(r"\.\.\.", ".*") for part in line.strip().split()]
    return re.compile(r"\s+".join(parts))


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
    real = [line.strip() for line in (proc.stdout + proc.stderr).splitlines()]
    position = 0
    for line in shown:
        if line.strip() == "...":
            continue
        pattern = _pattern(line)
        for index in range(position, len(real)):
            if pattern.fullmatch(real[index]):
                position = index + 1
                break
        else:
            raise AssertionError("%s shows a line '%s' does not print (in this order):\n%s" % (page, command, line))
