"""The options every command shares are validated in one place (``peso.cli.options``)."""

import argparse
import os
import subprocess
import sys

import pytest

from peso.cli import options


@pytest.mark.parametrize("text", ["0", "-1", "-3", "two", "1.5", ""])
def test_jobs_below_one_or_not_a_number_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match="whole number >= 1"):
        options.jobs(text)


def test_jobs_above_the_cap_is_capped_with_a_notice(capsys):
    cap = options.jobs_cap()
    assert options.jobs(str(cap + 100)) == cap
    assert "capped at %d" % cap in capsys.readouterr().err
    assert options.jobs("1") == 1


@pytest.mark.parametrize("text", ["0", "-5", "nan", "inf", "soon"])
def test_seconds_must_be_a_positive_finite_number(text):
    with pytest.raises(argparse.ArgumentTypeError, match="seconds > 0"):
        options.seconds(text)


def test_csv_splits_repeated_comma_and_space_separated_values():
    assert options.csv(["a,b", " c ", "d e,,"]) == ["a", "b", "c", "d", "e"]
    assert options.csv("x,y") == ["x", "y"]
    assert options.csv(None) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "-j", "0"],
        ["stack", "generate", "--target", "debian12", "-j", "-1"],
        ["stack", "generate", "--target", "debian12", "--check", "--timeout", "0"],
        ["stack", "build", "--target", "host", "-j", "-3"],
        ["stack", "test", "--target", "host", "--timeout", "0"],
        ["policy", "report", "-j", "0"],
    ],
)
def test_every_command_refuses_bad_common_options_with_usage_exit_2(argv, tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.path.join(root, "spack-peso"))
    proc = subprocess.run(
        [sys.executable, "-m", "peso", *argv], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "whole number >= 1" in proc.stderr or "seconds > 0" in proc.stderr
    assert os.listdir(tmp_path) == []


def test_every_command_has_one_shape_a_parser_that_names_its_function():
    """Every parser that runs something carries ``func`` (set_defaults), at any depth;
    a group (stack, policy) only chooses a subcommand."""
    import argparse

    from peso.__main__ import make_parser

    def leaves(parser, words):
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not groups:
            yield words, parser
        for group in groups:
            for name, child in group.choices.items():
                yield from leaves(child, words + [name])

    found = list(leaves(make_parser(), []))
    assert len(found) >= 12
    for words, parser in found:
        assert callable(parser.get_default("func")), " ".join(words)
    assert make_parser().parse_args(["stack", "test", "--target", "host"]).func.__name__ == "stack_test"
