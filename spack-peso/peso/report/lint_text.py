"""Lint findings as text: one ``path:line:col: ID severity message`` line each, then a
summary per rule and per policy. Coloured only when writing to a terminal."""

from .. import ui
from .lint_common import count_by_policy, count_by_rule, count_by_severity, display_path

_COLORS = {"error": "r", "warning": "y", "info": "c"}


def render(result, base: str, color=False) -> str:
    """The text report; ``color`` False (plain), True, or None (decide by terminal)."""

    def paint(code: str, text: str) -> str:
        # only fixed tokens (IDs, severities) are painted: they contain no markup characters
        if color is False:
            return text
        return ui.colorize("@%s{%s}" % (code, text), color=color)

    lines = []
    for f in result.findings:
        lines.append(
            "%s:%d:%d: %s %s %s"
            % (
                display_path(f.path, base),
                f.line,
                f.column,
                paint("*" + _COLORS[f.severity], f.rule),
                paint(_COLORS[f.severity], f.severity),
                f.message,
            )
        )
    if result.findings:
        lines.append("")
        lines.append("Findings by rule:")
        for rule_id, name, n in count_by_rule(result.findings):
            lines.append("  %-10s %-36s %6d" % (rule_id, name, n))
        lines.append("Findings by policy:")
        for policy, n in count_by_policy(result.findings):
            lines.append("  %-12s %6d" % (policy, n))
    counts = count_by_severity(result.findings)
    total = "%d error%s, %d warning%s, %d info" % (
        counts["error"],
        "" if counts["error"] == 1 else "s",
        counts["warning"],
        "" if counts["warning"] == 1 else "s",
        counts["info"],
    )
    lines.append(
        "Checked %d file%s (%d linted, %d from cache) with %d rules of profile %s: %s"
        % (
            result.files_seen,
            "" if result.files_seen == 1 else "s",
            result.files_linted,
            result.files_cached,
            len(result.active),
            result.profile.name,
            total,
        )
        + ("; %d suppressed inline" % result.suppressed if result.suppressed else "")
        + ("; %d waived" % result.waived if result.waived else "")
    )
    return "\n".join(lines) + "\n"
