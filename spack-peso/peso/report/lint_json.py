"""Lint findings as JSON: an array with one object per finding."""

import json

from .lint_common import display_path

FIELDS = ("rule", "name", "severity", "policies", "package", "path", "line", "column", "message")


def render(result, base: str) -> str:
    items = []
    for f in result.findings:
        items.append(
            {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity,
                "policies": list(f.policies),
                "package": f.package,
                "path": display_path(f.path, base),
                "line": f.line,
                "column": f.column,
                "message": f.message,
            }
        )
    # one finding per line: readable, greppable, and the C encoder (indent= is pure Python)
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]\n"
