"""Configuration from peso.yaml or [tool.peso] in pyproject.toml, found upwards."""

import os

import pytest

from peso.errors import PesoError
from peso.lint.config import LintConfig, load_config


def test_defaults_without_a_file(tmp_path):
    assert load_config(str(tmp_path)) == LintConfig()


def test_peso_yaml_found_from_a_subfolder(project):
    project.write(
        "peso.yaml",
        """\
        policy: xsdk
        select: [PESO-E, PESO-Z901]
        ignore: PESO-X004, PESO-X003
        fail-on: warning
        jobs: 3
        format: sarif
        waivers: ci/waivers.yaml
        stack: {targets: [x]}   # another command's table is left alone
        """,
    )
    sub = os.path.join(project.root, "a", "b")
    os.makedirs(sub)
    cfg = load_config(sub)
    assert cfg.policy == "xsdk" and cfg.select == ["PESO-E", "PESO-Z901"]
    assert cfg.ignore == ["PESO-X004", "PESO-X003"]
    assert (cfg.fail_on, cfg.jobs, cfg.format) == ("warning", 3, "sarif")
    assert cfg.waivers == os.path.join(project.root, "ci/waivers.yaml")
    assert cfg.source == os.path.join(project.root, "peso.yaml")


def test_pyproject_tool_peso_with_lint_table(project):
    project.write(
        "pyproject.toml",
        """\
        [project]
        name = "x"

        [tool.peso.lint]
        policy = "all"
        fail-on = "info"
        ignore = ["PESO-X002"]
        """,
    )
    cfg = load_config(project.root)
    assert (cfg.policy, cfg.fail_on, cfg.ignore) == ("all", "info", ["PESO-X002"])


def test_pyproject_without_tool_peso_is_skipped(project, tmp_path):
    project.write("pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(project.root).source is None


def test_cli_overrides_config_key_by_key(project):
    project.write("peso.yaml", "policy: xsdk\nfail-on: warning\n")
    cfg = load_config(project.root).override(policy="e4s", fail_on=None, select=None)
    assert (cfg.policy, cfg.fail_on, cfg.select) == ("e4s", "warning", None)


@pytest.mark.parametrize(
    "text, key",
    [("fail-on: fatal\n", "fail-on"), ("jobs: 0\n", "jobs"), ("format: html\n", "format"), ("selct: [A]\n", "selct")],
)
def test_bad_settings_name_file_and_key(project, text, key):
    project.write("peso.yaml", text)
    with pytest.raises(PesoError) as e:
        load_config(project.root)
    assert str(e.value).startswith(os.path.join(project.root, "peso.yaml") + ": " + key + ": ")


def test_invalid_yaml_is_one_line(project):
    project.write("peso.yaml", "policy: [unclosed\n")
    with pytest.raises(PesoError, match="not valid YAML"):
        load_config(project.root)


def test_command_choices_match_the_library():
    """commands/lint.py repeats these two tuples so that building the parser imports nothing."""
    from peso.cli import lint as lint_command
    from peso.lint import config, registry

    assert lint_command.FORMATS == config.FORMATS
    assert lint_command.SEVERITIES == registry.SEVERITIES == config.SEVERITIES
