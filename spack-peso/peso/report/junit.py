"""Lint findings as JUnit XML, for CI systems that show test reports (GitLab, Jenkins):
one test case per linted package, one ``<failure>`` per finding.

Written with ``xml.sax.saxutils`` escaping rather than ElementTree: a whole-repository
report has tens of thousands of elements, and building then serialising a tree costs
several times more than joining escaped strings.
"""

import collections
import re
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from .lint_common import display_path

#: characters XML 1.0 cannot hold at all, even escaped (messages may quote recipe strings)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


#: anything escaping changes; most names, paths and messages hold none of it
_SPECIAL = re.compile("[&<>\"'\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
    return _escape(_NOT_XML.sub("?", text))


def quoteattr(text: str) -> str:
    if not _SPECIAL.search(text):
        return '"%s"' % text  # the same as saxutils.quoteattr for such text
    return _quoteattr(_NOT_XML.sub("?", text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def render(result, base: str) -> str:
    by_path = collections.defaultdict(list)
    for f in result.findings:
        by_path[f.path].append(f)
    cases = list(result.files)
    linted = {path for path, _ in cases}
    # findings outside the linted files (the waiver file) get a case of their own
    for path in sorted(by_path):
        if path not in linted:
            cases.append((path, display_path(path, base)))
    failed = sum(1 for path, _ in cases if by_path.get(path))
    suite = quoteattr("spack-peso lint (%s)" % result.profile.name)
    counts = 'tests="%d" failures="%d"' % (len(cases), failed)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<testsuites name=%s %s>" % (suite, counts),
        '  <testsuite name=%s %s errors="0" skipped="0">' % (suite, counts),
    ]
    for path, package in cases:
        shown = display_path(path, base)
        head = '    <testcase classname="peso.lint" name=%s file=%s' % (quoteattr(package), quoteattr(shown))
        findings = by_path.get(path)
        if not findings:
            out.append(head + " />")
            continue
        out.append(head + ">")
        for f in findings:
            out.append(
                "      <failure type=%s message=%s>%s</failure>"
                % (
                    quoteattr(f.rule),
                    quoteattr("%s %s: %s" % (f.rule, f.severity, f.message)),
                    escape("%s:%d:%d: %s %s %s" % (shown, f.line, f.column, f.rule, f.severity, f.message)),
                )
            )
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
