"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins): lint findings
(one test case per linted package, one ``<failure>`` per finding) and stack run records
(one test case per test part), with one escaping.

Written as joined strings with ``xml.sax.saxutils``' escaping rules rather than with
ElementTree: a whole-repository report has tens of thousands of elements, and building then
serialising a tree costs several times more. The two escaping functions are written out
here because importing ``xml.sax.saxutils`` imports ``urllib.request`` (http.client,
email: 20 ms on every lint run); a test compares them with saxutils.
"""

import collections
import re

#: characters XML 1.0 cannot hold at all, even escaped (messages may quote recipe strings)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


#: what escaping changes in text (saxutils.escape: & < >) and in an attribute (also the
#: double quote and the white space quoteattr writes as entities); most names, paths and
#: messages hold none of it, and an apostrophe alone changes neither
_TEXT_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` without entities."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _quoteattr(text: str) -> str:
    """``xml.sax.saxutils.quoteattr`` with newline, return and tab as character references."""
    text = _escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in text:
        if "'" in text:
            return '"%s"' % text.replace('"', "&quot;")
        return "'%s'" % text
    return '"%s"' % text


def escape(text: str) -> str:
    if not _TEXT_SPECIAL.search(text):
        return text
    return _escape(_NOT_XML.sub("?", text))


def quoteattr(text: str) -> str:
    if not _ATTR_SPECIAL.search(text):
        return '"%s"' % text  # the same as saxutils.quoteattr for such text
    return _quoteattr(_NOT_XML.sub("?", text))


def render(result, base: str) -> str:
    from .lint_common import display_path  # not at import: Spack's bare Python loads this module

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
    # The common case: when the messages, the path, the rule and the severity hold nothing
    # an attribute escapes (text escapes a subset of it), the failure elements are written
    # as they are, after one search over the file's messages joined (the characters
    # searched for are single, so joining creates no match); anything else is escaped.
    labels: dict = {}  # (rule, severity) -> (quoted rule, "rule severity", no escaping needed)
    search, append = _ATTR_SPECIAL.search, out.append  # bound once: called per finding
    plain_failure = '      <failure type=%s message="%s: %s">%s:%d:%d: %s %s</failure>'
    for path, package in cases:
        shown = display_path(path, base)
        plain_path = not search(shown)
        if plain_path and not search(package):
            head = '    <testcase classname="peso.lint" name="%s" file="%s"' % (package, shown)
        else:
            head = '    <testcase classname="peso.lint" name=%s file=%s' % (quoteattr(package), quoteattr(shown))
        findings = by_path.get(path)
        if not findings:
            append(head + " />")
            continue
        append(head + ">")
        all_plain = plain_path and not search("".join([f.message for f in findings]))
        for f in findings:
            message = f.message
            label = labels.get((f.rule, f.severity))
            if label is None:
                text = "%s %s" % (f.rule, f.severity)
                label = labels[f.rule, f.severity] = (quoteattr(f.rule), text, not search(text))
            if label[2] and (all_plain or (plain_path and not search(message))):
                append(plain_failure % (label[0], label[1], message, shown, f.line, f.column, label[1], message))
                continue
            append(
                "      <failure type=%s message=%s>%s</failure>"
                % (
                    label[0],
                    quoteattr("%s: %s" % (label[1], message)),
                    escape("%s:%d:%d: %s %s" % (shown, f.line, f.column, label[1], message)),
                )
            )
        append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def render_record(record: dict) -> str:
    """JUnit with one ``<testcase>`` per test part (Spack's own has one per spec).

    ``classname`` is ``<target>.<package>`` so CI front-ends group cells by target; specs
    without parts (NO_TESTS, NOT_INSTALLED, BUILD_FAILED, ...) get one testcase named
    after their status, so nothing silently disappears.
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for row in record["specs"]:
        cases = []
        failures = skipped = errors = 0
        parts = row.get("parts") or [
            {"name": row["status"].lower(), "status": row["status"], "message": row.get("reason", "")}
        ]
        for part in parts:
            status = part["status"]
            body = ""
            message = part.get("message") or row.get("reason") or status
            if status in ("FAILED", "TIMEOUT"):
                failures += 1
                body = "<failure type=%s message=%s>%s</failure>" % (
                    quoteattr(status),
                    quoteattr(message[:500]),
                    escape(part.get("excerpt") or row.get("log_excerpt") or ""),
                )
            elif status in ("BUILD_FAILED", "ERROR", "NOT_INSTALLED", "NOT_RUN", "PENDING"):
                errors += 1
                body = "<error type=%s message=%s>%s</error>" % (
                    quoteattr(status),
                    quoteattr(message[:500]),
                    escape(row.get("log_excerpt") or ""),
                )
            elif (
                status in ("SKIPPED", "NO_TESTS")
                or part.get("vacuous")
                or (status == "PASSED" and row["status"] == "PASSED_VACUOUS")
            ):
                # a pass that checked nothing is not counted as a pass by CI front-ends
                skipped += 1
                reason = part.get("vacuous") or message
                body = "<skipped message=%s/>" % quoteattr(reason[:500])
            cases.append(
                '  <testcase classname=%s name=%s time="%.3f">%s</testcase>'
                % (
                    quoteattr("%s.%s" % (row["target"], row["package"])),
                    quoteattr(part["name"]),
                    part.get("duration") or 0.0,
                    body,
                )
            )
        out.append(
            ' <testsuite name=%s tests="%d" failures="%d" errors="%d" skipped="%d" time="%.3f">'
            % (
                quoteattr("%s@%s/%s" % (row["package"], row.get("version") or "?", row["target"])),
                len(cases),
                failures,
                errors,
                skipped,
                row.get("wall") or 0.0,
            )
        )
        out.extend(cases)
        out.append(" </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
