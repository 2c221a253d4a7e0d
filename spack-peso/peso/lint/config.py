"""Lint configuration: ``peso.yaml`` or ``[tool.peso]`` in ``pyproject.toml``.

A project keeps its lint choices (profile, selected and ignored rules, failure threshold,
waiver file) next to its recipes so that every developer, the pre-commit hook and CI run
the same lint. The file is found by walking up from the current directory; the first
folder holding ``peso.yaml`` or a ``pyproject.toml`` with a ``[tool.peso]`` table wins.
Command-line options override it key by key.

Keys may sit at the top level or in a ``lint:`` table (``[tool.peso.lint]``); other
tables (for other ``peso`` commands) are left alone, but an unknown plain key is an error
so that a typo does not silently change nothing.
"""

import dataclasses
import os
from typing import List, Optional, Tuple

from ..errors import PesoError

FORMATS = ("text", "json", "sarif", "github", "junit")
#: registry.SEVERITIES, repeated so that importing this module needs neither the rule
#: registry nor PyYAML (commands import it while Spack builds its parser; a test checks)
SEVERITIES = ("info", "warning", "error")
CONFIG_NAMES = ("peso.yaml", "pyproject.toml")


@dataclasses.dataclass
class LintConfig:
    select: Optional[List[str]] = None
    ignore: List[str] = dataclasses.field(default_factory=list)
    policy: Optional[str] = None
    fail_on: str = "error"
    waivers: Optional[str] = None
    jobs: Optional[int] = None
    format: str = "text"
    cache_dir: Optional[str] = None
    #: the file these settings came from (None: defaults only)
    source: Optional[str] = None

    def override(self, **options) -> "LintConfig":
        """A copy with every option that is not None replacing the configured value."""
        changes = {k: v for k, v in options.items() if v is not None}
        return dataclasses.replace(self, **changes)


#: key in the file -> (attribute, type check, description of the expected type)
_KEYS = {
    "select": ("select", "list", "a list of rule IDs, prefixes or policy IDs"),
    "ignore": ("ignore", "list", "a list of rule IDs, prefixes or policy IDs"),
    "profile": ("policy", "str", "a profile name"),
    "policy": ("policy", "str", "a profile name"),
    "fail-on": ("fail_on", "severity", "one of " + ", ".join(SEVERITIES)),
    "fail_on": ("fail_on", "severity", "one of " + ", ".join(SEVERITIES)),
    "waivers": ("waivers", "path", "a file path"),
    "jobs": ("jobs", "int", "a positive integer"),
    "format": ("format", "format", "one of " + ", ".join(FORMATS)),
    "cache-dir": ("cache_dir", "path", "a folder path"),
    "cache_dir": ("cache_dir", "path", "a folder path"),
}


def find_config(start: Optional[str] = None) -> Optional[Tuple[str, dict]]:
    """The nearest config file above ``start`` (default: cwd) and its peso table."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        yaml_path = os.path.join(folder, "peso.yaml")
        if os.path.isfile(yaml_path):
            return yaml_path, _read_yaml(yaml_path)
        toml_path = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(toml_path):
            table = _read_pyproject(toml_path)
            if table is not None:
                return toml_path, table
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(start: Optional[str] = None) -> LintConfig:
    """The lint configuration in force at ``start`` (defaults when there is no file)."""
    found = find_config(start)
    if not found:
        return LintConfig()
    path, table = found
    return parse_config(table, path)


def parse_config(table: dict, path: str) -> LintConfig:
    if not isinstance(table, dict):
        raise PesoError("expected a mapping of lint settings", path=path)
    merged = {k: v for k, v in table.items() if k != "lint"}
    lint_table = table.get("lint")
    if lint_table is not None:
        if not isinstance(lint_table, dict):
            raise PesoError("expected a mapping", path=path, key="lint")
        merged.update(lint_table)
    values = {}
    base = os.path.dirname(os.path.abspath(path))
    for key, value in merged.items():
        if key not in _KEYS:
            if isinstance(value, dict):
                continue  # a table for another peso command
            raise PesoError("unknown setting (known: %s)" % ", ".join(sorted(_KEYS)), path=path, key=key)
        attr, kind, expected = _KEYS[key]
        values[attr] = _check(value, kind, expected, path, key, base)
    return LintConfig(source=path, **values)


def _check(value, kind, expected, path, key, base):
    bad = PesoError("expected %s, got %r" % (expected, value), path=path, key=key)
    if kind == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise bad
        return value
    if kind == "severity":
        if value not in SEVERITIES:
            raise bad
        return value
    if kind == "format":
        if value not in FORMATS:
            raise bad
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad
        return value
    if kind == "path":
        if not isinstance(value, str):
            raise bad
        return os.path.join(base, os.path.expanduser(value))
    raise AssertionError(kind)


def _read_yaml(path: str) -> dict:
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, UnicodeDecodeError) as e:
        raise PesoError("cannot read: %s" % e, path=path)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = " (line %d)" % (mark.line + 1) if mark else ""
        raise PesoError("not valid YAML%s: %s" % (where, getattr(e, "problem", e)), path=path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PesoError("expected a mapping of lint settings", path=path)
    return data


def _read_pyproject(path: str) -> Optional[dict]:
    """The ``[tool.peso]`` table, or None when the file has none."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise PesoError("cannot read: %s" % e, path=path)
    if b"tool.peso" not in raw:
        return None
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise PesoError("reading [tool.peso] needs Python >= 3.11 or the tomli package", path=path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise PesoError("not valid TOML: %s" % e, path=path)
    table = data.get("tool", {}).get("peso")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise PesoError("expected a table", path=path, key="tool.peso")
    return table
