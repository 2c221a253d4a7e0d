"""Lint findings as GitHub Actions workflow commands, which GitHub shows as annotations
on the pull request's changed lines: ``::error file=F,line=L,col=C,title=ID::message``."""

from .lint_common import display_path

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, base: str) -> str:
    lines = []
    for f in result.findings:
        props = ["file=%s" % _prop(display_path(f.path, base))]
        if f.line:
            props.append("line=%d" % f.line)
            if f.column:
                props.append("col=%d" % f.column)
        props.append("title=%s" % _prop(f.rule))
        message = "%s (%s)" % (f.message, f.name) if f.name else f.message
        lines.append("::%s %s::%s" % (_LEVEL[f.severity], ",".join(props), _data(message)))
    return "".join(line + "\n" for line in lines)
